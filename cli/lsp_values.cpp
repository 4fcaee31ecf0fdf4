// The values of a name in hover (cli/lsp_names.hpp): the contract evaluated under the data file
// that the workspace names for it (cli/lsp_analysis.hpp, DataSettings), read as `utfall run
// --data` reads it, else its first example as `utfall test` evaluates it (its data files, read
// from the contract's folder, and its `set` lines); the name's value in each period, or once for
// a term.
#include <filesystem>

#include "cli/lsp_names.hpp"
#include "interpreter/examples.hpp"
#include "interpreter/pipeline.hpp"

namespace utfall::lsp {
namespace {

// At most this many periods are shown; a monthly calendar over decades is cut, and says so.
constexpr std::size_t kMaxPeriods = 60;

// The expression that reads `x`, its type, and whether it is written as a percentage (`30 %`);
// none for a party, a table or a set of participants. A payment or waterfall reads what it paid.
struct Reader {
  checked::Expr expr;
  bool percent = false;
};
std::optional<Reader> reader(const checked::Contract& c, const Declared& x) {
  for (std::size_t i = 0; i < c.terms.size(); ++i)
    if (x.kind == Kind::term && c.terms[i].name == x.name)
      return Reader{checked::Expr(checked::TermRef{static_cast<int>(i)}, c.terms[i].type, {}), c.terms[i].percent};
  for (std::size_t i = 0; i < c.defs.size(); ++i)
    if (x.kind == Kind::definition && c.defs[i].name == x.name)
      return Reader{checked::Expr(checked::DefRef{static_cast<int>(i)}, c.defs[i].type, {})};
  for (std::size_t i = 0; i < c.inputs.size(); ++i)
    if (x.kind == Kind::input && c.inputs[i].name == x.name && !c.inputs[i].participants)
      return Reader{checked::Expr(checked::InputRef{static_cast<int>(i)}, c.inputs[i].type, {}), c.inputs[i].percent};
  for (std::size_t i = 0; i < c.payments.size(); ++i)
    if (x.kind == Kind::payment && c.payments[i].name == x.name)
      return Reader{checked::Expr(checked::PaymentRef{static_cast<int>(i)}, Type::number(c.currencies[c.payments[i].currency].unit), {})};
  for (std::size_t i = 0; i < c.waterfalls.size(); ++i)
    if (x.kind == Kind::waterfall && c.waterfalls[i].name == x.name)
      return Reader{checked::Expr(checked::WaterfallRef{static_cast<int>(i)}, Type::number(c.currencies[c.waterfalls[i].currency].unit), {})};
  return std::nullopt;
}

// Whether `path` matches the glob `pattern`: `**/` stands for any folders (none too), `*` for any
// characters but `/`, `?` for one such character. The pattern comes from settings a workspace may
// carry, so the match takes time proportional to the pattern's length times the path's whatever
// its stars (a backtracking match of `*a*a*a...b` takes exponential time), and a pattern or path
// longer than 4 096 bytes matches nothing.
bool glob_matches(std::string_view pattern, std::string_view path) {
  constexpr std::size_t kLongest = 4096;
  if (pattern.size() > kLongest || path.size() > kLongest) return false;
  const std::size_t m = pattern.size(), n = path.size();
  // row(i)[j]: pattern[i...] matches path[j...]. The rows are filled from the pattern's end, and
  // each reads at most the row three on, so four are kept.
  std::vector<std::vector<char>> rows(4, std::vector<char>(n + 1, 0));
  auto row = [&](std::size_t i) -> std::vector<char>& { return rows[i % 4]; };
  row(m)[n] = 1;
  for (std::size_t i = m; i-- > 0;) {
    auto& here = row(i);
    if (pattern.substr(i).starts_with("**/")) {
      const auto& after = row(i + 3);
      bool folders = false;  // some path[k - 1] == '/' with k > j and after[k]
      for (std::size_t j = n + 1; j-- > 0;) {
        if (j < n && path[j] == '/' && after[j + 1]) folders = true;
        here[j] = after[j] || folders;
      }
      continue;
    }
    const auto& after = row(i + 1);
    for (std::size_t j = n + 1; j-- > 0;) {
      const bool one = j < n && path[j] != '/';
      if (pattern[i] == '*') here[j] = after[j] || (one && here[j + 1]);
      else if (pattern[i] == '?') here[j] = one && after[j + 1];
      else here[j] = j < n && path[j] == pattern[i] && after[j + 1];
    }
  }
  return row(0)[0] != 0;
}

// The data to evaluate under, and the words that say where it comes from; or why there is none.
struct Evaluation {
  std::optional<Dataset> data;
  EvalOptions options;
  std::string from;
};

Evaluation under_example(const Document& d, Language language) {
  const checked::Contract& c = *d.contract;
  if (c.examples.empty()) return {};
  const auto& example = c.examples.front();
  auto bound = load_example_data(c, example, std::filesystem::path(d.source->name).parent_path().string());
  if (!bound.data) return {};
  Evaluation out{std::move(bound.data), {}, std::string(language == Language::sv ? "I exemplet" : "In the example") + " \"" + example.name + "\""};
  for (const auto& [term, expr] : example.overrides)
    if (auto v = evaluate_expression(c, Dataset{}, *expr, -1); v.value) out.options.term_overrides[term] = *v.value;
  for (int term : example.unlimited) out.options.unlimited_terms.insert(term);
  return out;
}

// Under the named data file; when it cannot be read (or bound), `from` says so and `data` is none.
Evaluation under_file(const Document& d, const NamedData& named, Language language) {
  const bool sv = language == Language::sv;
  auto bound = load_data(*d.contract, {named.path});
  if (bound.data) return {std::move(bound.data), {}, std::string(sv ? "Med datafilen" : "With the data file") + " `" + named.written + "`"};
  std::string why;
  if (!bound.diagnostics.empty()) why = " (" + bound.diagnostics.front().code + ": " + message_in(bound.diagnostics.front(), language) + ")";
  return {std::nullopt, {}, std::string(sv ? "Datafilen" : "The data file") + " `" + named.written + "` " +
                                (sv ? "kan inte läsas" : "cannot be read") + why};
}

}  // namespace

std::optional<NamedData> named_data(const DataSettings& settings, const std::string& uri) {
  const auto path = file_path(uri);
  if (!path) return std::nullopt;
  namespace fs = std::filesystem;
  const fs::path contract = fs::path(*path).lexically_normal();
  const std::string relative = settings.root.empty() ? contract.generic_string() : contract.lexically_relative(settings.root).generic_string();
  for (const auto& [pattern, file] : settings.files.items()) {
    if (!file.is_string() || !glob_matches(pattern, relative)) continue;
    const fs::path written = file.get<std::string>();
    const fs::path base = settings.root.empty() ? contract.parent_path() : fs::path(settings.root);
    return NamedData{(written.is_absolute() ? written : base / written).string(), written.string()};
  }
  return std::nullopt;
}

std::string values_shown(const Document& d, const Declared& x, Language language, const std::optional<NamedData>& named) {
  if (!d.contract || !d.uri.starts_with("file:")) return {};
  const checked::Contract& c = *d.contract;
  const auto read = reader(c, x);
  if (!read) return {};
  const Evaluation under = named ? under_file(d, *named, language) : under_example(d, language);
  if (!under.data) return under.from;
  const EvalOptions& options = under.options;
  const Dataset& data = *under.data;

  const bool sv = language == Language::sv;
  auto shown = [&](int period) {
    auto v = evaluate_expression(c, data, read->expr, period, options);
    if (!v.value) return std::string(sv ? "(ingen)" : "(none)");
    const auto* n = std::get_if<Number>(&*v.value);
    if (n && read->percent) return "`" + (*n * Number::from_int(100)).to_string() + " %`";
    return "`" + shown_value(c, *v.value, read->expr.type) + "`";
  };
  std::string out = under.from;
  if (x.kind == Kind::term) return out + ": " + shown(0);
  out += sv ? ":\n\n| period | värde |\n|---|---|\n" : ":\n\n| period | value |\n|---|---|\n";
  for (std::size_t p = 0; p < c.periods.size() && p < kMaxPeriods; ++p) out += "| " + c.periods[p] + " | " + shown(static_cast<int>(p)) + " |\n";
  if (c.periods.size() > kMaxPeriods) out += sv ? "\n(de första 60 perioderna)\n" : "\n(the first 60 periods)\n";
  return out;
}

}  // namespace utfall::lsp
