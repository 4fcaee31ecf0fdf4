// The C API (include/utfall/utfall.h): handles that own C++ API objects, and a guard around
// every entry point so that no exception crosses into C.
#include "utfall/utfall.h"

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <variant>
#include <vector>

#include "api/internal.hpp"
#include "interpreter/files.hpp"
#include "interpreter/unicode.hpp"
#include "interpreter/version.hpp"

struct utfall_engine {
  utfall::Engine engine;
  std::string files_dir;  // where the `files` option may read; "" (the default): nowhere
};
struct utfall_contract {
  utfall::Contract contract;
};
struct utfall_data {
  utfall::Data data;
};
struct utfall_bound {
  utfall::Bound bound;
};
struct utfall_options {
  utfall::Options options;
};
struct utfall_cancel {
  utfall::Cancel cancel;
};
struct utfall_result {
  utfall::Result result;
  utfall_status status;
};
struct utfall_batch {
  utfall::Batch batch;
  std::vector<utfall::Bound> sets;  // the last evaluation's sets, copied from the handles (memory kept)
};

namespace {

using utfall::Message;
using utfall::Messages;

// A malloc'd copy that the caller frees with utfall_free; NULL when out of memory.
char* copy_string(const std::string& s) {
  char* out = static_cast<char*>(std::malloc(s.size() + 1));
  if (out) std::memcpy(out, s.c_str(), s.size() + 1);
  return out;
}

utfall_status status_of(const Messages& messages) {
  for (const auto& m : messages) {
    if (m.severity != Message::Severity::error) continue;
    switch (m.kind) {
      case Message::Kind::syntax:
      case Message::Kind::name:
      case Message::Kind::type:
      case Message::Kind::structure: return UTFALL_CONTRACT_ERROR;
      case Message::Kind::data:
      case Message::Kind::io: return UTFALL_DATA_ERROR;
      case Message::Kind::runtime: return UTFALL_EVALUATION_ERROR;
      case Message::Kind::limit: return UTFALL_LIMIT;
      case Message::Kind::internal: return UTFALL_INTERNAL_ERROR;
    }
  }
  return UTFALL_OK;
}

// Hands messages to an optional out-parameter.
void give_messages(char** messages_json, const Messages& messages) {
  if (messages_json) *messages_json = copy_string(utfall::api::messages_json(messages));
}

// A configuration or options text that the API refuses (UTFALL_INVALID_ARGUMENT): E510 when it
// is not JSON, E511 when it is JSON of another shape. Keys and values quoted from it are
// escaped and cut short (they may come from the host's users).
struct BadArgument {
  std::string code, text;
};

Message invalid_argument(std::string code, std::string text, std::string where) {
  Message m;
  m.kind = Message::Kind::data;
  m.code = std::move(code);
  m.text = std::move(text);
  m.location = std::move(where);
  m.rendered = "utfall: " + m.location + ": error[" + m.code + "]: " + m.text;
  return m;
}

[[noreturn]] void bad_shape(std::string text) { throw BadArgument{"E511", std::move(text)}; }

std::string quoted(const std::string& text) { return "`" + utfall::excerpt(text) + "`"; }

nlohmann::json parse_argument(const char* text) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {  // parse_error; out_of_range for a number past double (1e400)
    std::string reason = e.what();  // "[json.exception.parse_error.101] parse error at line 1, column 2: ..."
    if (auto end = reason.find("] "); end != std::string::npos) reason.erase(0, end + 2);
    throw BadArgument{"E510", "not JSON: " + utfall::excerpt(reason, 200)};
  }
}

// Runs `body` with every exception turned into a status. `body` returns a status.
template <typename Body>
utfall_status guard(char** messages_json, Body&& body) noexcept {
  if (messages_json) *messages_json = nullptr;
  try {
    return body();
  } catch (const std::bad_alloc&) {
    return UTFALL_OUT_OF_MEMORY;
  } catch (const std::exception& e) {
    try {
      give_messages(messages_json, {utfall::api::internal_error(e.what())});
    } catch (...) {
    }
    return UTFALL_INTERNAL_ERROR;
  } catch (...) {
    return UTFALL_INTERNAL_ERROR;
  }
}

// A JSON object of string -> unsigned integer limits into a Config, and the folder the `files`
// option may read from (`files_dir`, a string); throws on other shapes.
utfall::Config config_from_json(const char* text, std::string& files_dir) {
  utfall::Config config;
  if (!text) return config;
  auto j = parse_argument(text);
  if (!j.is_object()) bad_shape("not a JSON object");
  auto& l = config.limits;
  for (const auto& [key, value] : j.items()) {
    if (key == "files_dir") {
      if (!value.is_string() || value.get<std::string>().empty()) bad_shape("`files_dir` is not a folder's path");
      files_dir = value.get<std::string>();
      continue;
    }
    if (!value.is_number_unsigned()) bad_shape("the limit " + quoted(key) + " is not a whole number >= 0");
    auto v = value.get<std::uint64_t>();
    if (key == "max_nesting") l.max_nesting = v;
    else if (key == "max_source_bytes") l.max_source_bytes = v;
    else if (key == "max_digits") l.max_digits = v;
    else if (key == "max_steps") l.max_steps = v;
    else if (key == "max_work") l.max_work = v;
    else if (key == "max_data_bytes") l.max_data_bytes = v;
    else if (key == "max_participants") l.max_participants = v;
    else bad_shape(quoted(key) + " is not a limit of the configuration");
  }
  return config;
}

// {"terms": {name: "expression"}, "trace": bool, "time_limit_ms": n, "files": [names]}; throws
// on other shapes. The options may come from the host's users, so `files` reads only inside the
// engine's `files_dir`, and only when it has one.
void options_from_json(const char* text, utfall::Options& options, utfall::Data& data, const std::string& files_dir) {
  if (!text) return;
  auto j = parse_argument(text);
  if (!j.is_object()) bad_shape("not a JSON object");
  for (const auto& [key, value] : j.items()) {
    if (key == "terms" && value.is_object()) {
      for (const auto& [term, v] : value.items()) {
        if (!v.is_string()) bad_shape("the value of the term " + quoted(term) + " is not a string such as \"25 %\"");
        options.terms[term] = v.get<std::string>();
      }
    } else if (key == "trace" && value.is_boolean()) {
      options.trace = value.get<bool>();
    } else if (key == "time_limit_ms" && value.is_number_unsigned()) {
      options.time_limit = std::chrono::milliseconds(value.get<std::uint64_t>());
    } else if (key == "files" && value.is_array()) {
      if (files_dir.empty())
        bad_shape("`files` reads files on the host, which this engine does not allow (its configuration has no `files_dir`)");
      for (const auto& f : value) {
        if (!f.is_string()) bad_shape("`files` holds something other than a path");
        auto path = utfall::path_inside(files_dir, f.get<std::string>());
        if (auto* refused = std::get_if<utfall::PathRefused>(&path))
          bad_shape("`files`: " + quoted(f.get<std::string>()) + " is not inside `files_dir`: " + refused->reason());
        data.files.push_back(std::get<std::string>(path));
      }
    } else {
      bad_shape(quoted(key) + " is not an option (terms: object, trace: boolean, time_limit_ms: whole number, files: array)");
    }
  }
}

}  // namespace

extern "C" {

const char* utfall_version(void) { return utfall::version_text; }

const char* utfall_status_name(utfall_status status) {
  switch (status) {
    case UTFALL_OK: return "ok";
    case UTFALL_CONTRACT_ERROR: return "contract error";
    case UTFALL_DATA_ERROR: return "data error";
    case UTFALL_EVALUATION_ERROR: return "evaluation error";
    case UTFALL_LIMIT: return "limit reached";
    case UTFALL_INVALID_ARGUMENT: return "invalid argument";
    case UTFALL_INTERNAL_ERROR: return "internal error";
    case UTFALL_OUT_OF_MEMORY: return "out of memory";
  }
  return "unknown status";
}

void utfall_free(void* string) { std::free(string); }

utfall_status utfall_engine_new(const char* config_json, utfall_engine** out, char** messages_json) {
  if (!out) return UTFALL_INVALID_ARGUMENT;
  *out = nullptr;
  return guard(messages_json, [&] {
    utfall::Config config;
    std::string files_dir;
    try {
      config = config_from_json(config_json, files_dir);
    } catch (const BadArgument& e) {
      give_messages(messages_json, {invalid_argument(e.code, e.text, "configuration")});
      return UTFALL_INVALID_ARGUMENT;
    }
    *out = new utfall_engine{utfall::Engine(config), std::move(files_dir)};
    give_messages(messages_json, {});
    return UTFALL_OK;
  });
}

void utfall_engine_free(utfall_engine* engine) { delete engine; }

static utfall_status give_contract(utfall::Compilation&& compiled, utfall_contract** out, char** messages_json) {
  give_messages(messages_json, compiled.messages);
  if (!compiled.contract) return status_of(compiled.messages) == UTFALL_OK ? UTFALL_INTERNAL_ERROR : status_of(compiled.messages);
  *out = new utfall_contract{std::move(*compiled.contract)};
  return UTFALL_OK;
}

utfall_status utfall_compile(const utfall_engine* engine, const char* source, size_t length, const char* name,
                             utfall_contract** out, char** messages_json) {
  if (!out) return UTFALL_INVALID_ARGUMENT;
  *out = nullptr;
  if (!engine || (!source && length > 0)) return UTFALL_INVALID_ARGUMENT;
  return guard(messages_json, [&] {
    return give_contract(engine->engine.compile(std::string_view(source ? source : "", length), name ? name : "<contract>"), out,
                         messages_json);
  });
}

utfall_status utfall_compile_file(const utfall_engine* engine, const char* path, utfall_contract** out, char** messages_json) {
  if (!out) return UTFALL_INVALID_ARGUMENT;
  *out = nullptr;
  if (!engine || !path) return UTFALL_INVALID_ARGUMENT;
  return guard(messages_json, [&] { return give_contract(engine->engine.compile_file(path), out, messages_json); });
}

void utfall_contract_free(utfall_contract* contract) { delete contract; }

char* utfall_contract_json(const utfall_contract* contract) {
  if (!contract) return nullptr;
  try {
    return copy_string(contract->contract.to_json());
  } catch (...) {
    return nullptr;
  }
}

utfall_data* utfall_data_new(void) { return new (std::nothrow) utfall_data{}; }
void utfall_data_free(utfall_data* data) { delete data; }

utfall_status utfall_data_set(utfall_data* data, const char* input, const char* period, const char* value) {
  if (!data || !input || !period || !value) return UTFALL_INVALID_ARGUMENT;
  return guard(nullptr, [&] {
    data->data.series[input][period] = utfall::Value(value);
    return UTFALL_OK;
  });
}

utfall_status utfall_data_set_fields(utfall_data* data, const char* input, const char* const* fields, size_t count) {
  if (!data || !input || (!fields && count > 0)) return UTFALL_INVALID_ARGUMENT;
  for (size_t i = 0; i < count; ++i)
    if (!fields[i]) return UTFALL_INVALID_ARGUMENT;
  return guard(nullptr, [&] {
    auto& records = data->data.participants[input];
    records.fields.assign(fields, fields + count);
    return UTFALL_OK;
  });
}

utfall_status utfall_data_add_record(utfall_data* data, const char* input, const char* const* values, size_t count) {
  if (!data || !input || (!values && count > 0)) return UTFALL_INVALID_ARGUMENT;
  for (size_t i = 0; i < count; ++i)
    if (!values[i]) return UTFALL_INVALID_ARGUMENT;
  return guard(nullptr, [&] {
    auto& rows = data->data.participants[input].rows;
    rows.emplace_back(values, values + count);
    return UTFALL_OK;
  });
}

utfall_status utfall_data_add_file(utfall_data* data, const char* path) {
  if (!data || !path) return UTFALL_INVALID_ARGUMENT;
  return guard(nullptr, [&] {
    data->data.files.emplace_back(path);
    return UTFALL_OK;
  });
}

utfall_status utfall_data_add_document(utfall_data* data, const char* label, const char* format, const char* text, size_t length) {
  if (!data || !format || (!text && length > 0)) return UTFALL_INVALID_ARGUMENT;
  return guard(nullptr, [&] {
    data->data.documents.push_back({label ? label : "data", format, std::string(text ? text : "", length)});
    return UTFALL_OK;
  });
}

utfall_status utfall_bind(const utfall_engine* engine, const utfall_contract* contract, const utfall_data* data,
                          utfall_bound** out, char** messages_json) {
  if (!out) return UTFALL_INVALID_ARGUMENT;
  *out = nullptr;
  if (!engine || !contract || !data) return UTFALL_INVALID_ARGUMENT;
  return guard(messages_json, [&] {
    auto binding = engine->engine.bind(contract->contract, data->data);
    give_messages(messages_json, binding.messages);
    if (!binding.data) return status_of(binding.messages) == UTFALL_OK ? UTFALL_INTERNAL_ERROR : status_of(binding.messages);
    *out = new utfall_bound{std::move(*binding.data)};
    return UTFALL_OK;
  });
}

void utfall_bound_free(utfall_bound* bound) { delete bound; }

utfall_options* utfall_options_new(void) { return new (std::nothrow) utfall_options{}; }
void utfall_options_free(utfall_options* options) { delete options; }

utfall_status utfall_options_set_term(utfall_options* options, const char* term, const char* value) {
  if (!options || !term || !value) return UTFALL_INVALID_ARGUMENT;
  return guard(nullptr, [&] {
    options->options.terms[term] = value;
    return UTFALL_OK;
  });
}

utfall_status utfall_options_set_trace(utfall_options* options, int trace) {
  if (!options) return UTFALL_INVALID_ARGUMENT;
  options->options.trace = trace != 0;
  return UTFALL_OK;
}

utfall_status utfall_options_set_time_limit(utfall_options* options, uint64_t milliseconds) {
  if (!options) return UTFALL_INVALID_ARGUMENT;
  options->options.time_limit = std::chrono::milliseconds(milliseconds);
  return UTFALL_OK;
}

utfall_status utfall_options_set_cancel(utfall_options* options, const utfall_cancel* cancel) {
  if (!options) return UTFALL_INVALID_ARGUMENT;
  if (cancel) options->options.cancel = cancel->cancel;
  else options->options.cancel.reset();
  return UTFALL_OK;
}

utfall_cancel* utfall_cancel_new(void) {
  try {
    return new utfall_cancel{};
  } catch (...) {
    return nullptr;
  }
}
void utfall_cancel_free(utfall_cancel* cancel) { delete cancel; }
void utfall_cancel_request(const utfall_cancel* cancel) {
  if (cancel) cancel->cancel.request();
}

utfall_status utfall_evaluate(const utfall_engine* engine, const utfall_contract* contract, const utfall_bound* data,
                              const utfall_options* options, utfall_result** out) {
  if (!out) return UTFALL_INVALID_ARGUMENT;
  *out = nullptr;
  if (!engine || !contract || !data) return UTFALL_INVALID_ARGUMENT;
  return guard(nullptr, [&] {
    auto result = engine->engine.evaluate(contract->contract, data->bound, options ? options->options : utfall::Options{});
    utfall_status status = result.ok ? UTFALL_OK : status_of(result.messages);
    if (!result.ok && status == UTFALL_OK) status = UTFALL_INTERNAL_ERROR;
    *out = new utfall_result{std::move(result), status};
    return status;
  });
}

utfall_status utfall_evaluate_json(const utfall_engine* engine, const utfall_contract* contract, const char* data_json,
                                   const char* options_json, char** result_json) {
  if (!result_json) return UTFALL_INVALID_ARGUMENT;
  *result_json = nullptr;
  utfall::Result failure;
  auto fail = [&](utfall_status status, std::string code, std::string text, std::string where) {
    failure.messages.push_back(invalid_argument(std::move(code), std::move(text), std::move(where)));
    *result_json = copy_string(failure.to_json());
    return *result_json ? status : UTFALL_OUT_OF_MEMORY;
  };
  utfall_status status = guard(nullptr, [&] {
    if (!engine || !contract) return fail(UTFALL_INVALID_ARGUMENT, "E000", "the engine or the contract is NULL", "arguments");
    utfall::Data data;
    utfall::Options options;
    try {
      options_from_json(options_json, options, data, engine->files_dir);
    } catch (const BadArgument& e) {
      return fail(UTFALL_INVALID_ARGUMENT, e.code, e.text, "options");
    }
    if (data_json) data.documents.push_back({"data", "json", data_json});
    auto result = engine->engine.evaluate(contract->contract, data, options);
    utfall_status s = result.ok ? UTFALL_OK : status_of(result.messages);
    *result_json = copy_string(result.to_json());
    return *result_json ? s : UTFALL_OUT_OF_MEMORY;
  });
  if (status == UTFALL_INTERNAL_ERROR && !*result_json) {
    try {
      fail(status, "E999", "internal error", "utfall_evaluate_json");
    } catch (...) {
    }
  }
  return status;
}

void utfall_result_free(utfall_result* result) { delete result; }

utfall_status utfall_result_status(const utfall_result* result) { return result ? result->status : UTFALL_INVALID_ARGUMENT; }

size_t utfall_result_payment_count(const utfall_result* result) { return result ? result->result.payments.size() : 0; }

utfall_status utfall_result_payment(const utfall_result* result, size_t index, utfall_payment* out) {
  if (!result || !out || index >= result->result.payments.size()) return UTFALL_INVALID_ARGUMENT;
  const auto& p = result->result.payments[index];
  *out = {p.period.c_str(), p.from.c_str(), p.to.c_str(), p.amount.c_str(), p.clause.c_str(), p.clause_title.c_str(), p.rule.c_str()};
  return UTFALL_OK;
}

size_t utfall_result_total_count(const utfall_result* result) { return result ? result->result.totals.size() : 0; }

utfall_status utfall_result_total(const utfall_result* result, size_t index, utfall_total* out) {
  if (!result || !out || index >= result->result.totals.size()) return UTFALL_INVALID_ARGUMENT;
  const auto& t = result->result.totals[index];
  *out = {t.from.c_str(), t.to.c_str(), t.amount.c_str()};
  return UTFALL_OK;
}

const char* utfall_result_payment_currency(const utfall_result* result, size_t index) {
  if (!result || index >= result->result.payments.size()) return nullptr;
  return result->result.payments[index].currency.c_str();
}

const char* utfall_result_total_currency(const utfall_result* result, size_t index) {
  if (!result || index >= result->result.totals.size()) return nullptr;
  return result->result.totals[index].currency.c_str();
}

char* utfall_result_json(const utfall_result* result) {
  if (!result) return nullptr;
  try {
    return copy_string(result->result.to_json());
  } catch (...) {
    return nullptr;
  }
}

char* utfall_result_messages_json(const utfall_result* result) {
  if (!result) return nullptr;
  try {
    return copy_string(utfall::api::messages_json(result->result.messages));
  } catch (...) {
    return nullptr;
  }
}

utfall_status utfall_batch_new(const utfall_engine* engine, const utfall_contract* contract, utfall_batch** out) {
  if (!out) return UTFALL_INVALID_ARGUMENT;
  *out = nullptr;
  if (!engine || !contract) return UTFALL_INVALID_ARGUMENT;
  return guard(nullptr, [&] {
    *out = new utfall_batch{utfall::Batch(engine->engine, contract->contract), {}};
    return UTFALL_OK;
  });
}

void utfall_batch_free(utfall_batch* batch) { delete batch; }

size_t utfall_batch_line_count(const utfall_batch* batch) { return batch ? batch->batch.lines().size() : 0; }

utfall_status utfall_batch_line(const utfall_batch* batch, size_t index, utfall_line* out) {
  if (!batch || !out || index >= batch->batch.lines().size()) return UTFALL_INVALID_ARGUMENT;
  const auto& l = batch->batch.lines()[index];
  *out = {l.period.c_str(), l.from.c_str(), l.to.c_str(), l.clause.c_str(), l.clause_title.c_str(), l.rule.c_str()};
  return UTFALL_OK;
}

const char* utfall_batch_line_currency(const utfall_batch* batch, size_t index) {
  if (!batch || index >= batch->batch.lines().size()) return nullptr;
  return batch->batch.lines()[index].currency.c_str();
}

int utfall_batch_places(const utfall_batch* batch) { return batch ? batch->batch.places() : -1; }

utfall_status utfall_batch_evaluate(utfall_batch* batch, const utfall_bound* const* sets, size_t count) {
  return utfall_batch_evaluate_with(batch, sets, count, nullptr);
}

utfall_status utfall_batch_evaluate_with(utfall_batch* batch, const utfall_bound* const* sets, size_t count,
                                         const utfall_options* options) {
  if (!batch) return UTFALL_INVALID_ARGUMENT;
  return guard(nullptr, [&] {
    batch->sets.clear();
    if (options && (!options->options.terms.empty() || options->options.trace)) {  // a Batch takes neither
      batch->batch.evaluate(nullptr, 0);
      return UTFALL_INVALID_ARGUMENT;
    }
    for (size_t i = 0; i < count; ++i) {
      if (!sets || !sets[i]) {
        batch->sets.clear();
        batch->batch.evaluate(nullptr, 0);
        return UTFALL_INVALID_ARGUMENT;
      }
      batch->sets.push_back(sets[i]->bound);
    }
    batch->batch.evaluate(batch->sets, options ? options->options : utfall::Options{});
    return UTFALL_OK;
  });
}

size_t utfall_batch_size(const utfall_batch* batch) { return batch ? batch->batch.size() : 0; }

utfall_status utfall_batch_status(const utfall_batch* batch, size_t set) {
  if (!batch || set >= batch->batch.size()) return UTFALL_INVALID_ARGUMENT;
  if (batch->batch.ok(set)) return UTFALL_OK;
  utfall_status status = status_of(batch->batch.messages(set));
  return status == UTFALL_OK ? UTFALL_INTERNAL_ERROR : status;
}

const int64_t* utfall_batch_amounts(const utfall_batch* batch, size_t set) {
  if (!batch || set >= batch->batch.size()) return nullptr;
  return batch->batch.amounts(set);
}

char* utfall_batch_messages_json(const utfall_batch* batch, size_t set) {
  if (!batch || set >= batch->batch.size()) return nullptr;
  try {
    return copy_string(utfall::api::messages_json(batch->batch.messages(set)));
  } catch (...) {
    return nullptr;
  }
}

}  // extern "C"
