// `utfall sweep`: the variations are expanded and their overrides checked once, then the cases
// go to interpreter/sweep.hpp, which evaluates them on all cores; printing follows case order.
#include "cli/sweep.hpp"

#include <fmt/format.h>

#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>

#include "cli/csv_dialect.hpp"
#include "cli/output.hpp"
#include "cli/scan.hpp"
#include "cli/xlsx.hpp"
#include "interpreter/fast_eval.hpp"
#include "interpreter/pipeline.hpp"
#include "interpreter/sweep.hpp"
#include "interpreter/unicode.hpp"
#include "interpreter/version.hpp"

namespace utfall {
namespace {

constexpr std::size_t kMaxCases = 10'000'000;
constexpr std::size_t kBlock = 2048;  // variations one thread evaluates and writes at a time

std::string trim(std::string s) {
  s.erase(0, s.find_first_not_of(" \t"));
  s.erase(s.find_last_not_of(" \t") + 1);
  return s;
}

// The values FROM + k * STEP of a range, exactly. Where FROM and STEP are decimals of at most 18
// places whose digits fit in int64 at one scale, value k is stepped there, two machine operations
// (the exact sum and product cost a few hundred instructions a value); past int64 it is stepped
// in exact arithmetic. Either way it is the same number, written as Number::to_string writes it.
class Steps {
 public:
  Steps() = default;
  Steps(Number from, Number step) : from_(std::move(from)), step_(std::move(step)) {
    auto f = from_.to_decimal64(), s = step_.to_decimal64();
    if (!f || !s) return;
    scale_ = std::max(f->places, s->places);
    auto from_digits = from_.scaled_to(scale_), step_digits = step_.scaled_to(scale_);  // nothing past 18 places or int64
    if (!from_digits || !step_digits) return;
    from_digits_ = *from_digits, step_digits_ = *step_digits, fits_ = true;
  }
  const Number& step() const { return step_; }
  // Value k, reduced as every Number is.
  Number value(std::size_t k) const {
    if (auto d = digits(k)) return Number::decimal(*d, scale_);  // scale_ <= 18: to_decimal64's places
    return from_ + Number::from_int(static_cast<std::int64_t>(k)) * step_;
  }
  // Value k's text into `out`, whose memory it keeps where the text fits: no trailing zeros
  // after the point ("0.05", "-1.5", "5"), as Number::to_string writes it.
  void write(std::size_t k, std::string& out) const {
    auto d = digits(k);
    if (!d) return void(out = value(k).to_string());
    std::int64_t digits = *d;
    int places = scale_;
    while (places > 0 && digits % 10 == 0) digits /= 10, --places;
    write_decimal(out, digits, places);
  }

 private:
  // Value k's digits at scale_, or nothing where they leave int64.
  std::optional<std::int64_t> digits(std::size_t k) const {
    std::int64_t times, value;
    if (!fits_ || k > static_cast<std::size_t>(INT64_MAX) || __builtin_mul_overflow(static_cast<std::int64_t>(k), step_digits_, &times) ||
        __builtin_add_overflow(from_digits_, times, &value))
      return std::nullopt;
    return value;
  }
  Number from_{}, step_{};
  std::int64_t from_digits_ = 0, step_digits_ = 0;
  int scale_ = 0;
  bool fits_ = false;
};

// One varied term: its name and its values, a list as written or a range.
struct Vary {
  std::string term;
  std::vector<std::string> list;  // a list's values as written; empty for a range
  // A range: FROM + k * STEP for k < count, each written with the range's unit.
  Steps steps{};
  std::size_t count = 0;
  std::string unit{};
  std::size_t size() const { return list.empty() ? count : list.size(); }
  // Value i as --set would take it ("150000100 SEK"): a range's made when asked, on the
  // thread that writes it, the same as stepping FROM by STEP i times (exact arithmetic).
  std::string text(std::size_t i) const {
    std::string x;
    text(i, x);
    return x;
  }
  // The same into `out`, whose memory it keeps where the text fits.
  void text(std::size_t i, std::string& out) const {
    if (!list.empty()) return void(out = list[i]);
    steps.write(i, out);
    if (!unit.empty()) out.append(1, ' ').append(unit);
  }
};

// "premieandel=20 %..40 % step 5 %" or "premieandel=20 %,25 %,30 %". A range steps exactly
// (decimal arithmetic) from FROM while not past TO; FROM, TO and STEP carry the same unit.
std::optional<Vary> parse_vary(const std::string& spec, std::string& error) {
  auto eq = spec.find('=');
  if (eq == std::string::npos) return error = "expected TERM=FROM..TO step STEP or TERM=V1,V2,...", std::nullopt;
  Vary v{trim(spec.substr(0, eq)), {}};
  std::string rhs = spec.substr(eq + 1);
  auto dots = rhs.find("..");
  if (dots == std::string::npos) {
    std::size_t start = 0;
    for (std::size_t comma; (comma = rhs.find(',', start)) != std::string::npos; start = comma + 1) v.list.push_back(trim(rhs.substr(start, comma - start)));
    v.list.push_back(trim(rhs.substr(start)));
    for (const auto& x : v.list)
      if (x.empty()) return error = "an empty value in the list", std::nullopt;
    return v;
  }
  auto split = scan::step(rhs.substr(dots + 2));
  if (!split) return error = "a range needs a step: FROM..TO step STEP", std::nullopt;
  std::string texts[3] = {rhs.substr(0, dots), split->first, split->second};
  Number numbers[3];
  std::string unit;
  for (int i = 0; i < 3; ++i) {
    auto n = scan::number_and_unit(texts[i]);
    if (!n || !Number::parse_decimal(n->first))
      return error = fmt::format("`{}` is not a number with an optional unit", trim(texts[i])), std::nullopt;
    numbers[i] = *Number::parse_decimal(n->first);
    if (i == 0) unit = n->second;
    else if (n->second != unit) return error = fmt::format("`{}` and `{}` have different units", trim(texts[0]), trim(texts[i])), std::nullopt;
  }
  if (numbers[2].sign() <= 0) return error = "the step must be positive", std::nullopt;
  v.steps = Steps(numbers[0], numbers[2]), v.unit = unit;
  for (Number x = numbers[0]; x <= numbers[1]; x += numbers[2]) {
    if (v.count == kMaxCases) return error = fmt::format("more than {} values", kMaxCases), std::nullopt;
    ++v.count;
  }
  if (v.count == 0) return error = "the range is empty (FROM is past TO)", std::nullopt;
  return v;
}

// The values of one --vary, checked: each value's overrides (a number, `unlimited`, a scale),
// or for a range of a term's numbers, the term and its first value and step.
struct Checked {
  std::vector<EvalOptions> each;
  int term = -1;
  Steps steps;  // the range's values, as the term takes them
  std::size_t size = 0;
  // Value i's overrides given to `options`, as merge_overrides gives them.
  void give(std::size_t i, EvalOptions& options) const {
    if (term < 0) return merge_overrides(each[i], options);
    options.term_overrides[term] = steps.value(i);
    options.unlimited_terms.erase(term);
  }
};

// A range of a term's values, FROM + k * STEP, checked by FROM and STEP: both are checked as
// values of the term (with the range's unit), and value k is FROM's plus k times STEP's,
// exactly, which is the value its text checks to (a number with a unit is that number of the
// unit; `%` a hundredth). False, with nothing done, for a list, a scale(INPUT), a value that
// does not check or checks with a message, or any other override: those are checked one by one.
bool stepped(const checked::Contract& c, const Vary& v, Checked& out) {
  if (!v.list.empty()) return false;
  EvalOptions first, step;
  const std::string step_text = v.unit.empty() ? v.steps.step().to_string() : v.steps.step().to_string() + " " + v.unit;
  if (!apply_overrides(c, {v.term + "=" + v.text(0)}, first).empty() || !apply_overrides(c, {v.term + "=" + step_text}, step).empty())
    return false;
  if (first.term_overrides.size() != 1 || step.term_overrides.size() != 1 || !first.unlimited_terms.empty() ||
      !first.input_scales.empty() || first.term_overrides.begin()->first != step.term_overrides.begin()->first)
    return false;
  const auto* from = std::get_if<Number>(&first.term_overrides.begin()->second);
  const auto* by = std::get_if<Number>(&step.term_overrides.begin()->second);
  if (!from || !by) return false;
  out.term = first.term_overrides.begin()->first, out.steps = Steps(*from, *by), out.size = v.size();
  return true;
}

}  // namespace

SweepCommand::SweepCommand(CLI::App& app) {
  command_ = app.add_subcommand("sweep", "Evaluate a contract over many term values on all cores; totals per variation");
  command_->add_option("contract", contract_, "the contract file (.utfall)")->required();
  command_->add_option("--data,-d", data_, "data files (CSV or JSON); none when the contract has no inputs");
  command_->add_option("--vary,-v", vary_, "vary a term or scale(INPUT): 'TERM=FROM..TO step STEP' or 'TERM=V1,V2,...'")->required();
  command_->add_option("--set,-s", sets_, "override a term in every variation: TERM=VALUE");
  command_->add_option("--threads,-j", threads_, "threads (default: all cores)");
  command_->add_option("--format,-f", format_, "table (default), csv, json or xlsx (with -o FILE)")
      ->check(CLI::IsMember({"table", "csv", "json", "xlsx"}));
  cli::add_file_format_options(command_, dialect_, output_);
}

int SweepCommand::run() const {
  if (auto why = cli::file_format_usage(format_, dialect_, output_)) return cli::usage("sweep", *why);
  auto report = [](const Diagnostics& d) {
    std::cerr << render_all(d, true);
    return exit_code_for(d);
  };
  auto compiled = compile_file(contract_);
  if (!compiled.contract) return report(compiled.diagnostics);
  if (!compiled.diagnostics.empty()) report(compiled.diagnostics);
  const auto& c = *compiled.contract;
  EvalOptions base;
  if (auto d = apply_overrides(c, sets_, base); !d.empty()) return std::max(report(d), 64);
  auto bound = load_data(c, data_);
  if (!bound.data) return report(bound.diagnostics);

  // Each varied value is parsed and checked once.
  std::vector<Vary> varies;
  std::vector<Checked> parsed;
  std::size_t total = 1;
  for (const auto& spec : vary_) {
    std::string error;
    auto v = parse_vary(spec, error);
    if (!v) {
      fmt::print(stderr, "utfall: --vary '{}': {}\n", terminal_text(spec), terminal_text(error));
      return 64;
    }
    auto& checked = parsed.emplace_back();
    if (!stepped(c, *v, checked)) {
      // Checked on all threads (a list may be long); the first value in order that does not
      // check is reported.
      auto& values = checked.each;
      values.resize(v->size()), checked.size = v->size();
      std::vector<Diagnostics> problems(v->size());
      parallel_for(v->size(), threads_, [&](unsigned, std::size_t i) {
        if (auto d = apply_overrides(c, {v->term + "=" + v->text(i)}, values[i]); has_errors(d)) problems[i] = std::move(d);
      });
      for (const auto& d : problems)
        if (!d.empty()) return std::max(report(d), 64);
    }
    total *= v->size();
    if (total > kMaxCases) {
      fmt::print(stderr, "utfall: more than {} variations\n", kMaxCases);
      return 64;
    }
    varies.push_back(std::move(*v));
  }

  // The variations are evaluated and written in blocks, each by one thread with its own
  // Workspace; the blocks are written out in order as they complete, so that memory holds a few
  // blocks of output (CSV, JSON), not the sweep's results.
  const std::size_t threads = sweep_threads(threads_, (total + kBlock - 1) / kBlock);
  auto index_of = [&](std::size_t i, std::size_t k) {  // variation i's value of the k-th --vary
    std::size_t rest = i;
    for (std::size_t j = varies.size(); --j > k;) rest /= varies[j].size();
    return rest % varies[k].size();
  };
  auto value_of = [&](std::size_t i, std::size_t k) { return varies[k].text(index_of(i, k)); };
  // Variation i's options: every combination, the first --vary slowest. `options` holds the
  // base options with the values of some variation given (a worker's slots are copied from the
  // base once): each --vary names one term (or input) and gives it a value every time, which
  // replaces the one given before, so no copy of the base is needed per variation.
  auto options_of = [&](std::size_t i, EvalOptions& options) {
    std::size_t rest = i;
    for (std::size_t k = varies.size(); k-- > 0;) {
      parsed[k].give(rest % parsed[k].size, options);
      rest /= parsed[k].size;
    }
  };

  // The flows of the totals, in party order, one per currency: those of the lines every
  // evaluation that succeeds pays (fast::lines), shown when any variation succeeds.
  using FlowKey = std::tuple<int, int, int>;  // payer, payee, currency
  auto key_of = [&](int payer, int payee, bool waterfall, int rule) { return FlowKey(payer, payee, c.line_currency(waterfall, rule)); };
  std::map<FlowKey, int> flows;
  for (const auto& l : fast::lines(c)) flows.emplace(key_of(l.payer, l.payee, l.waterfall, l.rule_index), 0);
  int column = 0;
  for (auto& [flow, index] : flows) index = column++;
  const bool several = c.currencies.size() > 1;
  std::vector<int> places;  // minor_unit_places of each currency
  for (int k = 0; k < std::max<int>(1, static_cast<int>(c.currencies.size())); ++k) places.push_back(minor_unit_places(c, k));
  auto flow_name = [&](const FlowKey& f) {
    return c.parties[std::get<0>(f)].id + " -> " + c.parties[std::get<1>(f)].id +
           (several ? " (" + c.currencies[std::get<2>(f)].code + ")" : "");
  };
  auto error_text = [](const Evaluation& r) {
    const auto& d = r.diagnostics.front();
    return fmt::format("error[{}]: {}", d.code, d.message);
  };

  // What one block gives: rows of text (table), cells (xlsx) or text (CSV, JSON).
  struct Block {
    std::vector<std::vector<std::string>> rows;
    std::vector<std::vector<cli::XlsxCell>> cells;
    std::string text;
    bool any_ok = false;
    Diagnostics first_error;
  };
  // A block's variations are evaluated together (evaluate_each: on the fixed-point path's
  // lanes where it takes them), then written in order.
  struct Worker {
    Workspace workspace;
    std::vector<Evaluation> evaluations;
    std::vector<EvalOptions> options;
    std::vector<const EvalOptions*> pointers;
    std::vector<Number> totals;
    std::vector<cli::CsvCell> cells;  // a CSV row
    std::optional<cli::CsvWriter> csv;  // rows after the header's writer, which begins the file
  };
  std::vector<Worker> workers(threads);
  const cli::CsvDialect dialect = cli::csv_dialect(dialect_).value_or(cli::CsvDialect{});
  auto run_block = [&](Worker& w, std::size_t first, std::size_t last, Block& out) {
    if (!w.csv) w.csv.emplace(dialect, false);
    cli::CsvWriter& csv = *w.csv;
    const std::size_t n = last - first;
    if (w.options.size() < n) w.options.resize(n, base);
    w.evaluations.resize(n), w.pointers.resize(n);
    for (std::size_t i = first; i < last; ++i) options_of(i, w.options[i - first]), w.pointers[i - first] = &w.options[i - first];
    evaluate_each(c, *bound.data, w.pointers.data(), n, w.workspace, w.evaluations.data());
    for (std::size_t i = first; i < last; ++i) {
      const Evaluation& r = w.evaluations[i - first];
      if (!r.ok && out.first_error.empty()) out.first_error = r.diagnostics;
      out.any_ok = out.any_ok || r.ok;
      w.totals.assign(flows.size(), Number{});
      if (r.ok)
        for (const auto& l : r.lines) w.totals[static_cast<std::size_t>(flows.at(key_of(l.payer, l.payee, l.waterfall, l.rule_index)))] += l.amount;
      if (format_ == "json") {
        nlohmann::ordered_json j;
        for (std::size_t k = 0; k < varies.size(); ++k) j["terms"][varies[k].term] = value_of(i, k);
        j["ok"] = r.ok;
        if (!r.ok) {
          j["error"] = error_text(r);
        } else {
          j["totals"] = nlohmann::ordered_json::array();
          for (const auto& [flow, index] : flows) {
            auto [payer, payee, currency] = flow;
            j["totals"].push_back({{"from", c.parties[payer].id}, {"to", c.parties[payee].id},
                                   {"amount", format_money(c, w.totals[static_cast<std::size_t>(index)], false, currency)},
                                   {"currency", c.currencies[currency].code}});
          }
          j["payments"] = nlohmann::ordered_json::array();
          for (const auto& l : r.lines) {
            const int currency = c.line_currency(l.waterfall, l.rule_index);
            j["payments"].push_back({{"period", c.periods[l.period]}, {"from", c.parties[l.payer].id}, {"to", c.parties[l.payee].id},
                                     {"amount", format_money(c, l.amount, false, currency)},
                                     {"currency", c.currencies[currency].code}, {"clause", c.clauses[l.clause].number}});
          }
        }
        // As an item of the document's "variations" array, dumped with an indent of 2.
        std::string item = j.dump(2);
        out.text += i == 0 ? "\n    " : ",\n    ";
        for (char ch : item) out.text += ch == '\n' ? std::string_view("\n    ") : std::string_view(&ch, 1);
        continue;
      }
      if (format_ == "csv") {
        // The varied values as written (`25 %`) and error texts are text; the totals numbers.
        // The worker's cells keep their memory from row to row.
        auto& cells = w.cells;
        cells.resize(varies.size() + (r.ok ? flows.size() : 1));
        for (std::size_t k = 0; k < varies.size(); ++k) varies[k].text(index_of(i, k), cells[k].text), cells[k].number = false;
        if (!r.ok) cells[varies.size()] = cli::text_cell(error_text(r));
        else
          for (const auto& [flow, index] : flows) {
            auto& cell = cells[varies.size() + static_cast<std::size_t>(index)];
            cell.text.clear(), cell.number = true;
            write_money(cell.text, w.totals[static_cast<std::size_t>(index)], places[static_cast<std::size_t>(std::get<2>(flow))]);
          }
        csv.row(cells);
        continue;
      }
      std::vector<std::string> row;
      for (std::size_t k = 0; k < varies.size(); ++k) row.push_back(value_of(i, k));
      if (!r.ok) row.push_back(error_text(r));
      else
        for (const auto& [flow, index] : flows)
          row.push_back(format_money(c, w.totals[static_cast<std::size_t>(index)], format_ == "table", std::get<2>(flow)));
      if (format_ == "xlsx") {
        auto& cells = out.cells.emplace_back();
        for (std::size_t k = 0; k < row.size(); ++k) {
          if (k < varies.size() || !r.ok) {
            cells.push_back(cli::xlsx_text(row[k]));
            continue;
          }
          const int currency = std::get<2>(std::next(flows.begin(), static_cast<std::ptrdiff_t>(k - varies.size()))->first);
          cells.push_back(cli::xlsx_number(row[k], minor_unit_places(c, currency), c.currencies[currency].code));
        }
      } else {
        out.rows.push_back(std::move(row));
      }
    }
    if (format_ == "csv") csv.take_text(out.text);
  };

  // What is written waits until a variation has succeeded (or all are done), for the header
  // shows the flows only then.
  Diagnostics worst;
  bool any_ok = false;
  std::vector<std::string> pending;  // CSV or JSON text not yet written
  std::vector<std::vector<std::string>> rows;
  std::vector<std::vector<cli::XlsxCell>> cells;
  const std::size_t blocks = (total + kBlock - 1) / kBlock, window = 4 * threads;
  auto header_names = [&] {
    std::vector<std::string> header;
    for (const auto& v : varies) header.push_back(v.term);
    if (any_ok)
      for (const auto& [flow, index] : flows) header.push_back(flow_name(flow));
    return header;
  };
  bool started = false;
  auto flush = [&](bool last) {
    if (!started && !any_ok && !last) return;
    if (!started) {
      started = true;
      if (format_ == "csv") {
        cli::CsvWriter csv(dialect);
        csv.header(header_names());
        cli::write_stdout(csv.text());
      } else if (format_ == "json") {
        nlohmann::ordered_json out;
        out["version"] = json_version;
        out["contract"] = c.title;
        std::string head = out.dump(2);  // "{\n  ...\n}": the array follows the last member
        cli::write_stdout(head.substr(0, head.size() - 2) + ",\n  \"variations\": [");
      }
    }
    if (format_ == "csv" || format_ == "json")
      for (const auto& text : pending) cli::write_stdout(text);
    pending.clear();
  };
  // One block per item: blocks are taken in order by whichever thread is free and written in
  // order as they complete (ordered_for), with at most `window` blocks held, so writing one
  // block overlaps computing the next and no thread waits at the end of a wave.
  std::vector<Block> out(window);
  ordered_for(
      blocks, static_cast<unsigned>(threads), window,
      [&](unsigned worker, std::size_t b) { run_block(workers[worker], b * kBlock, std::min(total, (b + 1) * kBlock), out[b % window]); },
      [&](std::size_t b) {
        Block& block = out[b % window];
        if (worst.empty()) worst = std::move(block.first_error);
        any_ok = any_ok || block.any_ok;
        for (auto& row : block.rows) rows.push_back(std::move(row));
        for (auto& row : block.cells) cells.push_back(std::move(row));
        if (format_ == "csv" || format_ == "json") {
          if (!started && !any_ok) {
            pending.push_back(std::move(block.text));  // held until the header can be written
          } else {
            flush(false);
            cli::write_stdout(block.text);
          }
        }
        // Emptied, its text's memory kept for the next block written into this slot.
        block.rows.clear(), block.cells.clear(), block.text.clear(), block.first_error.clear(), block.any_ok = false;
      });
  flush(true);
  if (format_ == "json") {
    cli::write_stdout(total > 0 ? "\n  ]\n}\n" : "]\n}\n");
  } else if (format_ == "xlsx") {
    cli::XlsxSheet sheet{"Sweep", header_names(), std::move(cells)};
    if (auto problem = cli::write_xlsx(output_, {sheet})) return std::max(cli::report({*problem}), cli::kOutputFailed);
  } else if (format_ == "table") {
    auto header = header_names();
    fmt::print("{}\nTotals per variation in {}\n\n", terminal_text(c.title), currency_list(c));
    std::vector<std::size_t> width(header.size());
    for (std::size_t k = 0; k < header.size(); ++k) width[k] = header[k].size();
    for (const auto& row : rows)
      for (std::size_t k = 0; k < row.size() && k < width.size(); ++k) width[k] = std::max(width[k], row[k].size());
    auto line = [&](const std::vector<std::string>& row) {
      std::string s;
      for (std::size_t k = 0; k < row.size(); ++k) {
        bool left = k < varies.size() || k >= width.size();
        std::size_t w = k < width.size() ? width[k] : 0;
        s += (k ? "  " : "") + (left ? fmt::format("{:<{}}", row[k], w) : fmt::format("{:>{}}", row[k], w));
      }
      fmt::print("{}\n", terminal_text(s.substr(0, s.find_last_not_of(' ') + 1)));
    };
    line(header);
    std::vector<std::string> rule;
    for (auto w : width) rule.push_back(std::string(w, '-'));
    line(rule);
    for (const auto& row : rows) line(row);
  }
  if (!worst.empty()) return exit_code_for(worst);
  return 0;
}

}  // namespace utfall
