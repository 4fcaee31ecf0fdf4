// The values of a name in hover (cli/lsp_names.hpp): the contract's first example evaluated, as
// `utfall test` evaluates it (its data files, read from the contract's folder, and its `set`
// lines), and the name's value in each period, or once for a term.
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

}  // namespace

std::string values_in_example(const Document& d, const Declared& x, Language language) {
  if (!d.contract || d.contract->examples.empty() || !d.uri.starts_with("file:")) return {};
  const checked::Contract& c = *d.contract;
  const auto read = reader(c, x);
  if (!read) return {};
  const auto& example = c.examples.front();
  auto bound = load_example_data(c, example, std::filesystem::path(d.source->name).parent_path().string());
  if (!bound.data) return {};
  EvalOptions options;
  for (const auto& [term, expr] : example.overrides)
    if (auto v = evaluate_expression(c, Dataset{}, *expr, -1); v.value) options.term_overrides[term] = *v.value;
  for (int term : example.unlimited) options.unlimited_terms.insert(term);

  const bool sv = language == Language::sv;
  auto shown = [&](int period) {
    auto v = evaluate_expression(c, *bound.data, read->expr, period, options);
    if (!v.value) return std::string(sv ? "(ingen)" : "(none)");
    const auto* n = std::get_if<Number>(&*v.value);
    if (n && read->percent) return "`" + (*n * Number::from_int(100)).to_string() + " %`";
    return "`" + shown_value(c, *v.value, read->expr.type) + "`";
  };
  std::string out = std::string(sv ? "I exemplet" : "In the example") + " \"" + example.name + "\"";
  if (x.kind == Kind::term) return out + ": " + shown(0);
  out += sv ? ":\n\n| period | värde |\n|---|---|\n" : ":\n\n| period | value |\n|---|---|\n";
  for (std::size_t p = 0; p < c.periods.size() && p < kMaxPeriods; ++p) out += "| " + c.periods[p] + " | " + shown(static_cast<int>(p)) + " |\n";
  if (c.periods.size() > kMaxPeriods) out += sv ? "\n(de första 60 perioderna)\n" : "\n(the first 60 periods)\n";
  return out;
}

}  // namespace utfall::lsp
