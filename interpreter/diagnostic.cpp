#include "interpreter/diagnostic.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "interpreter/unicode.hpp"

namespace utfall {

bool has_errors(const Diagnostics& diags) {
  for (const auto& d : diags)
    if (d.severity == Severity::error) return true;
  return false;
}

void set_message(Diagnostic& d, Text text) {
  d.message = text.in(Language::en);
  d.text = std::move(text);
}

void set_suggestion(Diagnostic& d, Text text) {
  d.suggestion = text.in(Language::en);
  d.suggestion_text = std::move(text);
}

void set_location(Diagnostic& d, Text text) {
  d.location = text.in(Language::en);
  d.location_text = std::move(text);
}

RelatedNote related_note(const SourceRange& range, Text text) {
  std::string english = text.in(Language::en);
  return RelatedNote{range, std::move(english), std::move(text)};
}

static std::string either(const std::string& english, const Text& text, Language language) {
  return language == Language::en || text.empty() ? english : text.in(language);
}

std::string message_in(const Diagnostic& d, Language language) { return either(d.message, d.text, language); }
std::string suggestion_in(const Diagnostic& d, Language language) {
  return either(d.suggestion, d.suggestion_text, language);
}
std::string note_in(const RelatedNote& note, Language language) { return either(note.message, note.text, language); }
std::string location_in(const Diagnostic& d, Language language) { return either(d.location, d.location_text, language); }

static std::string severity_name(Severity s, Language language) {
  switch (s) {
    case Severity::error: return say(language, "error");
    case Severity::warning: return say(language, "warning");
    case Severity::note: return say(language, "note");
  }
  return say(language, "error");
}

static std::string where(const Diagnostic& d, Language language) {
  if (d.range && d.range->source)
    return fmt::format("{}:{}:{}", d.range->source->name, d.range->begin.line,
                       display_column(*d.range->source, d.range->begin));
  if (!d.location.empty()) return location_in(d, language);
  return "utfall";
}

// The short form is read by tools (an editor's problem matcher): its `error[E301]` stays in
// English whatever the language of the message after it.
std::string render_short(const Diagnostic& d, Language language) {
  std::string out =
      fmt::format("{}: {}[{}]: {}", where(d, language), severity_name(d.severity, Language::en), d.code, message_in(d, language));
  if (!d.clause.empty()) out += " " + say(language, "(clause {})", d.clause);
  return terminal_text(out);
}

static void draw_range(std::string& out, const SourceRange& r) {
  std::string_view line = line_text(*r.source, r.begin.line);
  // A 1 MB line is not drawn whole: at most 240 bytes of it, starting 80 bytes before the
  // range when the range lies further in, each end moved to a character boundary.
  auto boundary = [&](std::size_t at) {
    while (at < line.size() && (static_cast<unsigned char>(line[at]) & 0xC0) == 0x80) ++at;
    return at;
  };
  std::size_t byte_column = std::min<std::size_t>(r.begin.column - 1, line.size());
  std::size_t from = byte_column > 160 ? boundary(byte_column - 80) : 0;
  std::string lead = from > 0 ? "…" : "";
  std::size_t to = boundary(std::min(line.size(), from + 240));
  // The line is drawn escaped (a control character in a comment would act on the terminal),
  // and the caret is placed by the width of the escaped text.
  std::string shown = terminal_text(line.substr(from, to - from));
  std::string num = std::to_string(r.begin.line);
  std::string pad(num.size(), ' ');
  out += fmt::format("{} |\n{} | {}{}{}\n{} | ", pad, num, lead, shown, to < line.size() ? "…" : "", pad);
  std::size_t col = code_points(terminal_text(line.substr(from, byte_column - from))) + (from > 0 ? 1 : 0);
  std::size_t line_width = code_points(shown) + (from > 0 ? 1 : 0);
  if (col > line_width) col = line_width;
  // The underline spans the range while it stays on the first line.
  std::size_t len = 1;
  std::size_t line_end_offset = r.begin.offset + (line.size() - std::min<std::size_t>(line.size(), r.begin.column - 1));
  std::size_t end = std::min<std::size_t>(r.end_offset, line_end_offset);
  if (end > r.begin.offset)
    len = code_points(terminal_text(std::string_view(r.source->text).substr(r.begin.offset, end - r.begin.offset)));
  if (len == 0) len = 1;
  len = std::min(len, std::max<std::size_t>(line_width + 1 - std::min(col, line_width), 1));  // within the drawn window
  out += std::string(col, ' ') + "^" + std::string(len > 1 ? len - 1 : 0, '~') + "\n";
}

// Every text from the contract, its data or the command line is drawn through terminal_text.
std::string render_pretty(const Diagnostic& d, Language language) {
  std::string out = terminal_text(fmt::format("{}: {}[{}]: {}\n", where(d, language), severity_name(d.severity, language), d.code,
                                              message_in(d, language)));
  if (d.range && d.range->source) draw_range(out, *d.range);
  if (!d.clause.empty()) out += terminal_text("  = " + say(language, "in clause {}", d.clause) + "\n");
  for (const auto& rel : d.related) {
    out += terminal_text(fmt::format("{}:{}:{}: {}: {}\n", rel.range.source ? rel.range.source->name : "?",
                                     rel.range.begin.line,
                                     rel.range.source ? display_column(*rel.range.source, rel.range.begin) : 0,
                                     severity_name(Severity::note, language), note_in(rel, language)));
    if (rel.range.source) draw_range(out, rel.range);
  }
  if (!d.suggestion.empty())
    out += terminal_text(fmt::format("  = {}: {}\n", say(language, "help"), suggestion_in(d, language)));
  return out;
}

void keep_bounded(Diagnostics& diags, Diagnostic d) {
  if (diags.size() < kKeptDiagnostics) diags.push_back(std::move(d));
  else diags.back().not_kept += 1 + d.not_kept;
}

std::size_t count_found(const Diagnostics& diags) {
  std::size_t n = diags.size();
  for (const auto& d : diags) n += d.not_kept;
  return n;
}

std::string render_all(const Diagnostics& diags, bool pretty, Language language) {
  // A data file with 200 000 bad rows has 200 000 errors; the first hundred say enough.
  constexpr std::size_t shown = kKeptDiagnostics;
  std::string out;
  for (std::size_t i = 0; i < diags.size() && i < shown; ++i)
    out += pretty ? render_pretty(diags[i], language) : render_short(diags[i], language) + "\n";
  if (std::size_t hidden = count_found(diags) - std::min(diags.size(), shown); hidden > 0)
    out += "utfall: " + say(language, "{} more diagnostics not shown", hidden) + "\n";
  return out;
}

int exit_code_for(const Diagnostics& diags) {
  int code = 0;
  for (const auto& d : diags) {
    if (d.severity != Severity::error) continue;
    int c = 1;
    switch (d.kind) {
      case DiagKind::syntax:
      case DiagKind::name:
      case DiagKind::type:
      case DiagKind::structure: c = 2; break;
      case DiagKind::data:
      case DiagKind::io: c = 3; break;
      case DiagKind::runtime: c = 4; break;
      case DiagKind::limit: c = 5; break;
      case DiagKind::internal: c = 70; break;
    }
    if (code == 0 || c == 70) code = c;
  }
  return code;
}

}  // namespace utfall
