// The JSON forms of the public values (docs/embedding.md): results, contracts and messages.
// Amounts and term values are strings of exact decimals, never JSON numbers.
#include <nlohmann/json.hpp>

#include "api/internal.hpp"
#include "interpreter/version.hpp"

namespace utfall {

using json = nlohmann::ordered_json;

namespace {

const char* severity_name(Message::Severity s) {
  switch (s) {
    case Message::Severity::error: return "error";
    case Message::Severity::warning: return "warning";
    case Message::Severity::note: return "note";
  }
  return "error";
}

const char* kind_name(Message::Kind k) {
  switch (k) {
    case Message::Kind::syntax: return "syntax";
    case Message::Kind::name: return "name";
    case Message::Kind::type: return "type";
    case Message::Kind::structure: return "structure";
    case Message::Kind::data: return "data";
    case Message::Kind::runtime: return "runtime";
    case Message::Kind::limit: return "limit";
    case Message::Kind::io: return "io";
    case Message::Kind::internal: return "internal";
  }
  return "internal";
}

const char* type_kind_name(Contract::Type::Kind k) {
  switch (k) {
    case Contract::Type::Kind::number: return "number";
    case Contract::Type::Kind::boolean: return "boolean";
    case Contract::Type::Kind::period: return "period";
    case Contract::Type::Kind::text: return "text";
  }
  return "number";
}

json message_json(const Message& m) {
  json j;
  j["severity"] = severity_name(m.severity);
  j["kind"] = kind_name(m.kind);
  j["code"] = m.code;
  j["message"] = m.text;
  if (!m.file.empty()) {
    j["file"] = m.file;
    j["line"] = m.line;
    j["column"] = m.column;
  }
  if (!m.clause.empty()) j["clause"] = m.clause;
  if (!m.location.empty()) j["location"] = m.location;
  if (!m.suggestion.empty()) j["suggestion"] = m.suggestion;
  j["rendered"] = m.rendered;
  return j;
}

json messages_array(const Messages& messages) {
  json a = json::array();
  for (const auto& m : messages) a.push_back(message_json(m));
  return a;
}

json type_json(const Contract::Type& t) {
  json j;
  j["kind"] = type_kind_name(t.kind);
  j["unit"] = t.unit;
  j["percent"] = t.percent;
  return j;
}

}  // namespace

namespace api {
std::string messages_json(const Messages& messages) { return messages_array(messages).dump(); }
}  // namespace api

std::string Result::to_json() const {
  json j;
  j["version"] = json_version;
  j["ok"] = ok;
  j["currency"] = currency;
  json payments_out = json::array();
  for (const auto& p : payments)
    payments_out.push_back({{"period", p.period}, {"from", p.from}, {"to", p.to}, {"amount", p.amount}, {"clause", p.clause},
                            {"clause_title", p.clause_title}, {"rule", p.rule}, {"currency", p.currency}});
  j["payments"] = std::move(payments_out);
  json totals_out = json::array();
  for (const auto& t : totals)
    totals_out.push_back({{"from", t.from}, {"to", t.to}, {"amount", t.amount}, {"currency", t.currency}});
  j["totals"] = std::move(totals_out);
  if (!not_paid.empty()) {  // only where a payment `at most N per KEY` set records aside
    json out = json::array();
    for (const auto& n : not_paid)
      out.push_back({{"period", n.period}, {"from", n.from}, {"to", n.to}, {"clause", n.clause}, {"rule", n.rule},
                     {"records", n.records}, {"record", n.record}, {"file", n.file}, {"row", n.row}, {"line", n.line}});
    j["not_paid"] = std::move(out);
  }
  if (!traces.empty()) {
    json traces_out = json::array();
    for (const auto& t : traces) {
      json steps = json::array();
      for (const auto& s : t.steps)
        steps.push_back({{"kind", s.kind}, {"depth", s.depth}, {"label", s.label}, {"formula", s.formula}, {"value", s.value},
                         {"unit", s.unit}, {"note", s.note}, {"period", s.period.empty() ? json(nullptr) : json(s.period)}, {"line", s.line}});
      traces_out.push_back({{"period", t.period}, {"clause", t.clause}, {"clause_title", t.clause_title}, {"rule", t.rule},
                            {"waterfall", t.waterfall}, {"line", t.line}, {"payments", t.payments}, {"steps", std::move(steps)}});
    }
    j["traces"] = std::move(traces_out);
  }
  j["messages"] = messages_array(messages);
  return j.dump();
}

std::string Contract::to_json() const {
  const auto& c = *impl_;
  json j;
  j["version"] = json_version;
  j["name"] = c.name;
  j["title"] = c.title;
  j["currency"] = c.currency;
  j["minor_unit"] = c.minor_unit;
  json currencies_out = json::array();
  for (const auto& [code, minor] : c.currencies) currencies_out.push_back({{"code", code}, {"minor_unit", minor}});
  j["currencies"] = std::move(currencies_out);
  j["periods"] = c.periods;
  json parties_out = json::array();
  for (const auto& p : c.parties) parties_out.push_back({{"id", p.id}, {"name", p.name}});
  j["parties"] = std::move(parties_out);
  json inputs_out = json::array();
  for (const auto& in : c.inputs) {
    json i;
    i["name"] = in.name;
    i["participants"] = in.participants;
    if (in.participants) {
      json fields = json::array();
      for (const auto& f : in.fields) fields.push_back({{"name", f.name}, {"type", type_json(f.type)}});
      i["fields"] = std::move(fields);
    } else {
      i["type"] = type_json(in.type);
      i["periods"] = in.periods;
    }
    inputs_out.push_back(std::move(i));
  }
  j["inputs"] = std::move(inputs_out);
  json terms_out = json::array();
  for (const auto& t : c.terms) terms_out.push_back({{"name", t.name}, {"type", type_json(t.type)}, {"value", t.value}});
  j["terms"] = std::move(terms_out);
  json clauses_out = json::array();
  for (const auto& cl : c.clauses)
    clauses_out.push_back({{"number", cl.number}, {"title", cl.title}, {"definitions", cl.definitions}, {"payments", cl.payments}});
  j["clauses"] = std::move(clauses_out);
  j["examples"] = c.examples;
  return j.dump();
}

}  // namespace utfall
