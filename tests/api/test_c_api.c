/* The C API from C: scenario A through handles and through JSON, status codes, ownership.
 * Expected payments from the scenario tables (scenario A, data sets "plan" and "messy"), and
 * for premieandel = 25 % worked out by hand in tests/api/test_api.cpp. Also what files the API
 * reads: only regular ones (a FIFO is refused, not waited on), within the size limit counted
 * on the bytes read, and through the options' `files` only inside the engine's `files_dir`. */
#define _POSIX_C_SOURCE 200809L /* mkdtemp, mkfifo */
#include <utfall/utfall.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int failures = 0;
#define EXPECT(cond)                                                    \
  do {                                                                  \
    if (!(cond)) {                                                      \
      fprintf(stderr, "%s:%d: FAILED: %s\n", __FILE__, __LINE__, #cond); \
      ++failures;                                                       \
    }                                                                   \
  } while (0)

static const char* years[] = {"2025", "2026", "2027", "2028", "2029"};
static const char* cost[] = {"200000000", "190000000", "170000000", "150000000", "140000000"};
/* The repayment starts in 2027: three payments. */
static const char* paid_years[] = {"2027", "2028", "2029"};
static const char* paid[] = {"26700000.00", "8300000.00", "7000000.00"};

int main(void) {
  char* messages = NULL;
  utfall_engine* engine = NULL;
  EXPECT(utfall_engine_new("{\"max_steps\": 1000000}", &engine, &messages) == UTFALL_OK);
  EXPECT(messages && strcmp(messages, "[]") == 0);
  utfall_free(messages);

  /* A malformed configuration is refused with a message, and no engine. */
  utfall_engine* bad = (utfall_engine*)1;
  EXPECT(utfall_engine_new("{\"max_stepz\": 1}", &bad, &messages) == UTFALL_INVALID_ARGUMENT);
  EXPECT(bad == NULL);
  EXPECT(messages && strstr(messages, "max_stepz") != NULL);
  EXPECT(messages && strstr(messages, "\"code\":\"E511\"") && strstr(messages, "\"location\":\"configuration\""));
  utfall_free(messages);
  EXPECT(utfall_engine_new("[1,", &bad, NULL) == UTFALL_INVALID_ARGUMENT);
  /* Not JSON: E510 at the configuration (an empty text too). */
  EXPECT(utfall_engine_new("", &bad, &messages) == UTFALL_INVALID_ARGUMENT);
  EXPECT(messages && strstr(messages, "\"code\":\"E510\"") && strstr(messages, "\"location\":\"configuration\""));
  EXPECT(messages && !strstr(messages, "json.exception"));
  utfall_free(messages);
  EXPECT(utfall_engine_new("{\"max_digits\": 1e400}", &bad, &messages) == UTFALL_INVALID_ARGUMENT);
  EXPECT(messages && strstr(messages, "\"code\":\"E510\"") && strstr(messages, "number overflow parsing '1e400'"));
  utfall_free(messages);
  {
    char* out = NULL;
    utfall_engine* plain = NULL;
    EXPECT(utfall_engine_new(NULL, &plain, NULL) == UTFALL_OK);
    const char* tiny = "contract \"t\"\ncurrency SEK\nparty a\nperiods yearly 2025 .. 2025\n";
    utfall_contract* compiled = NULL;
    EXPECT(utfall_compile(plain, tiny, strlen(tiny), "t.utfall", &compiled, NULL) == UTFALL_OK);
    EXPECT(utfall_evaluate_json(plain, compiled, "{}", "{\"time_limit_ms\": 1e400}", &out) == UTFALL_INVALID_ARGUMENT);
    EXPECT(out && strstr(out, "\"code\":\"E510\"") && strstr(out, "\"location\":\"options\""));
    utfall_free(out);
    utfall_contract_free(compiled);
    utfall_engine_free(plain);
  }
  /* A key from a host's user is quoted escaped: ESC [2J (clear screen) as the text \x1b[2J, in
   * JSON "\\x1b[2J"; a key of 5000 characters cut to 40 and an ellipsis. */
  EXPECT(utfall_engine_new("{\"\\u001b[2J\": 1}", &bad, &messages) == UTFALL_INVALID_ARGUMENT);
  EXPECT(messages && strstr(messages, "`\\\\x1b[2J` is not a limit") && !strstr(messages, "\\u001b"));
  utfall_free(messages);
  {
    char long_key[5100];
    strcpy(long_key, "{\"");
    memset(long_key + 2, 'k', 5000);
    strcpy(long_key + 5002, "\": 1}");
    EXPECT(utfall_engine_new(long_key, &bad, &messages) == UTFALL_INVALID_ARGUMENT);
    EXPECT(messages && strstr(messages, "`kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk…` is not a limit"));
    EXPECT(messages && strlen(messages) < 1000);
    utfall_free(messages);
  }

  /* Compile errors come back as a status and messages. */
  utfall_contract* contract = NULL;
  const char* wrong = "contract \"t\"\ncurrency SEK\nparty a\nperiods yearly 2025 .. 2025\nterm x = 1 SEK + 2\n";
  EXPECT(utfall_compile(engine, wrong, strlen(wrong), "wrong.utfall", &contract, &messages) == UTFALL_CONTRACT_ERROR);
  EXPECT(contract == NULL);
  EXPECT(messages && strstr(messages, "\"file\":\"wrong.utfall\"") && strstr(messages, "\"line\":5"));
  utfall_free(messages);

  EXPECT(utfall_compile_file(engine, UTFALL_SOURCE_DIR "/examples/a-aldreomsorg/contract.utfall", &contract, NULL) == UTFALL_OK);
  if (!contract) return 1;
  char* info = utfall_contract_json(contract);
  EXPECT(info && strstr(info, "\"name\":\"premieandel\"") && strstr(info, "\"value\":\"0.3\""));
  utfall_free(info);

  /* Data through handles. */
  utfall_data* data = utfall_data_new();
  for (int t = 0; t < 5; ++t) {
    EXPECT(utfall_data_set(data, "hemtjanst_kostnad", years[t], cost[t]) == UTFALL_OK);
    EXPECT(utfall_data_set(data, "avropat", years[t], "7000000") == UTFALL_OK);
  }
  utfall_bound* bound = NULL;
  EXPECT(utfall_bind(engine, contract, data, &bound, NULL) == UTFALL_OK);
  utfall_data_free(data);  /* the bound data keeps its own copy */

  utfall_result* result = NULL;
  EXPECT(utfall_evaluate(engine, contract, bound, NULL, &result) == UTFALL_OK);
  EXPECT(utfall_result_payment_count(result) == 3);
  for (size_t i = 0; i < utfall_result_payment_count(result); ++i) {
    utfall_payment p;
    EXPECT(utfall_result_payment(result, i, &p) == UTFALL_OK);
    EXPECT(strcmp(p.period, paid_years[i]) == 0);
    EXPECT(strcmp(p.from, "kommun") == 0 && strcmp(p.to, "utfallsfonden") == 0);
    EXPECT(strcmp(p.amount, paid[i]) == 0);
    EXPECT(strcmp(p.clause, "3.2") == 0);
    EXPECT(strcmp(utfall_result_payment_currency(result, i), "SEK") == 0);
  }
  EXPECT(utfall_result_payment_currency(result, 3) == NULL);
  utfall_total total;
  EXPECT(utfall_result_total_count(result) == 1);
  EXPECT(utfall_result_total(result, 0, &total) == UTFALL_OK && strcmp(total.amount, "42000000.00") == 0);
  EXPECT(strcmp(utfall_result_total_currency(result, 0), "SEK") == 0 && utfall_result_total_currency(result, 1) == NULL);
  utfall_payment none;
  EXPECT(utfall_result_payment(result, 3, &none) == UTFALL_INVALID_ARGUMENT);
  utfall_result_free(result);

  /* A what-if on the same bound data. */
  utfall_options* options = utfall_options_new();
  EXPECT(utfall_options_set_term(options, "premieandel", "25 %") == UTFALL_OK);
  EXPECT(utfall_evaluate(engine, contract, bound, options, &result) == UTFALL_OK);
  utfall_payment p2027;
  EXPECT(utfall_result_payment(result, 0, &p2027) == UTFALL_OK && strcmp(p2027.amount, "25750000.00") == 0);
  utfall_result_free(result);
  utfall_options_free(options);

  /* A limit: another engine with few steps; the result says why. */
  utfall_engine* tight = NULL;
  EXPECT(utfall_engine_new("{\"max_steps\": 20}", &tight, NULL) == UTFALL_OK);
  EXPECT(utfall_evaluate(tight, contract, bound, NULL, &result) == UTFALL_LIMIT);
  EXPECT(utfall_result_status(result) == UTFALL_LIMIT);
  EXPECT(utfall_result_payment_count(result) == 0);
  messages = utfall_result_messages_json(result);
  EXPECT(messages && strstr(messages, "E705"));
  utfall_free(messages);
  utfall_result_free(result);
  utfall_engine_free(tight);

  /* A host's cancel, requested (here before the call; tests/api/test_work.cpp requests it from
   * another thread): the evaluation stops with E712, a limit. */
  utfall_cancel* cancel = utfall_cancel_new();
  options = utfall_options_new();
  EXPECT(cancel && options);
  EXPECT(utfall_options_set_cancel(options, cancel) == UTFALL_OK);
  EXPECT(utfall_options_set_time_limit(options, 60000) == UTFALL_OK);
  utfall_cancel_free(cancel); /* the options share the flag */
  EXPECT(utfall_evaluate(engine, contract, bound, options, &result) == UTFALL_OK);
  utfall_result_free(result);
  cancel = utfall_cancel_new();
  EXPECT(utfall_options_set_cancel(options, cancel) == UTFALL_OK);
  utfall_cancel_request(cancel);
  EXPECT(utfall_evaluate(engine, contract, bound, options, &result) == UTFALL_LIMIT);
  messages = utfall_result_messages_json(result);
  EXPECT(messages && strstr(messages, "E712") && strstr(messages, "cancelled"));
  utfall_free(messages);
  utfall_result_free(result);
  utfall_options_free(options);
  utfall_cancel_free(cancel);

  /* JSON in, JSON out: the "messy" data set, JSON numbers keeping their digits. */
  const char* messy =
      "{\"perioder\": ["
      "{\"period\": \"2025\", \"hemtjanst_kostnad\": 199876543.21, \"avropat\": 7000000},"
      "{\"period\": \"2026\", \"hemtjanst_kostnad\": 191234567.89, \"avropat\": 7000000},"
      "{\"period\": \"2027\", \"hemtjanst_kostnad\": \"172499999.95\", \"avropat\": 7000000},"
      "{\"period\": \"2028\", \"hemtjanst_kostnad\": 158333333.33, \"avropat\": 7000000},"
      "{\"period\": \"2029\", \"hemtjanst_kostnad\": 141000000.01, \"avropat\": 7000000}]}";
  char* out = NULL;
  EXPECT(utfall_evaluate_json(engine, contract, messy, NULL, &out) == UTFALL_OK);
  EXPECT(out && strstr(out, "\"amount\":\"25616666.68\"") && strstr(out, "\"amount\":\"9383333.32\""));
  utfall_free(out);
  EXPECT(utfall_evaluate_json(engine, contract, messy, "{\"terms\": {\"premieandel\": 0.25}}", &out) == UTFALL_INVALID_ARGUMENT);
  EXPECT(out && strstr(out, "premieandel"));
  utfall_free(out);
  EXPECT(utfall_evaluate_json(engine, contract, messy, "{\"\\u001b]0;x\\u0007\": 1}", &out) == UTFALL_INVALID_ARGUMENT);
  EXPECT(out && strstr(out, "`\\\\x1b]0;x\\\\x07` is not an option") && !strstr(out, "\\u001b"));
  utfall_free(out);
  EXPECT(utfall_evaluate_json(engine, contract, "{\"perioder\": [{\"period\": \"2025\"", NULL, &out) == UTFALL_DATA_ERROR);
  EXPECT(out && strstr(out, "E510"));
  utfall_free(out);
  /* The options may come from the host's users: `files` reads nothing unless the engine was
   * given a folder, and then only inside it. */
  EXPECT(utfall_evaluate_json(engine, contract, NULL,
                              "{\"files\": [\"" UTFALL_SOURCE_DIR "/examples/a-aldreomsorg/plan.csv\"]}", &out) == UTFALL_INVALID_ARGUMENT);
  EXPECT(out && strstr(out, "files_dir") && !strstr(out, "26700000.00"));
  utfall_free(out);
  utfall_engine* reader = NULL;
  EXPECT(utfall_engine_new("{\"files_dir\": \"" UTFALL_SOURCE_DIR "/examples/a-aldreomsorg\"}", &reader, NULL) == UTFALL_OK);
  EXPECT(utfall_evaluate_json(reader, contract, NULL, "{\"files\": [\"plan.csv\"]}", &out) == UTFALL_OK);
  EXPECT(out && strstr(out, "\"amount\":\"26700000.00\""));
  utfall_free(out);
  EXPECT(utfall_evaluate_json(reader, contract, NULL, "{\"files\": [\"../b-placeringar/plan.csv\"]}", &out) == UTFALL_INVALID_ARGUMENT);
  EXPECT(out && strstr(out, "`..` component"));
  utfall_free(out);
  EXPECT(utfall_evaluate_json(reader, contract, NULL, "{\"files\": [\"/etc/passwd\"]}", &out) == UTFALL_INVALID_ARGUMENT);
  EXPECT(out && strstr(out, "absolute path") && !strstr(out, "root:"));
  utfall_free(out);
  utfall_engine_free(reader);
  EXPECT(utfall_engine_new("{\"files_dir\": 1}", &reader, NULL) == UTFALL_INVALID_ARGUMENT && reader == NULL);

  /* A FIFO is not a file to read: refused at once, as a contract and as data (before: blocked
   * for ever waiting for a writer). */
  char folder[] = "/tmp/utfall-c-api-XXXXXX";
  if (mkdtemp(folder)) {
    char fifo[64], fifo_csv[64];
    snprintf(fifo, sizeof fifo, "%s/pipe.utfall", folder);
    snprintf(fifo_csv, sizeof fifo_csv, "%s/pipe.csv", folder);
    EXPECT(mkfifo(fifo, 0600) == 0 && mkfifo(fifo_csv, 0600) == 0);
    utfall_contract* none = NULL;
    EXPECT(utfall_compile_file(engine, fifo, &none, &messages) == UTFALL_DATA_ERROR && none == NULL);
    EXPECT(messages && strstr(messages, "E801") && strstr(messages, "FIFO"));
    utfall_free(messages);
    utfall_data* piped = utfall_data_new();
    EXPECT(utfall_data_add_file(piped, fifo_csv) == UTFALL_OK);
    utfall_bound* nothing = NULL;
    EXPECT(utfall_bind(engine, contract, piped, &nothing, &messages) == UTFALL_DATA_ERROR && nothing == NULL);
    EXPECT(messages && strstr(messages, "E801") && strstr(messages, "FIFO"));
    utfall_free(messages);
    utfall_data_free(piped);
    unlink(fifo);
    unlink(fifo_csv);
    rmdir(folder);
  } else {
    EXPECT(!"a temporary folder");
  }
  /* /proc/self/status stats as 0 bytes but holds more than 100: the limit counts what is read. */
  utfall_engine* small = NULL;
  EXPECT(utfall_engine_new("{\"max_source_bytes\": 100}", &small, NULL) == UTFALL_OK);
  utfall_contract* proc = NULL;
  EXPECT(utfall_compile_file(small, "/proc/self/status", &proc, &messages) == UTFALL_LIMIT && proc == NULL);
  EXPECT(messages && strstr(messages, "E701") && strstr(messages, "holds more than the limit of 100 bytes"));
  utfall_free(messages);
  utfall_engine_free(small);

  /* NULL handles are refused, never dereferenced. */
  EXPECT(utfall_evaluate(NULL, contract, bound, NULL, &result) == UTFALL_INVALID_ARGUMENT && result == NULL);
  utfall_bound* other = NULL;
  EXPECT(utfall_bind(engine, NULL, NULL, &other, NULL) == UTFALL_INVALID_ARGUMENT && other == NULL);
  EXPECT(utfall_data_set(NULL, "a", "b", "c") == UTFALL_INVALID_ARGUMENT);
  EXPECT(utfall_contract_json(NULL) == NULL);

  /* A batch: amounts as integers, per set; a set bound for another contract fails alone. */
  utfall_contract* again = NULL;
  EXPECT(utfall_compile_file(engine, UTFALL_SOURCE_DIR "/examples/a-aldreomsorg/contract.utfall", &again, NULL) == UTFALL_OK);
  utfall_data* plan = utfall_data_new();
  EXPECT(utfall_data_add_file(plan, UTFALL_SOURCE_DIR "/examples/a-aldreomsorg/plan.csv") == UTFALL_OK);
  utfall_bound* foreign = NULL;
  EXPECT(utfall_bind(engine, again, plan, &foreign, NULL) == UTFALL_OK);
  utfall_data_free(plan);
  utfall_contract_free(again);  /* the bound data keeps what it needs */
  utfall_batch* batch = NULL;
  EXPECT(utfall_batch_new(engine, NULL, &batch) == UTFALL_INVALID_ARGUMENT && batch == NULL);
  EXPECT(utfall_batch_new(engine, contract, &batch) == UTFALL_OK);
  EXPECT(utfall_batch_places(batch) == 2);
  EXPECT(utfall_batch_line_count(batch) == 3);
  for (size_t k = 0; k < utfall_batch_line_count(batch); ++k) {
    utfall_line line;
    EXPECT(utfall_batch_line(batch, k, &line) == UTFALL_OK);
    EXPECT(strcmp(line.period, paid_years[k]) == 0 && strcmp(line.to, "utfallsfonden") == 0 && strcmp(line.rule, "aterbetalning") == 0);
    EXPECT(strcmp(utfall_batch_line_currency(batch, k), "SEK") == 0);
  }
  EXPECT(utfall_batch_line_currency(batch, 3) == NULL);
  const utfall_bound* sets[3] = {bound, foreign, bound};
  EXPECT(utfall_batch_evaluate(batch, sets, 3) == UTFALL_OK);
  EXPECT(utfall_batch_size(batch) == 3);
  for (size_t i = 0; i < 3; i += 2) {
    const int64_t* ore = utfall_batch_amounts(batch, i);
    EXPECT(utfall_batch_status(batch, i) == UTFALL_OK);
    EXPECT(ore && ore[0] == 2670000000 && ore[1] == 830000000 && ore[2] == 700000000);  /* paid[], in öre */
  }
  EXPECT(utfall_batch_status(batch, 1) == UTFALL_DATA_ERROR);
  EXPECT(utfall_batch_amounts(batch, 1)[0] == 0);
  messages = utfall_batch_messages_json(batch, 1);
  EXPECT(messages && strstr(messages, "\"code\":\"E532\"") && strstr(messages, "data set 1"));
  utfall_free(messages);
  messages = utfall_batch_messages_json(batch, 0);
  EXPECT(messages && strcmp(messages, "[]") == 0);
  utfall_free(messages);
  EXPECT(utfall_batch_amounts(batch, 3) == NULL && utfall_batch_status(batch, 3) == UTFALL_INVALID_ARGUMENT);
  /* A cancel requested before the batch: no set is evaluated, each is E712 (UTFALL_LIMIT). */
  utfall_options* stopping = utfall_options_new();
  utfall_cancel* stop = utfall_cancel_new();
  EXPECT(utfall_options_set_cancel(stopping, stop) == UTFALL_OK);
  utfall_cancel_request(stop);
  sets[1] = bound;
  EXPECT(utfall_batch_evaluate_with(batch, sets, 3, stopping) == UTFALL_OK && utfall_batch_size(batch) == 3);
  for (size_t i = 0; i < 3; ++i) EXPECT(utfall_batch_status(batch, i) == UTFALL_LIMIT && utfall_batch_amounts(batch, i)[0] == 0);
  messages = utfall_batch_messages_json(batch, 2);
  EXPECT(messages && strstr(messages, "\"code\":\"E712\"") && strstr(messages, "data sets 0 to 2"));
  utfall_free(messages);
  EXPECT(utfall_batch_evaluate_with(batch, sets, 3, NULL) == UTFALL_OK && utfall_batch_status(batch, 1) == UTFALL_OK);
  EXPECT(utfall_options_set_trace(stopping, 1) == UTFALL_OK);
  EXPECT(utfall_batch_evaluate_with(batch, sets, 3, stopping) == UTFALL_INVALID_ARGUMENT && utfall_batch_size(batch) == 0);
  utfall_cancel_free(stop);
  utfall_options_free(stopping);
  sets[1] = NULL;
  EXPECT(utfall_batch_evaluate(batch, sets, 3) == UTFALL_INVALID_ARGUMENT && utfall_batch_size(batch) == 0);
  utfall_batch_free(batch);
  utfall_batch_free(NULL);
  utfall_bound_free(foreign);

  utfall_bound_free(bound);
  utfall_contract_free(contract);
  utfall_engine_free(engine);
  utfall_engine_free(NULL);
  if (failures) fprintf(stderr, "%d failed\n", failures);
  else printf("c api: all passed\n");
  return failures ? 1 : 0;
}
