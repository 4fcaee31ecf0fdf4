// Diagnostics are values.
//
// Every phase (parse, check, data loading, evaluate) reports problems as `Diagnostic` values;
// the core never prints. Two renderers turn them into text: `render_short` gives one line per
// diagnostic for tools (`file:line:col: error[code]: message`), `render_pretty` adds the source
// line with a caret under the range, related notes, and a suggestion. Both draw every text
// through `terminal_text` (interpreter/unicode.hpp): a control character in a name, a data cell
// or a comment is shown as an escape such as `\x1b`, never sent to the terminal.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "interpreter/messages.hpp"
#include "interpreter/source.hpp"

namespace utfall {

enum class Severity { error, warning, note };

// The closed set of diagnostic kinds; each has a stable code (shown as error[code]) and an
// exit code of the command line (see docs/cli.md).
enum class DiagKind {
  syntax,          // E1xx: the text is not in the language
  name,            // E2xx: unknown, duplicate or misused name
  type,            // E3xx: types and units do not agree
  structure,       // E4xx: calendar, tables, payments or clauses are inconsistent
  data,            // E5xx: a data file is missing, malformed, or does not fit the declarations
  runtime,         // E6xx: evaluation failed on the data (division by zero, inexact payment)
  limit,           // E7xx: a configured limit was reached
  io,              // E8xx: a file could not be read
  internal,        // E9xx: a broken invariant: a bug in utfall
};

struct RelatedNote {
  RelatedNote() = default;
  RelatedNote(const SourceRange& r, std::string english, Text t = {})
      : range(r), message(std::move(english)), text(std::move(t)) {}
  OwnedRange range;
  std::string message;  // in English
  Text text;            // the same, from the message table (empty: `message` is shown as it is)
};

struct Diagnostic {
  Severity severity = Severity::error;
  DiagKind kind = DiagKind::internal;
  std::string code;     // e.g. "E301"
  std::string message;  // one sentence, no trailing period, in English
  // The same sentence from the message table, for drawing it in Swedish; empty where the
  // diagnostic was made with a plain string (then `message` is shown in either language).
  Text text;
  std::optional<OwnedRange> range;  // keeps its source: a diagnostic may outlive the tree it is about
  std::vector<RelatedNote> related;
  std::string clause;      // "3.2 Återbetalning" when the problem sits in a clause
  std::string suggestion;  // "did you mean `frigjort`?"
  Text suggestion_text;    // the same, from the message table, as `text` is for `message`
  // Where the problem is in a data file that has no Source (field, row, column), as text, in
  // English; programs may read it.
  std::string location;
  Text location_text;  // the same, from the message table (empty: `location` is shown as it is)
  // Diagnostics found after this one and not kept (see `keep_bounded`): counted, not stored.
  std::size_t not_kept = 0;
};

using Diagnostics = std::vector<Diagnostic>;

// A phase that can find one problem per row of a data file keeps the first `kKeptDiagnostics`
// and counts the rest on the last one kept, so that ten million bad rows take the memory of a
// hundred messages; `render_all` says how many more there were.
constexpr std::size_t kKeptDiagnostics = 100;
void keep_bounded(Diagnostics& diags, Diagnostic d);
// Every diagnostic found, those not kept included.
std::size_t count_found(const Diagnostics& diags);

bool has_errors(const Diagnostics& diags);

// Sets a diagnostic's message (or a note's, or its suggestion) in English and keeps the phrase.
void set_message(Diagnostic& d, Text text);
void set_suggestion(Diagnostic& d, Text text);
RelatedNote related_note(const SourceRange& range, Text text);
void set_location(Diagnostic& d, Text text);

// The message, suggestion or note in `language`.
std::string message_in(const Diagnostic& d, Language language);
std::string suggestion_in(const Diagnostic& d, Language language);
std::string note_in(const RelatedNote& note, Language language);
std::string location_in(const Diagnostic& d, Language language);

std::string render_short(const Diagnostic& d, Language language = Language::en);
std::string render_pretty(const Diagnostic& d, Language language = Language::en);
std::string render_all(const Diagnostics& diags, bool pretty, Language language = Language::en);

// Exit code of the command line for the most serious diagnostic (docs/cli.md).
int exit_code_for(const Diagnostics& diags);

// The exception that carries diagnostics out of deep code (limits, runtime errors); phases
// catch it at their entry function and return its diagnostics as values.
struct DiagnosticError {
  Diagnostic diagnostic;
};

}  // namespace utfall
