// `utfall bounds`: reads the assumptions, computes the bounds (interpreter/bounds.hpp), searches
// for witnesses (interpreter/bounds_witness.hpp) and prints one block per flow (text) or one
// object per flow (json).
#include "cli/bounds.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <variant>

#include "cli/output.hpp"
#include "interpreter/bounds.hpp"
#include "interpreter/bounds_witness.hpp"
#include "interpreter/data.hpp"
#include "interpreter/version.hpp"
#include "interpreter/pipeline.hpp"
#include "interpreter/unicode.hpp"

namespace utfall {
namespace {

int usage(const std::string& message) { return cli::usage("bounds", message); }

std::string trim(std::string s) {
  while (!s.empty() && s.back() == ' ') s.pop_back();
  while (!s.empty() && s.front() == ' ') s.erase(s.begin());
  return s;
}

// `INPUT in LO..HI`, `SET.FIELD in LO..HI` or `count(SET) in LO..HI`; LO or HI may be left out.
// The values are written as in a data file (a percentage as `92` or `92 %`). A message on error.
std::variant<Assumption, std::string> parse_assumption(const checked::Contract& c, const std::string& text) {
  Assumption a;
  a.text = text;
  auto in = text.find(" in ");
  if (in == std::string::npos) return std::string("expected `INPUT in LO..HI` (or SET.FIELD, or count(SET))");
  std::string name = trim(text.substr(0, in)), range = trim(text.substr(in + 4));
  auto dots = range.find("..");
  if (dots == std::string::npos) return fmt::format("`{}` is not a range LO..HI", range);
  Type type;
  bool percent = false;
  const checked::DeclaredRange* declared = nullptr;
  if (name.rfind("count(", 0) == 0 && name.back() == ')') {
    auto set = c.input_index(trim(name.substr(6, name.size() - 7)));
    if (!set || !c.inputs[*set].participants) return fmt::format("`{}` is not a participant input of the contract", name.substr(6, name.size() - 7));
    a.kind = Assumption::Kind::count, a.input = *set;
    type = Type{TypeKind::number, {}};
  } else if (auto dot = name.find('.'); dot != std::string::npos) {
    auto set = c.input_index(name.substr(0, dot));
    if (!set || !c.inputs[*set].participants) return fmt::format("`{}` is not a participant input of the contract", name.substr(0, dot));
    const auto& fields = c.inputs[*set].fields;
    int field = -1;
    for (std::size_t f = 0; f < fields.size(); ++f)
      if (fields[f].name == name.substr(dot + 1)) field = static_cast<int>(f);
    if (field < 0) return fmt::format("`{}` has no field `{}`", name.substr(0, dot), name.substr(dot + 1));
    a.kind = Assumption::Kind::field, a.input = *set, a.field = field;
    type = fields[field].type, percent = fields[field].percent, declared = &fields[field].allowed;
  } else {
    auto input = c.input_index(name);
    if (!input) return fmt::format("`{}` is not an input of the contract", name);
    if (c.inputs[*input].participants) return fmt::format("`{}` holds records: assume a field (`{}.FIELD in ..`) or their number (`count({})`)", name, name, name);
    a.kind = Assumption::Kind::series, a.input = *input;
    type = c.inputs[*input].type, percent = c.inputs[*input].percent, declared = &c.inputs[*input].allowed;
  }
  if (type.kind != TypeKind::number) return fmt::format("`{}` is {}, not a number: only numbers have ranges", name, type.to_string());
  for (int end = 0; end < 2; ++end) {
    std::string v = trim(end == 0 ? range.substr(0, dots) : range.substr(dots + 2));
    if (v.empty()) continue;
    std::string reason;
    auto value = parse_value(c, type, percent, v, &reason);
    if (!value) return fmt::format("{} (values are written as in a data file)", reason);
    (end == 0 ? a.lo : a.hi) = std::get<Number>(*value);
  }
  if (a.lo && a.hi && *a.hi < *a.lo) return fmt::format("the range is empty: {} is above {}", a.lo->to_string(), a.hi->to_string());
  if (declared) {
    if (a.hi && declared->lower && *a.hi < *declared->lower)
      return fmt::format("the range lies below `{}`'s declared least value, {}", name, declared->lower->to_string());
    if (a.lo && declared->upper && *declared->upper < *a.lo)
      return fmt::format("the range lies above `{}`'s declared most value, {}", name, declared->upper->to_string());
  }
  return a;
}

// The bound and, where it is finite, what the search found: one line of the table, one JSON object.
struct Line {
  std::string label;                 // "most in total"
  std::optional<Number> bound;       // none: unbounded
  std::string why;                   // unbounded: the path
  int period = -1;                   // the period of a per-period bound
  Found found;
  bool reached = false;
  std::string witness;               // the file written, if any
};

// The largest (or smallest) of the per-period bounds, and its period.
std::pair<Extent, int> per_period_most(const FlowBounds& f, bool largest) {
  int best = 0;
  for (int t = 0; t < static_cast<int>(f.per_period.size()); ++t) {
    const auto& e = f.per_period[t];
    const auto& b = f.per_period[best];
    const auto& end = largest ? e.hi : e.lo;
    const auto& best_end = largest ? b.hi : b.lo;
    if (!end) return {e, t};
    if (best_end && (largest ? *best_end < *end : *end < *best_end)) best = t;
  }
  return {f.per_period.empty() ? Extent{} : f.per_period[best], best};
}

}  // namespace

std::optional<BoundsOptions> read_bounds_options(const checked::Contract& c, const EvalOptions& eval_options,
                                                 const std::vector<std::string>& assumptions, std::string& error) {
  BoundsOptions options;
  options.term_overrides = eval_options.term_overrides;
  options.unlimited_terms = eval_options.unlimited_terms;
  options.input_scales = eval_options.input_scales;
  for (const auto& text : assumptions) {
    auto a = parse_assumption(c, text);
    if (auto* message = std::get_if<std::string>(&a)) {
      error = fmt::format("--assume '{}': {}", text, *message);
      return std::nullopt;
    }
    options.assumptions.push_back(std::get<Assumption>(std::move(a)));
  }
  return options;
}

BoundsCommand::BoundsCommand(CLI::App& app) {
  command_ = app.add_subcommand("bounds", "The most (and least) each flow can pay over all data the inputs' ranges allow, with witnesses");
  command_->add_option("contract", contract_, "the contract (.utfall)")->required();
  command_->add_option("--assume,-a", assumptions_, "'INPUT in LO..HI', 'SET.FIELD in LO..HI' or 'count(SET) in LO..HI': a range for the data, with the declared one");
  command_->add_option("--set,-s", sets_, "override a term: TERM=VALUE");
  command_->add_flag("--smallest", smallest_, "also the least each flow pays (what a payee can count on)");
  command_->add_option("--witness", witness_, "a folder to write each reached bound's data set into, as CSV files `utfall run` reads");
  command_->add_option("--format,-f", format_, "text (default) or json")->check(CLI::IsMember({"text", "json"}));
}

int BoundsCommand::run() const {
  auto compiled = compile_file(contract_);
  if (!compiled.contract) return cli::report(compiled.diagnostics);
  if (!compiled.diagnostics.empty()) cli::report(compiled.diagnostics);  // warnings
  const auto& c = *compiled.contract;
  EvalOptions eval_options;
  if (auto d = apply_overrides(c, sets_, eval_options); !d.empty()) return std::max(cli::report(d), 64);
  std::string error;
  auto read = read_bounds_options(c, eval_options, assumptions_, error);
  if (!read) return usage(error);
  const BoundsOptions& options = *read;
  Bounds bounds = payment_bounds(c, options);
  if (!bounds.ok) return std::max(cli::report(bounds.diagnostics), 1);
  if (!witness_.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(witness_, ec);
    if (ec) return usage(fmt::format("--witness {}: {}", witness_, ec.message()));
  }
  struct FlowOut {
    const FlowBounds* flow;
    std::vector<Line> lines;
  };
  std::vector<FlowOut> out;
  const bool several = c.currencies.size() > 1;
  // A witness is series data only: a contract with participant inputs gets none written.
  const bool has_records = std::any_of(c.inputs.begin(), c.inputs.end(), [](const checked::Input& in) { return in.participants; });
  SearchBudget budget;  // shared by every search below
  for (const auto& f : bounds.flows) {
    FlowOut fo{&f, {}};
    for (int largest = 1; largest >= (smallest_ ? 0 : 1); --largest) {
      for (auto what : {WitnessGoal::What::total, WitnessGoal::What::period}) {
        Line line;
        const bool total = what == WitnessGoal::What::total;
        line.label = fmt::format("{} {}", largest ? "most" : "least", total ? "in total" : "in one period");
        Extent e = f.total;
        if (!total) std::tie(e, line.period) = per_period_most(f, largest);
        line.bound = largest ? e.hi : e.lo;
        line.why = largest ? e.why_hi : e.why_lo;
        if (line.bound) {
          line.found = search_witness(c, options, eval_options, f, WitnessGoal{what, largest == 1, line.bound}, budget);
          line.reached = line.found.ok && line.found.amount == *line.bound;
          // Data inside the ranges paid more than the most (or less than the least): the
          // interval reading missed a case. Never print such a bound.
          if (line.found.ok && (largest ? *line.bound < line.found.amount : line.found.amount < *line.bound)) {
            fmt::print(stderr, "utfall: internal error: data inside the ranges pays {} from {} to {}, beyond the bound {} "
                               "(this is a bug in utfall; please report it with the contract)\n",
                       line.found.amount.to_string(), c.parties[f.payer].id, c.parties[f.payee].id, line.bound->to_string());
            return 70;
          }
          if (line.reached && !total) line.period = line.found.period;
          if (line.reached && !witness_.empty() && !has_records) {
            const auto& who = c.parties;
            std::string name = fmt::format("{}-{}{}-{}-{}.csv", who[f.payer].id, who[f.payee].id, several ? "-" + c.currencies[f.currency].code : "",
                                           largest ? "most" : "least", total ? "total" : "period");
            line.witness = (std::filesystem::path(witness_) / name).string();
            if (auto d = cli::write_file_whole(line.witness, witness_csv(c, line.found))) {
              cli::report({*d});
              return cli::kOutputFailed;
            }
          }
        }
        fo.lines.push_back(std::move(line));
      }
    }
    out.push_back(std::move(fo));
  }
  auto money = [&](const Number& n, int currency, bool separators) { return format_money(c, n, separators, currency); };
  if (format_ == "json") {
    nlohmann::ordered_json j;
    j["version"] = json_version;
    j["contract"] = c.title;
    j["assumptions"] = nlohmann::json::array();
    for (const auto& a : options.assumptions) j["assumptions"].push_back(a.text);
    j["flows"] = nlohmann::json::array();
    for (const auto& fo : out) {
      nlohmann::ordered_json jf;
      jf["from"] = c.parties[fo.flow->payer].id;
      jf["to"] = c.parties[fo.flow->payee].id;
      jf["currency"] = c.currencies[fo.flow->currency].code;
      for (const auto& l : fo.lines) {
        nlohmann::ordered_json jl;
        jl["bound"] = l.bound ? nlohmann::json(money(*l.bound, fo.flow->currency, false)) : nlohmann::json(nullptr);
        if (!l.bound) jl["unbounded"] = l.why;
        if (l.period >= 0) jl["period"] = c.periods[l.period];
        if (l.bound) {
          jl["reached"] = l.reached;
          if (l.found.ok) {
            jl["found"] = money(l.found.amount, fo.flow->currency, false);
            if (l.found.period >= 0) jl["found_period"] = c.periods[l.found.period];
            if (l.found.stopped) jl["search_stopped"] = true;
          } else {
            jl["not_searched"] = l.found.skipped;
          }
          if (!l.witness.empty()) jl["witness"] = l.witness;
        }
        std::string key = l.label;
        std::replace(key.begin(), key.end(), ' ', '_');
        jf[key] = jl;
      }
      jf["limits"] = fo.flow->limits;
      j["flows"].push_back(jf);
    }
    fmt::print("{}\n", j.dump(2));
    return 0;
  }
  std::string text = fmt::format("{}\nBounds of the payments in {}, over all data the inputs' ranges allow\n",
                                 c.title.empty() ? "(untitled contract)" : c.title, currency_list(c));
  if (!options.assumptions.empty()) {
    text += "Assumed:";
    for (const auto& a : options.assumptions) text += " " + a.text + ";";
    text.back() = '\n';
  }
  bool unbounded = false;
  for (const auto& fo : out) {
    const auto& f = *fo.flow;
    text += fmt::format("\n{} -> {}{}\n", c.parties[f.payer].id, c.parties[f.payee].id, several ? " (" + c.currencies[f.currency].code + ")" : "");
    for (const auto& l : fo.lines) {
      if (!l.bound) {
        text += fmt::format("  {:<20} unbounded\n    because {}\n", l.label + ":", l.why);
        unbounded = unbounded || l.why.find(" has no ") != std::string::npos;  // an input's range, or a count
        continue;
      }
      std::string where = l.period >= 0 ? fmt::format(" ({})", c.periods[l.period]) : "";
      std::string how;
      if (l.reached) how = "reached" + (l.witness.empty() ? (has_records && !witness_.empty() ? " (with no records; no witness written)" : "") : ": " + l.witness);
      else if (l.found.ok)
        how = fmt::format("not known to be reached; the {} found is {}{}{}", l.label.rfind("most", 0) == 0 ? "most" : "least",
                          money(l.found.amount, f.currency, true), l.found.period >= 0 ? fmt::format(" ({})", c.periods[l.found.period]) : "",
                          l.found.stopped ? " (the search stopped at its limit of work)" : "");
      else how = "not known to be reached (" + l.found.skipped + ")";
      text += fmt::format("  {:<20} {:>18}{}  {}\n", l.label + ":", money(*l.bound, f.currency, true), where, how);
    }
    if (!f.limits.empty()) {
      text += "  limits met:\n";
      for (const auto& l : f.limits) text += "    " + l + "\n";
    }
  }
  if (unbounded)
    text += "\nAn input without a bound makes a flow unbounded: declare the input's range (docs/language.md §8.4), or\n"
            "give one here: --assume 'INPUT in LO..HI' (a field: 'SET.FIELD in LO..HI'; the number of records: 'count(SET) in LO..HI').\n";
  fmt::print("{}", terminal_text(text));
  return 0;
}

}  // namespace utfall
