// Fuzz target: the C API as a host that passes its users' text through would call it, on a
// host thread of 256 KiB of stack.
//
// Input: four parts split at the first three newlines: the engine's configuration JSON, the
// options JSON, the data JSON (utfall_evaluate_json's shape), then the contract. Each call gets
// the fuzzed text as it is, except that the configuration's work limits are lowered to the
// fuzzers' (docs/fuzzing.md) and its `files_dir` is tests/fuzz/files/, so that no input runs
// for seconds or names a folder of its own; `max_nesting` and the other limits stay as fuzzed:
// the API must clamp them to what the stack holds (docs/language.md §25.1).
// Besides the sanitizers, it asserts: every message list is a JSON array of messages that say
// where, none internal (E9xx); a status is one of the documented ones; the same data evaluated
// through utfall_evaluate_json, through utfall_bind + utfall_evaluate and through a Batch gives
// the same statuses and amounts. Seeds: tests/fuzz/corpus/fuzz_api/.
#include <pthread.h>
#include <utfall/utfall.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace {

using nlohmann::json;

[[noreturn]] void finding(const std::string& what) {
  std::fprintf(stderr, "utfall fuzz finding: %s\n", what.c_str());
  std::abort();
}

// A string the library returned, freed on scope exit.
struct Owned {
  char* text = nullptr;
  ~Owned() { utfall_free(text); }
  std::string str() const { return text ? text : ""; }
};

void check_status(utfall_status s, const char* messages = nullptr) {
  switch (s) {
    case UTFALL_OK: case UTFALL_CONTRACT_ERROR: case UTFALL_DATA_ERROR: case UTFALL_EVALUATION_ERROR: case UTFALL_LIMIT:
    case UTFALL_INVALID_ARGUMENT: return;
    case UTFALL_INTERNAL_ERROR: finding(std::string("UTFALL_INTERNAL_ERROR: ") + (messages ? messages : ""));
    case UTFALL_OUT_OF_MEMORY: return;  // the allocator may refuse under -rss_limit_mb
  }
  finding("a status that is not documented: " + std::to_string(static_cast<int>(s)));
}

// Messages: a JSON array; each error says where (a file and line, or a location) and none is internal.
void check_messages(const std::string& text) {
  if (text.empty()) return;
  json messages = json::parse(text, nullptr, false);
  if (!messages.is_array()) finding("messages that are not a JSON array: " + text.substr(0, 200));
  for (const auto& m : messages) {
    std::string code = m.value("code", "");
    if (code.empty() || m.value("message", "").empty()) finding("a message without code or text: " + m.dump());
    if (code[0] == 'E' && code.size() > 1 && code[1] == '9') finding("an internal message: " + m.dump());
    if (m.value("severity", "") == "error" && !m.contains("file") && !m.contains("location"))
      finding("an error that does not say where: " + m.dump());
  }
}

// `count` units of 10^-places as the exact decimal text the API writes ("-12.50").
std::string decimal_text(std::int64_t count, int places) {
  bool negative = count < 0;
  std::string digits = std::to_string(count);
  if (negative) digits.erase(0, 1);
  if (places > 0) {
    if (digits.size() <= static_cast<std::size_t>(places)) digits.insert(0, places + 1 - digits.size(), '0');
    digits.insert(digits.size() - places, ".");
  }
  return negative ? "-" + digits : digits;
}

// The configuration as fuzzed, with the work limits lowered and files_dir set (see the top).
std::string fuzz_config(std::string_view fuzzed) {
  json config = json::parse(fuzzed, nullptr, false);
  if (!config.is_object()) config = json::object();
  auto lower = [&](const char* key, std::uint64_t most) {
    auto it = config.find(key);
    if (it == config.end() || !it->is_number_unsigned() || it->get<std::uint64_t>() > most) config[key] = most;
  };
  lower("max_steps", 2'000'000);
  lower("max_work", 20'000'000);
  lower("max_digits", 2'000);
  lower("max_source_bytes", 1 << 20);
  lower("max_data_bytes", 4 << 20);
  lower("max_participants", 100'000);
  config["files_dir"] = UTFALL_SOURCE_DIR "/tests/fuzz/files";
  return config.dump();
}

// The payments' periods, parties and amounts of a result JSON ("" when it has none).
std::vector<std::string> payments_of(const std::string& result_text) {
  json result = json::parse(result_text, nullptr, false);
  if (result.is_discarded() || !result.is_object()) finding("a result that is not a JSON object: " + result_text.substr(0, 200));
  check_messages(result.value("messages", json::array()).dump());
  std::vector<std::string> out;
  for (const auto& p : result.value("payments", json::array()))
    out.push_back(p.value("period", "") + " " + p.value("from", "") + "->" + p.value("to", "") + " " + p.value("amount", ""));
  return out;
}

void one_input(std::string_view input) {
  std::string_view parts[4];
  for (int i = 0; i < 3; ++i) {
    auto end = input.find('\n');
    parts[i] = input.substr(0, end);
    input.remove_prefix(end == std::string_view::npos ? input.size() : end + 1);
  }
  parts[3] = input;
  const std::string options(parts[1]), data(parts[2]);

  utfall_engine* engine = nullptr;
  Owned messages;
  {  // the configuration exactly as fuzzed: accepted (limits clamped) or refused with messages
    std::string raw(parts[0]);
    utfall_status s = utfall_engine_new(raw.c_str(), &engine, &messages.text);
    check_status(s, messages.text);
    check_messages(messages.str());
    if ((s == UTFALL_OK) != (engine != nullptr)) finding("utfall_engine_new: status and engine disagree");
    utfall_engine_free(engine);
    engine = nullptr;
  }
  Owned config_messages;
  if (utfall_engine_new(fuzz_config(parts[0]).c_str(), &engine, &config_messages.text) != UTFALL_OK) return;

  utfall_contract* contract = nullptr;
  Owned compile_messages;
  utfall_status compiled = utfall_compile(engine, parts[3].data(), parts[3].size(), "fuzz.utfall", &contract, &compile_messages.text);
  check_status(compiled, compile_messages.text);
  check_messages(compile_messages.str());
  if (contract) {
    Owned contract_json{utfall_contract_json(contract)};
    if (json::parse(contract_json.str(), nullptr, false).is_discarded()) finding("contract JSON that does not parse");

    Owned with_options, plain;
    check_status(utfall_evaluate_json(engine, contract, data.c_str(), options.c_str(), &with_options.text));
    payments_of(with_options.str());
    utfall_status by_json = utfall_evaluate_json(engine, contract, data.c_str(), nullptr, &plain.text);
    check_status(by_json);
    auto json_payments = payments_of(plain.str());

    // The same data as a document, bound, evaluated and run through a Batch.
    utfall_data* set = utfall_data_new();
    utfall_data_add_document(set, "data.json", "json", data.data(), data.size());
    utfall_bound* bound = nullptr;
    Owned bind_messages;
    utfall_status bind = utfall_bind(engine, contract, set, &bound, &bind_messages.text);
    check_status(bind, bind_messages.text);
    check_messages(bind_messages.str());
    utfall_data_free(set);
    if (bound) {
      utfall_result* result = nullptr;
      utfall_status evaluated = utfall_evaluate(engine, contract, bound, nullptr, &result);
      check_status(evaluated);
      if (!result) finding("utfall_evaluate gave no result on bound data");
      Owned result_json{utfall_result_json(result)};
      auto bound_payments = payments_of(result_json.str());
      if (by_json == UTFALL_OK && evaluated == UTFALL_OK && bound_payments != json_payments)
        finding("utfall_evaluate_json and utfall_bind + utfall_evaluate pay differently");
      utfall_batch* batch = nullptr;
      if (utfall_batch_new(engine, contract, &batch) == UTFALL_OK) {
        const utfall_bound* sets[2] = {bound, bound};
        if (utfall_batch_evaluate(batch, sets, 2) != UTFALL_OK) finding("utfall_batch_evaluate refused two bound sets");
        for (std::size_t i = 0; i < 2; ++i) {
          Owned batch_messages{utfall_batch_messages_json(batch, i)};
          check_messages(batch_messages.str());
          utfall_status b = utfall_batch_status(batch, i);
          check_status(b);
          if (evaluated != UTFALL_OK || b != UTFALL_OK) continue;
          if (utfall_batch_line_count(batch) != utfall_result_payment_count(result)) finding("a Batch pays other lines than utfall_evaluate");
          const std::int64_t* amounts = utfall_batch_amounts(batch, i);
          for (std::size_t k = 0; k < utfall_batch_line_count(batch); ++k) {
            utfall_payment p;
            if (utfall_result_payment(result, k, &p) != UTFALL_OK) finding("utfall_result_payment refused an index in range");
            if (decimal_text(amounts[k], utfall_batch_places(batch)) != p.amount)
              finding("a Batch amount differs from utfall_evaluate's: " + std::string(p.amount));
          }
        }
      }
      utfall_batch_free(batch);
      utfall_result_free(result);
      utfall_bound_free(bound);
    }
  }
  utfall_contract_free(contract);
  utfall_engine_free(engine);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // A host's thread of 256 KiB: the API must run every stage within it, or on a thread of its own.
  struct Call {
    std::string_view input;
  } call{{reinterpret_cast<const char*>(data), size}};
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, std::size_t{256} << 10);
  pthread_t thread;
  auto body = [](void* p) -> void* {
    one_input(static_cast<Call*>(p)->input);
    return nullptr;
  };
  if (pthread_create(&thread, &attr, body, &call) != 0) finding("no thread of 256 KiB could be started");
  pthread_join(thread, nullptr);
  pthread_attr_destroy(&attr);
  return 0;
}
