// utfall._utfall: the C++ embedding API (<utfall/utfall.hpp>) as Python sees it, and nothing more.
//
// A thin layer: it takes and gives plain Python values (str, int, bool, lists, dicts, tuples)
// and leaves every decision (Decimal, pandas, which exception) to the package python/utfall/.
// Numbers cross as exact decimal text in both directions, as in the C++ API; batch amounts as
// Python ints (counts of 10^-places currency units). Problems come back as message dicts,
// never as exceptions from here. Evaluations release the GIL: other Python threads run while a
// contract is evaluated, and Engine::sweep and Engine::simulate use their own threads.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include <utfall/utfall.hpp>

namespace py = pybind11;
using namespace pybind11::literals;

namespace {

const char* kind_name(utfall::Message::Kind kind) {
  using K = utfall::Message::Kind;
  switch (kind) {
    case K::syntax: return "syntax";
    case K::name: return "name";
    case K::type: return "type";
    case K::structure: return "structure";
    case K::data: return "data";
    case K::runtime: return "runtime";
    case K::limit: return "limit";
    case K::io: return "io";
    case K::internal: return "internal";
  }
  return "internal";
}

const char* severity_name(utfall::Message::Severity severity) {
  using S = utfall::Message::Severity;
  return severity == S::error ? "error" : severity == S::warning ? "warning" : "note";
}

py::list messages(const utfall::Messages& list) {
  py::list out;
  for (const auto& m : list)
    out.append(py::dict("severity"_a = severity_name(m.severity), "kind"_a = kind_name(m.kind), "code"_a = m.code,
                        "message"_a = m.text, "file"_a = m.file, "line"_a = m.line, "column"_a = m.column,
                        "clause"_a = m.clause, "location"_a = m.location, "suggestion"_a = m.suggestion,
                        "rendered"_a = m.rendered));
  return out;
}

py::dict type_dict(const utfall::Contract::Type& type) {
  using K = utfall::Contract::Type::Kind;
  const char* kind = type.kind == K::number ? "number" : type.kind == K::boolean ? "boolean" : type.kind == K::period ? "period" : "text";
  return py::dict("kind"_a = kind, "unit"_a = type.unit, "percent"_a = type.percent);
}

py::list inputs(const utfall::Contract& contract) {
  py::list out;
  for (const auto& input : contract.inputs()) {
    py::list fields;
    for (const auto& f : input.fields) fields.append(py::make_tuple(f.name, type_dict(f.type)));
    out.append(py::dict("name"_a = input.name, "participants"_a = input.participants, "type"_a = type_dict(input.type),
                        "periods"_a = input.periods, "fields"_a = fields));
  }
  return out;
}

py::list terms(const utfall::Contract& contract) {
  py::list out;
  for (const auto& term : contract.terms()) out.append(py::make_tuple(term.name, type_dict(term.type), term.value));
  return out;
}

py::list clauses(const utfall::Contract& contract) {
  py::list out;
  for (const auto& c : contract.clauses()) out.append(py::make_tuple(c.number, c.title, c.definitions, c.payments));
  return out;
}

py::list parties(const utfall::Contract& contract) {
  py::list out;
  for (const auto& p : contract.parties()) out.append(py::make_tuple(p.id, p.name));
  return out;
}

py::tuple compilation(const utfall::Compilation& c) {
  return py::make_tuple(c.contract ? py::cast(*c.contract) : py::none(), messages(c.messages));
}

py::list traces(const utfall::Result& r) {
  py::list out;
  for (const auto& t : r.traces) {
    py::list steps;
    for (const auto& s : t.steps)
      steps.append(py::dict("kind"_a = s.kind, "depth"_a = s.depth, "label"_a = s.label, "formula"_a = s.formula,
                            "value"_a = s.value, "unit"_a = s.unit, "note"_a = s.note, "period"_a = s.period,
                            "line"_a = s.line));
    out.append(py::dict("period"_a = t.period, "clause"_a = t.clause, "clause_title"_a = t.clause_title,
                        "rule"_a = t.rule, "waterfall"_a = t.waterfall, "line"_a = t.line, "payments"_a = t.payments,
                        "steps"_a = steps));
  }
  return out;
}

// A Result as a dict of lists of tuples, in the order of the C++ structs' fields.
py::dict result(const utfall::Result& r) {
  py::list payments, totals, not_paid;
  for (const auto& p : r.payments)
    payments.append(py::make_tuple(p.period, p.from, p.to, p.rule, p.clause, p.clause_title, p.amount, p.currency));
  for (const auto& t : r.totals) totals.append(py::make_tuple(t.from, t.to, t.amount, t.currency));
  for (const auto& n : r.not_paid)
    not_paid.append(py::make_tuple(n.period, n.from, n.to, n.clause, n.rule, n.records, n.record, n.file, n.row, n.line));
  return py::dict("ok"_a = r.ok, "currency"_a = r.currency, "payments"_a = payments, "totals"_a = totals,
                  "not_paid"_a = not_paid, "traces"_a = traces(r), "messages"_a = messages(r.messages));
}

using Series = std::map<std::string, std::map<std::string, std::string>>;
using Table = std::pair<std::vector<std::string>, std::vector<std::vector<std::string>>>;
using Document = std::tuple<std::string, std::string, std::string>;

// Reads the host's data (all values as text) and checks it against the contract.
py::tuple bind(const utfall::Engine& engine, const utfall::Contract& contract, const Series& series,
               const std::map<std::string, Table>& tables, const std::vector<std::string>& files,
               const std::vector<Document>& documents) {
  utfall::Data data;
  for (const auto& [input, values] : series)
    for (const auto& [period, value] : values) data.series[input][period] = value;
  for (const auto& [input, table] : tables) {
    auto& records = data.participants[input];
    records.fields = table.first;
    for (const auto& row : table.second) records.rows.emplace_back(row.begin(), row.end());
  }
  data.files = files;
  for (const auto& [label, format, text] : documents) data.documents.push_back({label, format, text});
  utfall::Binding binding;
  {
    py::gil_scoped_release unlocked;
    binding = engine.bind(contract, data);
  }
  return py::make_tuple(binding.data ? py::cast(*binding.data) : py::none(), messages(binding.messages));
}

utfall::Options options(const std::map<std::string, std::string>& terms, bool trace) {
  utfall::Options o;
  o.terms = terms;
  o.trace = trace;
  return o;
}

py::dict evaluate(const utfall::Engine& engine, const utfall::Contract& contract, const utfall::Bound& bound,
                  const std::map<std::string, std::string>& terms, bool trace) {
  utfall::Result r;
  {
    py::gil_scoped_release unlocked;
    r = engine.evaluate(contract, bound, options(terms, trace));
  }
  return result(r);
}

py::list sweep(const utfall::Engine& engine, const utfall::Contract& contract,
               const std::vector<std::pair<utfall::Bound, std::map<std::string, std::string>>>& cases, unsigned threads) {
  std::vector<utfall::Engine::Case> list;
  list.reserve(cases.size());
  for (const auto& [bound, terms] : cases) list.push_back({bound, options(terms, false)});
  std::vector<utfall::Result> results;
  {
    py::gil_scoped_release unlocked;
    results = engine.sweep(contract, list, threads);
  }
  py::list out;
  for (const auto& r : results) out.append(result(r));
  return out;
}

py::list batch_lines(const utfall::Batch& batch) {
  py::list out;
  for (const auto& l : batch.lines())
    out.append(py::make_tuple(l.period, l.from, l.to, l.rule, l.clause, l.clause_title, l.currency));
  return out;
}

// Evaluates every set; per set (ok, amounts as ints, messages).
py::list batch_evaluate(utfall::Batch& batch, const std::vector<utfall::Bound>& sets) {
  {
    py::gil_scoped_release unlocked;
    batch.evaluate(sets);
  }
  py::list out;
  const std::size_t lines = batch.lines().size();
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const std::int64_t* amounts = batch.amounts(i);
    out.append(py::make_tuple(batch.ok(i), std::vector<std::int64_t>(amounts, amounts + lines), messages(batch.messages(i))));
  }
  return out;
}

// Runs a simulation with the GIL released; the Simulation's parts are read by its methods.
utfall::Simulation simulate(const utfall::Engine& engine, const utfall::Contract& contract, const utfall::Bound& bound,
                            const std::vector<std::string>& draws, const std::vector<std::string>& correlations, std::uint64_t runs,
                            std::uint64_t seed, unsigned threads, const std::map<std::string, std::string>& terms, bool record_draws) {
  utfall::SimulationOptions o;
  o.draws = draws, o.correlations = correlations, o.runs = runs, o.seed = seed, o.threads = threads, o.terms = terms;
  o.record_draws = record_draws;
  py::gil_scoped_release unlocked;
  return engine.simulate(contract, bound, o);
}

py::dict statistics(const utfall::Simulation::Statistics& s) {
  return py::dict("count"_a = s.count, "mean"_a = s.mean, "mean_rounded"_a = s.mean_rounded, "sd"_a = s.sd,
                  "percentiles"_a = s.percentiles, "min"_a = s.min, "max"_a = s.max, "positive"_a = s.positive);
}

// runs() values from `values` as Python ints.
py::list ints(const std::int64_t* values, std::uint64_t runs) {
  py::list out(runs);
  for (std::uint64_t i = 0; i < runs; ++i) out[i] = py::int_(values[i]);
  return out;
}

}  // namespace

PYBIND11_MODULE(_utfall, m) {
  m.doc() = "The C++ embedding API of utfall; use the package `utfall`, not this module.";

  py::class_<utfall::Contract>(m, "Contract")
      .def_property_readonly("name", &utfall::Contract::name)
      .def_property_readonly("title", &utfall::Contract::title)
      .def_property_readonly("currency", &utfall::Contract::currency)
      .def_property_readonly("minor_unit", &utfall::Contract::minor_unit)
      .def_property_readonly("periods", &utfall::Contract::periods)
      .def_property_readonly("examples", &utfall::Contract::examples)
      .def_property_readonly("parties", &parties)
      .def_property_readonly("inputs", &inputs)
      .def_property_readonly("terms", &terms)
      .def_property_readonly("clauses", &clauses)
      .def("to_json", &utfall::Contract::to_json);

  py::class_<utfall::Bound>(m, "Bound");

  py::class_<utfall::Engine>(m, "Engine")
      .def(py::init([](std::size_t max_steps, std::size_t max_digits, std::size_t max_participants) {
             utfall::Config config;
             if (max_steps) config.limits.max_steps = max_steps;
             if (max_digits) config.limits.max_digits = max_digits;
             if (max_participants) config.limits.max_participants = max_participants;
             return utfall::Engine(config);
           }),
           py::arg("max_steps") = 0, py::arg("max_digits") = 0, py::arg("max_participants") = 0)
      .def("compile", [](const utfall::Engine& e, const std::string& text, const std::string& name) {
        return compilation(e.compile(text, name));
      })
      .def("compile_file", [](const utfall::Engine& e, const std::string& path) { return compilation(e.compile_file(path)); })
      .def("bind", &bind)
      .def("evaluate", &evaluate)
      .def("sweep", &sweep)
      .def("simulate", &simulate);

  using Sim = utfall::Simulation;
  py::class_<Sim>(m, "Simulation")
      .def_property_readonly("ok", &Sim::ok)
      .def_property_readonly("messages", [](const Sim& s) { return messages(s.messages()); })
      .def_property_readonly("runs", &Sim::runs)
      .def_property_readonly("seed", &Sim::seed)
      .def_property_readonly("failed", &Sim::failed)
      .def_property_readonly("first_failure", [](const Sim& s) {
        return s.first_failure() ? py::object(messages({*s.first_failure()})) : py::object(py::none());
      })
      .def_property_readonly("first_failed_run", &Sim::first_failed_run)
      .def_property_readonly("places", &Sim::places)
      .def_property_readonly("periods", &Sim::periods)
      .def_property_readonly("flows", [](const Sim& s) {
        py::list out;
        for (const auto& f : s.flows()) out.append(py::make_tuple(f.from, f.to, f.currency));
        return out;
      })
      .def_property_readonly("positions", [](const Sim& s) {
        py::list out;
        for (const auto& p : s.positions()) out.append(py::make_tuple(p.party, p.currency));
        return out;
      })
      .def_property_readonly("draws", [](const Sim& s) {
        py::list out;
        for (const auto& d : s.draws()) out.append(py::make_tuple(d.name, d.distribution, d.step, d.periods));
        return out;
      })
      .def("run_ok", [](const Sim& s) {
        py::list out(s.runs());
        for (std::uint64_t i = 0; i < s.runs(); ++i) out[i] = py::bool_(s.run_ok(i));
        return out;
      })
      .def("amounts", [](const Sim& s, std::size_t flow, std::size_t period) { return ints(s.amounts(flow, period), s.runs()); })
      .def("net", [](const Sim& s, std::size_t position) { return ints(s.net(position), s.runs()); })
      .def("drawn", [](const Sim& s, std::size_t draw, std::size_t slot) {
        py::list out(s.runs());
        for (std::uint64_t i = 0; i < s.runs(); ++i) out[i] = py::str(s.drawn(draw, slot, i));
        return out;
      })
      .def("flow_statistics", [](const Sim& s, std::size_t flow, std::size_t period, const std::vector<std::string>& percentiles) {
        return statistics(s.flow_statistics(flow, period, percentiles));
      })
      .def("position_statistics", [](const Sim& s, std::size_t position, const std::vector<std::string>& percentiles) {
        return statistics(s.position_statistics(position, percentiles));
      });

  py::class_<utfall::Batch>(m, "Batch")
      .def(py::init<const utfall::Engine&, utfall::Contract>(), py::keep_alive<1, 2>())
      .def_property_readonly("lines", &batch_lines)
      .def_property_readonly("places", &utfall::Batch::places)
      .def("evaluate", &batch_evaluate);
}
