/* A C host: compiles a contract once, binds a data file, evaluates, prints the payments.
 *   example CONTRACT DATA.csv [TERM VALUE]...
 * Exit status: the utfall status of the first thing that failed (0 when all went well). */
#include <utfall/utfall.h>

#include <stdio.h>

static int fail(const char* what, utfall_status status, char* messages) {
  fprintf(stderr, "%s: %s\n%s\n", what, utfall_status_name(status), messages ? messages : "");
  utfall_free(messages);
  return (int)status;
}

int main(int argc, char** argv) {
  if (argc < 3 || argc % 2 == 0) {
    fprintf(stderr, "usage: %s CONTRACT DATA.csv [TERM VALUE]...\n", argv[0]);
    return 64;
  }
  char* messages = NULL;
  utfall_engine* engine = NULL;
  utfall_status status = utfall_engine_new(NULL, &engine, NULL);
  if (status != UTFALL_OK) return fail("engine", status, NULL);

  utfall_contract* contract = NULL;  /* ours to free */
  status = utfall_compile_file(engine, argv[1], &contract, &messages);
  if (status != UTFALL_OK) return fail(argv[1], status, messages);
  utfall_free(messages);

  utfall_data* data = utfall_data_new();
  utfall_data_add_file(data, argv[2]);
  utfall_bound* bound = NULL;
  status = utfall_bind(engine, contract, data, &bound, &messages);
  utfall_data_free(data);
  if (status != UTFALL_OK) return fail(argv[2], status, messages);
  utfall_free(messages);

  utfall_options* options = utfall_options_new();
  for (int i = 3; i + 1 < argc; i += 2) utfall_options_set_term(options, argv[i], argv[i + 1]);
  utfall_result* result = NULL;
  status = utfall_evaluate(engine, contract, bound, options, &result);
  utfall_options_free(options);
  if (status != UTFALL_OK) return fail("evaluation", status, utfall_result_messages_json(result));

  for (size_t i = 0; i < utfall_result_payment_count(result); ++i) {
    utfall_payment p;  /* strings borrowed from the result */
    utfall_result_payment(result, i, &p);
    printf("%s %s -> %s %s (clause %s)\n", p.period, p.from, p.to, p.amount, p.clause);
  }
  for (size_t i = 0; i < utfall_result_total_count(result); ++i) {
    utfall_total t;
    utfall_result_total(result, i, &t);
    printf("total %s -> %s %s\n", t.from, t.to, t.amount);
  }
  utfall_result_free(result);
  utfall_bound_free(bound);
  utfall_contract_free(contract);
  utfall_engine_free(engine);
  return 0;
}
