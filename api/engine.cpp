// The C++ embedding API (include/utfall/utfall.hpp) over the pipeline: compile is parse ->
// check, bind is read -> bind (DataBinder: a first participant file bound as it is read),
// evaluate is evaluate. This file only chains the stages and turns their values into the public
// ones; it decides nothing about the language.
#include "api/internal.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <map>
#include <new>

#include "interpreter/fast_eval.hpp"
#include "interpreter/huge_pages.hpp"
#include "interpreter/pipeline.hpp"
#include "interpreter/text_hash.hpp"
#include "interpreter/unicode.hpp"

namespace utfall {

// ---- values ----

Value Value::decimal(std::int64_t units, int scale) {
  if (scale < 0 || scale > 18) throw std::invalid_argument("Value::decimal: the scale must be 0..18");
  bool negative = units < 0;
  // The magnitude as unsigned, so INT64_MIN has one too.
  std::uint64_t magnitude = negative ? 0 - static_cast<std::uint64_t>(units) : static_cast<std::uint64_t>(units);
  std::string digits = std::to_string(magnitude);
  if (scale > 0) {
    if (digits.size() <= static_cast<std::size_t>(scale)) digits.insert(0, scale + 1 - digits.size(), '0');
    digits.insert(digits.size() - scale, ".");
  }
  return Value((negative ? "-" : "") + digits);
}

namespace api {

Message to_message(const Diagnostic& d) {
  Message m;
  m.severity = static_cast<Message::Severity>(d.severity);
  m.kind = static_cast<Message::Kind>(d.kind);
  m.code = d.code;
  m.text = d.message;
  if (d.range && d.range->source) {
    m.file = d.range->source->name;
    m.line = d.range->begin.line;
    m.column = display_column(*d.range->source, d.range->begin);
  }
  m.clause = d.clause;
  m.location = d.location;
  m.suggestion = d.suggestion;
  m.text_sv = message_in(d, Language::sv);
  m.suggestion_sv = suggestion_in(d, Language::sv);
  m.location_sv = location_in(d, Language::sv);
  m.rendered = render_pretty(d);
  if (d.not_kept > 0) m.rendered += fmt::format("utfall: {} more diagnostics not shown\n", d.not_kept);
  return m;
}

Messages to_messages(const Diagnostics& diags) {
  Messages out;
  out.reserve(diags.size());
  for (const auto& d : diags) out.push_back(to_message(d));
  return out;
}

// Only bad_alloc may leave the C++ API: anything else thrown inside is a bug, reported as an
// internal message (the C API catches bad_alloc as well).
Message internal_error(const char* what) {
  Message m;
  m.kind = Message::Kind::internal;
  m.code = "E999";
  m.text = fmt::format("internal error: {} (a bug in utfall; please report it with the input)", what);
  m.rendered = "utfall: error[E999]: " + m.text;
  return m;
}

Message limit_error(const char* code, Text text, std::string location) {
  Diagnostic d;
  d.kind = DiagKind::limit;
  d.code = code;
  set_message(d, std::move(text));
  d.location = std::move(location);
  return to_message(d);
}

Diagnostic other_contract(std::string location) {
  Diagnostic d;
  d.kind = DiagKind::data;
  d.code = "E532";
  set_message(d, text("the data was bound for another contract; bind it with this one"));
  d.location = std::move(location);
  return d;
}

EvalOptions eval_options(const Config& config) {
  EvalOptions options;
  options.limits.max_digits = config.limits.max_digits;
  options.limits.max_steps = config.limits.max_steps;
  options.limits.max_work = config.limits.max_work;
  return options;
}

void stop_options(const Options& options, EvalOptions& out) {
  out.cancel = options.cancel ? options.cancel->flag() : nullptr;
  out.deadline.reset();
  if (options.time_limit.count() > 0) out.deadline = std::chrono::steady_clock::now() + options.time_limit;
}

std::string exact_text(const Number& n) { return n.is_terminating() ? n.to_string() : n.to_fraction_string(); }

}  // namespace api

namespace {

using api::to_messages;

Contract::Type public_type(const Type& t, bool percent) {
  Contract::Type out;
  out.kind = static_cast<Contract::Type::Kind>(t.kind);
  if (t.kind == TypeKind::number) out.unit = t.unit.to_string();
  out.percent = percent;
  return out;
}

// The introspection view of a checked contract, computed once at compile time.
std::shared_ptr<const Contract::Impl> describe(std::string name, std::shared_ptr<const checked::Contract> checked) {
  auto impl = std::make_shared<Contract::Impl>();
  const auto& c = *checked;
  impl->name = std::move(name);
  impl->title = c.title;
  impl->currency = c.currency;
  for (const auto& cur : c.currencies) impl->currencies.emplace_back(cur.code, cur.minor_unit.to_string());
  impl->minor_unit = c.minor_unit.to_string();
  impl->periods = c.periods;
  for (const auto& p : c.parties) impl->parties.push_back({p.id, p.display});
  for (const auto& in : c.inputs) {
    Contract::Input out{in.name, in.participants, public_type(in.type, in.percent), {}, {}};
    if (in.participants) {
      for (const auto& f : in.fields) out.fields.push_back({f.name, public_type(f.type, f.percent)});
    } else {
      for (int t = in.first; t <= in.last; ++t) out.periods.push_back(c.periods[t]);
    }
    impl->inputs.push_back(std::move(out));
  }
  for (const auto& term : c.terms) {
    std::string value;
    auto v = evaluate_expression(c, Dataset{}, *term.value, -1);
    if (v.value) value = std::holds_alternative<Number>(*v.value) ? api::exact_text(std::get<Number>(*v.value))
                                                                  : format_value(c, *v.value, term.type);
    impl->terms.push_back({term.name, public_type(term.type, term.percent), std::move(value)});
  }
  for (const auto& cl : c.clauses) impl->clauses.push_back({cl.number, cl.title, {}, {}});
  for (const auto& d : c.defs) impl->clauses[d.clause].definitions.push_back(d.name);
  for (const auto& d : c.participant_defs) impl->clauses[d.clause].definitions.push_back(d.name);
  for (const auto& p : c.payments) impl->clauses[p.clause].payments.push_back(p.name);
  for (const auto& w : c.waterfalls) impl->clauses[w.clause].payments.push_back(w.name);
  for (const auto& ex : c.examples) impl->examples.push_back(ex.name);
  impl->checked = std::move(checked);
  return impl;
}

// ---- data ----

constexpr const char* kSeriesLabel = "data (series)";

// The host's series as one table with a `period` column, a row per period in calendar order
// (periods the calendar does not know last, so that binding names them).
Table series_table(const checked::Contract& c, const Data& data) {
  Table table;
  table.file = kSeriesLabel;
  table.columns.push_back("period");
  std::vector<std::string> periods = c.periods;
  TextSet known(periods.begin(), periods.end());
  for (const auto& [input, values] : data.series) {
    table.columns.push_back(input);
    for (const auto& [period, value] : values)
      if (known.insert(period).second) periods.push_back(period);
  }
  for (const auto& period : periods) {
    const std::size_t r = table.rows.size() + 1;
    std::vector<Cell> row{Cell{.text = table.rows.keep(period), .present = true, .column = 0, .row = cell_number(r), .line = 0}};
    bool any = false;
    for (const auto& [input, values] : data.series) {
      auto it = values.find(period);
      bool present = it != values.end() && !it->second.text().empty();
      any = any || present;
      row.push_back(Cell{.text = present ? table.rows.keep(it->second.text()) : std::string_view(),
                         .present = present,
                         .column = static_cast<std::uint32_t>(row.size()),
                         .row = cell_number(r),
                         .line = 0});
    }
    if (any) table.rows.push_back(row);
  }
  return table;
}

std::vector<std::pair<std::string, Table>> one_table(std::string key, Table table) {
  std::vector<std::pair<std::string, Table>> tables;
  tables.emplace_back(std::move(key), std::move(table));
  return tables;
}

// "data (series): row 3, column `x`" means little to a host that gave a map: name the period.
void name_series_periods(Diagnostics& diags, const std::vector<std::string>& row_periods) {
  std::string prefix = std::string(kSeriesLabel) + ": row ";
  for (auto& d : diags) {
    if (d.location.rfind(prefix, 0) != 0) continue;
    std::size_t end = 0;
    std::size_t row = std::stoul(d.location.substr(prefix.size()), &end);
    if (row == 0 || row > row_periods.size()) continue;
    d.location = fmt::format("{}: period {}{}", kSeriesLabel, excerpt(row_periods[row - 1]),
                             d.location.substr(prefix.size() + end));
  }
}

Table records_table(const std::string& input, const Records& records) {
  Table table;
  table.file = "data";
  table.name = input;
  table.columns = records.fields;
  for (const auto& values : records.rows) {
    std::vector<Cell> row;
    std::size_t r = table.rows.size() + 1;
    for (std::size_t f = 0; f < records.fields.size(); ++f) {
      const std::string_view text = f < values.size() ? table.rows.keep(values[f].text()) : std::string_view();
      row.push_back(Cell{.text = text, .present = !text.empty(), .column = static_cast<std::uint32_t>(f), .row = cell_number(r), .line = 0});
    }
    table.rows.push_back(row);
    if (values.size() > records.fields.size()) {
      Diagnostic d;
      d.kind = DiagKind::data;
      d.code = "E505";
      set_message(d, utfall::text("a record has {} values for {} fields", values.size(), records.fields.size()));
      d.location = fmt::format("data, table `{}`: row {}", excerpt(input), r);
      throw DiagnosticError{std::move(d)};
    }
  }
  return table;
}

// The data limits: bytes of text in all tables, and participant records (tables without a
// `period` column). Returns the first limit passed.
std::optional<Message> data_limits(const std::vector<Table>& tables, const Limits& limits) {
  std::size_t bytes = 0, records = 0;
  for (const auto& t : tables) {
    bool participants = std::find(t.columns.begin(), t.columns.end(), "period") == t.columns.end();
    if (participants) records += t.rows.size();
    // A CSV table keeps its whole text, and each cell's text is a part of one of its lines (a
    // quoted one copied without its quotes): the text bounds the cells. Other tables: the cells.
    if (t.rows.whole_bytes() > 0) {
      bytes += t.rows.whole_bytes();
    } else {
      for (const auto& row : t.rows)
        for (const auto& cell : row) bytes += cell.text.size();
    }
    if (bytes > limits.max_data_bytes)
      return api::limit_error("E708", text("the data holds more than {} bytes (the limit on data size)", limits.max_data_bytes),
                              t.file);
    if (records > limits.max_participants)
      return api::limit_error("E709", text("the data holds more than {} participant records (the limit)", limits.max_participants),
                              t.file);
  }
  return std::nullopt;
}

// Every number in the data within the digit limit, so that a huge value is refused at the door.
std::optional<Message> digit_limit(const checked::Contract& c, const Dataset& d, std::size_t max_digits) {
  auto too_big = [&](const checked::Value& v) {
    auto* n = std::get_if<Number>(&v);
    return n && n->decimal_digits() > max_digits;
  };
  auto fail = [&](const std::string& where) {
    return api::limit_error("E704", text("a data value has more than {} digits (the limit on the size of numbers)", max_digits), where);
  };
  for (std::size_t i = 0; i < d.series.size(); ++i)
    for (std::size_t t = 0; t < d.series[i].size(); ++t)
      if (d.series[i][t] && too_big(*d.series[i][t])) return fail(fmt::format("`{}` in period {}", c.inputs[i].name, c.periods[t]));
  // A decimal in a cell is a fraction of int64 parts: no more digits than the lowest int64 has.
  // Its value is made only where the limit is lower.
  static const std::size_t kCellDigits = Number::from_int(std::numeric_limits<std::int64_t>::min()).decimal_digits();
  for (std::size_t i = 0; i < d.participants.size(); ++i) {
    if (!d.participants[i].keeps_whole_values() && kCellDigits <= max_digits) continue;  // nothing here can be too long
    for (std::size_t r = 0; r < d.participants[i].size(); ++r)
      for (std::size_t f = 0; f < d.participants[i].width(r); ++f)
        if (const auto cell = d.participants[i].cell(r, f);
            ((cell.is_decimal() && kCellDigits > max_digits) || cell.tag == ParticipantRecords::kWhole) &&
            too_big(d.participants[i].value(r, f)))
          return fail(fmt::format("`{}`, record {}, field `{}`", c.inputs[i].name, r + 1, c.inputs[i].fields[f].name));
  }
  return std::nullopt;
}

}  // namespace

// ---- contract introspection ----

const std::string& Contract::name() const { return impl_->name; }
const std::string& Contract::title() const { return impl_->title; }
const std::string& Contract::currency() const { return impl_->currency; }
const std::string& Contract::minor_unit() const { return impl_->minor_unit; }
const std::vector<std::string>& Contract::periods() const { return impl_->periods; }
const std::vector<Contract::Party>& Contract::parties() const { return impl_->parties; }
const std::vector<Contract::Input>& Contract::inputs() const { return impl_->inputs; }
const std::vector<Contract::Term>& Contract::terms() const { return impl_->terms; }
const std::vector<Contract::Clause>& Contract::clauses() const { return impl_->clauses; }
const std::vector<std::string>& Contract::examples() const { return impl_->examples; }

// ---- engine ----

Engine::Engine(Config config) : config_(std::move(config)), sweeper_(api::make_sweeper()) {}

namespace {

// Runs one API call; anything but bad_alloc thrown inside becomes an internal message.
template <typename Out, typename Body>
Out guarded(Body&& body) {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const std::exception& e) {
    Out out;
    out.messages.push_back(api::internal_error(e.what()));
    return out;
  }
}

ParseOptions parse_options(const Limits& limits) {
  ParseOptions options;
  options.max_nesting = limits.max_nesting;
  options.max_source_bytes = limits.max_source_bytes;
  return options;
}

Compilation to_compilation(std::string name, Compiled&& compiled) {
  Compilation out;
  out.messages = to_messages(compiled.diagnostics);
  if (compiled.contract) out.contract = Contract(describe(std::move(name), std::move(compiled.contract)));
  return out;
}

}  // namespace

Compilation Engine::compile(std::string_view text, std::string name) const {
  return guarded<Compilation>([&] {
    auto source = std::make_shared<Source>(Source{name, std::string(text)});
    return to_compilation(std::move(name), utfall::compile(source, parse_options(config_.limits)));
  });
}

Compilation Engine::compile_file(const std::string& path) const {
  return guarded<Compilation>([&] { return to_compilation(path, utfall::compile_file(path, parse_options(config_.limits))); });
}

Binding Engine::bind(const Contract& contract, const Data& data) const {
  return guarded<Binding>([&] {
    Binding out;
    const auto& c = *contract.impl().checked;
    ReadLimits read_limits;
    read_limits.max_bytes = std::min(read_limits.max_bytes, config_.limits.max_data_bytes);
    read_limits.max_rows = std::min(read_limits.max_rows, config_.limits.max_participants);
    std::vector<Table> tables;
    Diagnostics diags;
    auto read = [&](auto&& reader) {
      try {
        for (auto& [key, table] : reader()) tables.push_back(std::move(table));
      } catch (DiagnosticError& e) {
        diags.push_back(std::move(e.diagnostic));
      }
    };
    // The first file, when it holds participants, is bound as it is read (DataBinder).
    DataBinder binder(c);
    binder.read_files(data.files, read_limits, tables, diags);
    for (const auto& doc : data.documents) {
      if (doc.text.size() > read_limits.max_bytes) {
        out.messages.push_back(api::limit_error(
            "E702", text("`{}` is {} bytes, more than the limit of {}", doc.label, doc.text.size(), read_limits.max_bytes),
            doc.label));
        return out;
      }
      if (doc.format == "json") {
        read([&] { return read_json_tables(doc.label, doc.text, read_limits); });
      } else if (doc.format == "csv") {
        read([&] { return one_table("", read_csv(doc.label, doc.text, read_limits)); });
      } else {
        Diagnostic d;
        d.kind = DiagKind::data;
        d.code = "E513";
        set_message(d, text("the document `{}` is of format `{}`; the accepted formats are csv and json", doc.label,
                            excerpt(doc.format)));
        d.location = doc.label;
        diags.push_back(std::move(d));
      }
    }
    for (const auto& participants : data.participants) read([&] {
      const auto& [input, records] = participants;
      return one_table(input, records_table(input, records));
    });
    std::vector<std::string> series_periods;  // the period of each row of the series' table, for messages
    if (!data.series.empty()) {
      Table series = series_table(c, data);
      for (const auto row : series.rows) series_periods.emplace_back(row.front().text);
      tables.push_back(std::move(series));
    }
    if (has_errors(diags)) {
      out.messages = to_messages(diags);
      return out;
    }
    if (auto limit = data_limits(tables, config_.limits)) {
      out.messages.push_back(std::move(*limit));
      return out;
    }
    auto bound = binder.bind(std::move(tables));  // lets the cells go as they are bound
    name_series_periods(bound.diagnostics, series_periods);
    out.messages = to_messages(bound.diagnostics);
    if (!bound.data) return out;
    if (auto limit = digit_limit(c, *bound.data, config_.limits.max_digits)) {
      out.messages.push_back(std::move(*limit));
      return out;
    }
    auto impl = std::make_shared<Bound::Impl>();
    impl->contract = contract.impl().checked;
    impl->data = std::move(*bound.data);
    impl->columns = fast::read_columns(c, impl->data);
    out.data = Bound(std::move(impl));
    return out;
  });
}

Cancel::Cancel() : flag_(std::make_shared<std::atomic<bool>>(false)) {}
void Cancel::request() const noexcept { flag_->store(true, std::memory_order_relaxed); }
bool Cancel::requested() const noexcept { return flag_->load(std::memory_order_relaxed); }

Result Engine::evaluate(const Contract& contract, const Data& data, const Options& options) const {
  auto bound = bind(contract, data);
  if (!bound.data) {
    Result out;
    out.currency = contract.currency();
    out.messages = std::move(bound.messages);
    return out;
  }
  auto out = evaluate(contract, *bound.data, options);
  out.messages.insert(out.messages.begin(), bound.messages.begin(), bound.messages.end());  // warnings
  return out;
}

namespace api {

std::string money(const checked::Contract& c, const Number& n, int currency) { return format_money(c, n, false, currency); }

// The explanation of one rule in one period, in the public form; the one place that maps the
// evaluator's trace. `payments`: the indexes of the lines it explains.
Result::Trace public_trace(const checked::Contract& c, const Evaluation& ev, std::size_t index, std::vector<std::size_t> payments) {
  const auto& trace = ev.traces[index];
  Result::Trace out;
  out.period = c.periods[trace.period];
  out.clause = c.clauses[trace.clause].number;
  out.clause_title = c.clauses[trace.clause].title;
  const auto& range = trace.waterfall ? c.waterfalls[trace.rule_index].range : c.payments[trace.rule_index].range;
  out.rule = trace.waterfall ? c.waterfalls[trace.rule_index].name : c.payments[trace.rule_index].name;
  out.waterfall = trace.waterfall;
  out.line = range.source ? static_cast<int>(range.begin.line) : 0;
  out.payments = std::move(payments);
  for (const auto& s : trace.steps)
    out.steps.push_back({std::string(to_string(s.kind)), s.depth, s.label.in(Language::en), s.formula, s.value.text, s.value.unit, s.note.in(Language::en),
                         s.period >= 0 ? c.periods[s.period] : std::string(), s.line});
  return out;
}

void fill_payments(const checked::Contract& c, const Evaluation& ev, Result& out, FillScratch& scratch) {
  // Element by element, so that the strings of a reused Result keep their memory; the texts
  // that name a line only when the line differs from the one the Result holds.
  auto& flows = scratch.flows;
  // Once a session; a list cut short by an exception (out of memory) is made again.
  if (const std::size_t currencies = std::max<std::size_t>(c.currencies.size(), 1); scratch.places.size() != currencies) {
    scratch.places.clear();
    for (std::size_t k = 0; k < currencies; ++k) scratch.places.push_back(minor_unit_places(c, static_cast<int>(k)));
  }
  // Texts are written where `out` may not hold them: a Result of other lines (or none), or
  // after a call an exception left (texts_known false from here until all are written).
  const bool texts_known = scratch.texts_known;
  scratch.texts_known = false;
  const bool fresh = !texts_known || out.payments.size() != ev.lines.size() || scratch.lines.size() != ev.lines.size();
  // Whether the lines are those of the last call (whatever Result it filled): then so are the
  // totals they add to, in the same order, and each line's total is known. Unknown from here
  // until they are found again: a call left by an exception (out of memory) leaves them unknown.
  bool same_lines = scratch.totals_known && scratch.lines.size() == ev.lines.size();
  scratch.totals_known = false;
  reserve_offering_huge_pages(out.payments, ev.lines.size(), Growth::doubling);  // 11 MB for 50 000 lines
  out.payments.resize(ev.lines.size());
  scratch.lines.resize(ev.lines.size());
  scratch.digits.resize(ev.lines.size());
  for (std::size_t i = 0; i < ev.lines.size(); ++i) {
    const auto& l = ev.lines[i];
    auto& p = out.payments[i];
    const FillScratch::Key key{l.period, l.payer, l.payee, l.clause, l.rule_index, l.waterfall};
    const bool same = scratch.lines[i] == key;
    same_lines = same_lines && same;
    // The key names the rule (its index among the payments or waterfalls): its name and
    // currency follow from it.
    if (fresh || !same) {
      const auto& clause = c.clauses[l.clause];
      p.period = c.periods[l.period];
      p.from = c.parties[l.payer].id;
      p.to = c.parties[l.payee].id;
      p.clause = clause.number;
      p.clause_title = clause.title;
      p.rule = l.rule;
      p.currency = c.currencies[c.line_currency(l.waterfall, l.rule_index)].code;
      scratch.lines[i] = key;
    }
    // The amount in units of the minor unit, where it is a whole number of them that fits a
    // machine word (every amount of the fixed-point path): added up as such.
    const int places = scratch.places[static_cast<std::size_t>(c.line_currency(l.waterfall, l.rule_index))];
    scratch.digits[i] = write_money(p.amount, l.amount, places);
  }
  if (!same_lines) {  // the totals, ordered by payer, payee and currency, and each line's
    flows.clear();
    auto flow_of = [&](const PaymentLine& l) {
      const int currency = c.line_currency(l.waterfall, l.rule_index);
      return std::find_if(flows.begin(), flows.end(),
                          [&](const Flow& f) { return f.payer == l.payer && f.payee == l.payee && f.currency == currency; });
    };
    for (const auto& l : ev.lines)
      if (flow_of(l) == flows.end()) flows.push_back(Flow{l.payer, l.payee, c.line_currency(l.waterfall, l.rule_index), Number{}, 0, true});
    std::sort(flows.begin(), flows.end(), [](const Flow& a, const Flow& b) {
      return std::tuple(a.payer, a.payee, a.currency) < std::tuple(b.payer, b.payee, b.currency);
    });
    scratch.line_flow.clear();
    for (const auto& l : ev.lines) scratch.line_flow.push_back(static_cast<std::size_t>(flow_of(l) - flows.begin()));
  }
  scratch.totals_known = true;
  for (auto& f : flows) f.digits = 0, f.in_digits = true;
  for (std::size_t i = 0; i < ev.lines.size(); ++i) {
    const auto& l = ev.lines[i];
    Flow& flow = flows[scratch.line_flow[i]];
    const auto& digits = scratch.digits[i];
    std::int64_t sum;
    if (!flow.in_digits) {
      flow.amount += l.amount;
    } else if (digits && !__builtin_add_overflow(flow.digits, *digits, &sum)) {
      flow.digits = sum;
    } else {  // the total leaves the machine word: exact from here on
      flow.in_digits = false;
      flow.amount = l.amount;
      if (flow.digits != 0)  // then an earlier line had digits, so places <= 18
        flow.amount += Number::decimal(flow.digits, scratch.places[static_cast<std::size_t>(flow.currency)]);
    }
  }
  const bool fresh_totals = !texts_known || out.totals.size() != flows.size() || scratch.totals.size() != flows.size();
  out.totals.resize(flows.size());
  scratch.totals.resize(flows.size());
  for (std::size_t i = 0; i < flows.size(); ++i) {
    auto& t = out.totals[i];
    const FillScratch::TotalKey key{flows[i].payer, flows[i].payee, flows[i].currency};
    if (fresh_totals || !(scratch.totals[i] == key)) {
      t.from = c.parties[flows[i].payer].id;
      t.to = c.parties[flows[i].payee].id;
      t.currency = c.currencies[flows[i].currency].code;
      scratch.totals[i] = key;
    }
    const int places = scratch.places[static_cast<std::size_t>(flows[i].currency)];
    if (flows[i].in_digits) write_decimal(t.amount, flows[i].digits, places);
    else write_money(t.amount, flows[i].amount, places);
  }
  scratch.texts_known = true;
  out.traces.clear();
  if (ev.traces.empty()) return;
  std::vector<std::vector<std::size_t>> lines_of(ev.traces.size());  // one pass, not one per trace
  for (std::size_t i = 0; i < ev.lines.size(); ++i)
    if (ev.lines[i].trace >= 0) lines_of[static_cast<std::size_t>(ev.lines[i].trace)].push_back(i);
  for (std::size_t i = 0; i < ev.traces.size(); ++i) out.traces.push_back(public_trace(c, ev, i, std::move(lines_of[i])));
}

void fill_not_paid(const checked::Contract& c, const Evaluation& ev, const Dataset& data, Result& out) {
  out.not_paid.clear();
  for (const auto& x : ev.not_paid) {
    const auto& pay = c.payments[x.payment];
    Result::NotPaid n;
    n.period = c.periods[x.period];
    n.from = c.parties[pay.payer].id;
    n.to = c.parties[pay.payee].id;
    n.clause = c.clauses[pay.clause].number;
    n.rule = pay.name;
    n.records = c.inputs[pay.set].name;
    n.record = static_cast<std::size_t>(x.record) + 1;
    if (std::size_t(pay.set) < data.sources.size() && std::size_t(x.record) < data.sources[pay.set].rows.size()) {
      const auto& src = data.sources[pay.set];
      n.file = src.file;
      n.row = src.rows[x.record].row;
      n.line = src.rows[x.record].line;
    }
    out.not_paid.push_back(std::move(n));
  }
  std::stable_sort(out.not_paid.begin(), out.not_paid.end(), [&](const Result::NotPaid& a, const Result::NotPaid& b) {
    return *c.period_index(a.period) < *c.period_index(b.period);
  });
}

}  // namespace api
}  // namespace utfall
