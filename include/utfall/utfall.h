/* utfall: the C API, a thin layer over the C++ one (utfall.hpp) for any language with a C FFI
 * (Python ctypes, Rust, Go, C#).
 *
 * Rules that hold for every function here:
 *   - No exception crosses this boundary; out of memory is UTFALL_OUT_OF_MEMORY.
 *   - A function returns a `utfall_status`, or a pointer that is NULL on failure.
 *   - Handles are opaque. What a `*_new`, `utfall_compile*` or `utfall_bind` gives is owned by
 *     the caller and freed with the matching `*_free` (which accepts NULL). Strings returned as
 *     `char*` are owned by the caller and freed with `utfall_free`. Strings returned as
 *     `const char*` (or inside a struct) are borrowed: valid until the handle they came from
 *     is freed.
 *   - Strings passed in are UTF-8, NUL-terminated unless a length is given, and only read
 *     during the call; the library keeps its own copies.
 *   - Numbers cross as exact decimal text ("26700000.00", "0.3"), never as floating point.
 *   - Engines, contracts and bound data are immutable after creation: any number of threads
 *     may compile, bind and evaluate with them at once. A `utfall_data` or `utfall_options`
 *     being filled in, and a `utfall_result`, belong to one thread at a time.
 *   - `messages_json` out-parameters may be NULL; when not NULL they receive a JSON array of
 *     messages (docs/embedding.md, "messages JSON"), or "[]", to free with `utfall_free`.
 */
#ifndef UTFALL_H
#define UTFALL_H

#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32)
#define UTFALL_API
#else
#define UTFALL_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* The outcome of a call. The values are the exit codes of the `utfall` command. */
typedef enum utfall_status {
  UTFALL_OK = 0,
  UTFALL_CONTRACT_ERROR = 2,    /* the contract does not parse or check (E1xx-E4xx) */
  UTFALL_DATA_ERROR = 3,        /* data missing, malformed or not fitting the declarations (E5xx, E8xx) */
  UTFALL_EVALUATION_ERROR = 4,  /* evaluation failed on the data: division by zero, ... (E6xx) */
  UTFALL_LIMIT = 5,             /* a configured limit was reached (E7xx) */
  UTFALL_INVALID_ARGUMENT = 64, /* a NULL handle, malformed options or configuration JSON */
  UTFALL_INTERNAL_ERROR = 70,   /* a bug in utfall */
  UTFALL_OUT_OF_MEMORY = 71
} utfall_status;

typedef struct utfall_engine utfall_engine;
typedef struct utfall_contract utfall_contract;
typedef struct utfall_data utfall_data;
typedef struct utfall_bound utfall_bound;
typedef struct utfall_options utfall_options;
typedef struct utfall_result utfall_result;
typedef struct utfall_batch utfall_batch;
typedef struct utfall_cancel utfall_cancel;

/* utfall's version: the text after "utfall " in `utfall --version` (three numbers, such as "1.2.3"). Static; do not free. */
UTFALL_API const char* utfall_version(void);
/* "ok", "contract error", ... Static; do not free. */
UTFALL_API const char* utfall_status_name(utfall_status status);
/* Frees a string this library returned as `char*`. NULL is fine. */
UTFALL_API void utfall_free(void* string);

/* ---- engine ---- */

/* Creates an engine. `config_json` may be NULL (defaults) or an object of limits, every key
 * optional: {"max_nesting": 200, "max_source_bytes": 67108864, "max_digits": 10000,
 * "max_steps": 200000000, "max_work": 1000000000, "max_data_bytes": 268435456, "max_participants": 10000000}, and
 * "files_dir": "/srv/utfall/data", the folder whose files the `files` option of
 * utfall_evaluate_json may read (absent, the default: that option is refused, since options
 * may come from the host's users). On success *out is a new engine the caller frees with
 * utfall_engine_free. */
UTFALL_API utfall_status utfall_engine_new(const char* config_json, utfall_engine** out, char** messages_json);
UTFALL_API void utfall_engine_free(utfall_engine* engine);

/* ---- contracts ---- */

/* Parses and checks `length` bytes of contract text; `name` (may be NULL) labels it in messages.
 * On success *out is a new contract (free with utfall_contract_free); else *out is NULL and the
 * status and messages say why. Warnings come with UTFALL_OK. The contract does not refer to the
 * engine: either may be freed first. */
UTFALL_API utfall_status utfall_compile(const utfall_engine* engine, const char* source, size_t length, const char* name,
                                        utfall_contract** out, char** messages_json);
/* The same for a contract file read from `path`: a regular file only (a directory, a FIFO, a
 * device or a socket is UTFALL_DATA_ERROR, E801, without waiting on it), its size counted on
 * the bytes read (UTFALL_LIMIT, E701, past max_source_bytes). */
UTFALL_API utfall_status utfall_compile_file(const utfall_engine* engine, const char* path, utfall_contract** out,
                                             char** messages_json);
UTFALL_API void utfall_contract_free(utfall_contract* contract);
/* The contract's parties, periods, inputs (types, units, fields), terms with their values, and
 * clauses as JSON (docs/embedding.md, "contract JSON"). Caller frees with utfall_free; NULL when
 * out of memory or contract is NULL. */
UTFALL_API char* utfall_contract_json(const utfall_contract* contract);

/* ---- data supplied by the host ---- */

/* An empty data set to fill in; free with utfall_data_free. NULL when out of memory. */
UTFALL_API utfall_data* utfall_data_new(void);
UTFALL_API void utfall_data_free(utfall_data* data);
/* The value of a series input in one period, as text ("7000000", "92 %", "true"). */
UTFALL_API utfall_status utfall_data_set(utfall_data* data, const char* input, const char* period, const char* value);
/* The fields of a participant input's records, in the order later records give their values. */
UTFALL_API utfall_status utfall_data_set_fields(utfall_data* data, const char* input, const char* const* fields, size_t count);
/* One record of a participant input: `count` values in the order of its fields. */
UTFALL_API utfall_status utfall_data_add_record(utfall_data* data, const char* input, const char* const* values, size_t count);
/* A data file (CSV or JSON, by extension) that utfall_bind reads: a regular file only (as
 * utfall_compile_file), within max_data_bytes counted on the bytes read. Besides the `files`
 * option within `files_dir`, nothing else reads files. */
UTFALL_API utfall_status utfall_data_add_file(utfall_data* data, const char* path);
/* A data-file text held in memory: `format` is "csv" or "json"; `label` names it in messages. */
UTFALL_API utfall_status utfall_data_add_document(utfall_data* data, const char* label, const char* format, const char* text,
                                                  size_t length);

/* Reads and checks `data` against the contract's inputs. On success *out is new bound data
 * (free with utfall_bound_free) that any number of evaluations, in any threads, may share.
 * `data` may be freed or refilled afterwards. */
UTFALL_API utfall_status utfall_bind(const utfall_engine* engine, const utfall_contract* contract, const utfall_data* data,
                                     utfall_bound** out, char** messages_json);
UTFALL_API void utfall_bound_free(utfall_bound* bound);

/* ---- evaluation ---- */

/* Options of an evaluation: term overrides and the trace. Free with utfall_options_free. */
UTFALL_API utfall_options* utfall_options_new(void);
UTFALL_API void utfall_options_free(utfall_options* options);
/* Overrides a term with an expression of its type ("25 %", "6_000_000 SEK"). */
UTFALL_API utfall_status utfall_options_set_term(utfall_options* options, const char* term, const char* value);
/* Non-zero: record the explanation of every payment (in utfall_result_json under "traces"). */
UTFALL_API utfall_status utfall_options_set_trace(utfall_options* options, int trace);
/* Ends an evaluation that runs longer than `milliseconds` (0: no limit) with E712
 * (UTFALL_LIMIT), on the general evaluator; the fixed-point path ends within its step bound. */
UTFALL_API utfall_status utfall_options_set_time_limit(utfall_options* options, uint64_t milliseconds);
/* Evaluations with these options stop (E712, UTFALL_LIMIT) once `cancel` is requested; NULL
 * removes it. The options share the flag: `cancel` may be freed before them. */
UTFALL_API utfall_status utfall_options_set_cancel(utfall_options* options, const utfall_cancel* cancel);

/* A flag that stops evaluations from another thread. utfall_cancel_request may be called from
 * any thread, at any time, any number of times. NULL when out of memory; free with
 * utfall_cancel_free. */
UTFALL_API utfall_cancel* utfall_cancel_new(void);
UTFALL_API void utfall_cancel_request(const utfall_cancel* cancel);
UTFALL_API void utfall_cancel_free(utfall_cancel* cancel);

/* Evaluates the contract on bound data; `options` may be NULL. *out receives a new result even
 * when the evaluation fails (its messages say why; it has no payments then), except on
 * UTFALL_INVALID_ARGUMENT and UTFALL_OUT_OF_MEMORY, where *out is NULL. Free with
 * utfall_result_free. */
UTFALL_API utfall_status utfall_evaluate(const utfall_engine* engine, const utfall_contract* contract, const utfall_bound* data,
                                         const utfall_options* options, utfall_result** out);

/* The simplest host's call: data and options as JSON in, the result as JSON out.
 * `data_json` has the shape of a JSON data file: an object whose every value is an array of
 * flat objects; a table with a "period" key holds series, any other table the records of the
 * participant input it is named after: {"series": [{"period": "2025", "avropat": "7000000"}],
 * "ungdomar": [{"id": "Y01", ...}]}. Numbers may be JSON numbers (their digits are kept as
 * written) or strings. `options_json` may be NULL or {"terms": {"premieandel": "25 %"},
 * "trace": false, "time_limit_ms": 2000, "files": ["plan.csv"]}. "files" names data files relative to the engine's
 * "files_dir" and is refused (UTFALL_INVALID_ARGUMENT) when the engine has none, or when a
 * name leaves that folder (an absolute path, a `..` component, a link that leads out). *result_json (may not be NULL) receives the result
 * JSON (docs/embedding.md) including its messages, also on failure; NULL only when out of
 * memory. Caller frees it with utfall_free. */
UTFALL_API utfall_status utfall_evaluate_json(const utfall_engine* engine, const utfall_contract* contract, const char* data_json,
                                              const char* options_json, char** result_json);

/* ---- results ---- */

/* One payment. The strings are borrowed from the result. */
typedef struct utfall_payment {
  const char* period;
  const char* from;
  const char* to;
  const char* amount; /* exact, with the currency's decimals: "26700000.00" */
  const char* clause;
  const char* clause_title;
  const char* rule;
} utfall_payment;

/* What one payer paid one payee over all periods. Strings borrowed from the result. */
typedef struct utfall_total {
  const char* from;
  const char* to;
  const char* amount;
} utfall_total;

UTFALL_API void utfall_result_free(utfall_result* result);
/* UTFALL_OK when the evaluation succeeded; else the status of its first error. */
UTFALL_API utfall_status utfall_result_status(const utfall_result* result);
UTFALL_API size_t utfall_result_payment_count(const utfall_result* result);
/* Fills *out with payment `index` (< utfall_result_payment_count). */
UTFALL_API utfall_status utfall_result_payment(const utfall_result* result, size_t index, utfall_payment* out);
UTFALL_API size_t utfall_result_total_count(const utfall_result* result);
UTFALL_API utfall_status utfall_result_total(const utfall_result* result, size_t index, utfall_total* out);
/* The currency of payment (total) `index`, "SEK": a contract may have several (language.md
 * §4.1); NULL when the index is out of range. Borrowed from the result. (Functions rather than
 * fields, so that utfall_payment and utfall_total keep their size.) */
UTFALL_API const char* utfall_result_payment_currency(const utfall_result* result, size_t index);
UTFALL_API const char* utfall_result_total_currency(const utfall_result* result, size_t index);
/* The whole result as JSON (payments, totals, traces, messages). Caller frees with utfall_free. */
UTFALL_API char* utfall_result_json(const utfall_result* result);
/* The result's messages as a JSON array. Caller frees with utfall_free. */
UTFALL_API char* utfall_result_messages_json(const utfall_result* result);

/* ---- many data sets at once, amounts as integers (utfall::Batch) ---- */

/* A batch evaluates one contract on many bound data sets and gives each payment line's amount
 * as an int64_t count of 10^-places currency units (utfall_batch_places: 2 for SEK, so
 * "26700000.00" is 2670000000), exactly the amounts utfall_evaluate gives as text. Every
 * evaluation of a contract pays the same lines (utfall_batch_line). An amount with no int64
 * count is never rounded: that set fails with E710 (UTFALL_LIMIT) and utfall_evaluate gives its
 * text. No term overrides, no trace. A warm batch whose sets all succeed allocates nothing.
 * On success *out is a new batch (free with utfall_batch_free); it keeps its own references to
 * the contract and the engine's configuration, so either may be freed first. One thread at a
 * time per batch. */
UTFALL_API utfall_status utfall_batch_new(const utfall_engine* engine, const utfall_contract* contract, utfall_batch** out);
UTFALL_API void utfall_batch_free(utfall_batch* batch);

/* One line every evaluation pays, in the order of the payments of utfall_evaluate. The strings
 * are borrowed from the batch. */
typedef struct utfall_line {
  const char* period;
  const char* from;
  const char* to;
  const char* clause;
  const char* clause_title;
  const char* rule;
} utfall_line;

UTFALL_API size_t utfall_batch_line_count(const utfall_batch* batch);
/* Fills *out with line `index` (< utfall_batch_line_count). */
UTFALL_API utfall_status utfall_batch_line(const utfall_batch* batch, size_t index, utfall_line* out);
/* The currency of line `index`; NULL when out of range. Borrowed from the batch. */
UTFALL_API const char* utfall_batch_line_currency(const utfall_batch* batch, size_t index);
/* The amounts count units of 10^-places of the currency; -1 when batch is NULL. */
UTFALL_API int utfall_batch_places(const utfall_batch* batch);

/* Evaluates `count` bound data sets (none NULL), replacing the previous call's results. Returns
 * UTFALL_OK when the batch ran, even if some sets failed (utfall_batch_status says which);
 * UTFALL_INVALID_ARGUMENT for a NULL batch or set (then no results: utfall_batch_size is 0). */
UTFALL_API utfall_status utfall_batch_evaluate(utfall_batch* batch, const utfall_bound* const* sets, size_t count);
/* The same with the cancel flag and time limit of `options` (NULL: none); options with terms
 * or trace are UTFALL_INVALID_ARGUMENT (no results). Once the cancel is requested or the time
 * limit passes, the sets from some index on are not evaluated: each has the status
 * UTFALL_LIMIT (E712); the sets before it have their results. */
UTFALL_API utfall_status utfall_batch_evaluate_with(utfall_batch* batch, const utfall_bound* const* sets, size_t count,
                                                    const utfall_options* options);
/* The number of sets of the last evaluation. */
UTFALL_API size_t utfall_batch_size(const utfall_batch* batch);
/* UTFALL_OK when set `set` (< utfall_batch_size) succeeded; else the status of its first error. */
UTFALL_API utfall_status utfall_batch_status(const utfall_batch* batch, size_t set);
/* The utfall_batch_line_count amounts of set `set`, all zero when it failed; borrowed from the
 * batch, valid until its next evaluation. NULL for a NULL batch or a set out of range. */
UTFALL_API const int64_t* utfall_batch_amounts(const utfall_batch* batch, size_t set);
/* The messages of set `set` as a JSON array ("[]" when it succeeded); their locations begin
 * "data set <set>". Caller frees with utfall_free; NULL when out of memory or out of range. */
UTFALL_API char* utfall_batch_messages_json(const utfall_batch* batch, size_t set);

#ifdef __cplusplus
}
#endif

#endif /* UTFALL_H */
