#include "interpreter/literate.hpp"

#include <fmt/format.h>

namespace utfall {
namespace {

using W = grammar::Keyword;

bool ends_with(std::string_view s, std::string_view tail) {
  if (s.size() < tail.size()) return false;
  for (std::size_t k = 0; k < tail.size(); ++k)
    if (std::tolower(static_cast<unsigned char>(s[s.size() - tail.size() + k])) != tail[k]) return false;
  return true;
}

bool blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }
bool digit(char c) { return c >= '0' && c <= '9'; }

// A fence: up to three spaces, then three or more ` or ~; its character, length, indentation
// and info string.
struct Fence {
  char mark = 0;
  std::size_t length = 0, indent = 0;
  std::string_view info;
};
std::optional<Fence> fence(std::string_view line) {
  std::size_t i = 0;
  while (i < line.size() && i < 3 && line[i] == ' ') ++i;
  if (i >= line.size() || (line[i] != '`' && line[i] != '~')) return std::nullopt;
  Fence f{line[i], 0, i, {}};
  while (i < line.size() && line[i] == f.mark) ++i, ++f.length;
  if (f.length < 3) return std::nullopt;
  std::string_view rest = line.substr(i);
  while (!rest.empty() && blank(rest.front())) rest.remove_prefix(1);
  while (!rest.empty() && blank(rest.back())) rest.remove_suffix(1);
  if (f.mark == '`' && rest.find('`') != std::string_view::npos) return std::nullopt;  // not a fence (CommonMark)
  f.info = rest;
  return f;
}

// The first word of an info string: `utfall` in "utfall title=x".
std::string_view first_word(std::string_view info) { return info.substr(0, info.find_first_of(" \t{")); }

// An ATX heading: up to three spaces, 1 to 6 #s, then a space or the end; its level and text.
struct Heading {
  std::size_t line = 0, level = 0;
  std::string text;
  std::optional<LiterateClause> clause;  // a numbered heading's
};
std::optional<Heading> heading(std::string_view line) {
  std::size_t i = 0;
  while (i < line.size() && i < 3 && line[i] == ' ') ++i;
  std::size_t hashes = 0;
  while (i < line.size() && line[i] == '#') ++i, ++hashes;
  if (hashes < 1 || hashes > 6 || (i < line.size() && !blank(line[i]))) return std::nullopt;
  std::string_view text = line.substr(i);
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (blank(text.back()) || text.back() == '#')) text.remove_suffix(1);
  return Heading{0, hashes, std::string(text), std::nullopt};
}

// The clause number and title of a heading's text: `3.1 Title`, `3.1. Title`, `3`; none when it
// does not begin with one.
std::optional<LiterateClause> numbered(std::string_view text) {
  std::size_t i = 0;
  while (true) {
    const std::size_t start = i;
    while (i < text.size() && digit(text[i])) ++i;
    if (i == start) return std::nullopt;
    if (i + 1 < text.size() && text[i] == '.' && digit(text[i + 1])) ++i;
    else break;
  }
  LiterateClause clause;
  clause.number = std::string(text.substr(0, i));
  if (i < text.size() && text[i] == '.') ++i;  // "3. Ersättning"
  if (i < text.size() && text[i] != ' ' && text[i] != '\t') return std::nullopt;
  std::string_view title = text.substr(i);
  while (!title.empty() && (title.front() == ' ' || title.front() == '\t')) title.remove_prefix(1);
  clause.title = std::string(title);
  return clause;
}

// What a block holds, read at its outer level (outside braces, strings and comments).
enum class Content { none, body, declarations };
Content content(const std::vector<std::string_view>& lines, const LiterateBlock& block, grammar::Language language) {
  // The keywords that only begin a declaration of the file, never an item of a clause.
  static constexpr W declaration_only[] = {W::contract_, W::currency_, W::party_, W::unit_, W::periods_,
                                           W::input_,    W::term_,     W::clause_, W::example_};
  auto word_byte = [](unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || digit(static_cast<char>(c)) || c == '_' || c >= 0x80;
  };
  bool any = false;
  long depth = 0;
  for (std::size_t n = block.first; n < block.end; ++n) {
    const std::string_view line = lines[n - 1];
    for (std::size_t i = 0; i < line.size(); ++i) {
      const char c = line[i];
      if (blank(c)) continue;
      if (c == '#') break;
      any = true;
      if (c == '"') {  // to the closing quote, or the end of the line (a syntax error the parser reports)
        for (++i; i < line.size() && line[i] != '"'; ++i)
          if (line[i] == '\\') ++i;
      } else if (c == '{') {
        ++depth;
      } else if (c == '}') {
        if (--depth < 0) return Content::declarations;  // closes what another block opened
      } else if (word_byte(static_cast<unsigned char>(c))) {
        std::size_t end = i;
        while (end < line.size() && word_byte(static_cast<unsigned char>(line[end]))) ++end;
        const std::string_view word = line.substr(i, end - i);
        if (depth == 0)
          for (W k : declaration_only)
            if (word == grammar::spelling(k, language)) return Content::declarations;
        i = end - 1;
      }
    }
  }
  if (depth != 0) return Content::declarations;  // opens what another block closes
  return any ? Content::body : Content::none;
}

// The numbered headings whose sections hold clause items only: each opens a clause around the
// blocks of its section (literate.hpp).
void wrap_clauses(const std::vector<Heading>& headings, const std::vector<std::string_view>& lines, LiterateCode& out,
                  std::vector<std::string>& code) {
  std::size_t b = 0;  // the first block not yet passed; the sections are disjoint and in order
  for (std::size_t h = 0; h < headings.size(); ++h) {
    if (!headings[h].clause) continue;
    std::size_t stop = lines.size() + 1;
    for (std::size_t k = h + 1; k < headings.size(); ++k)
      if (headings[k].level <= headings[h].level || headings[k].clause) {
        stop = headings[k].line;
        break;
      }
    while (b < out.blocks.size() && out.blocks[b].open < headings[h].line) ++b;
    const std::size_t first = b;
    bool body = false, declarations = false;
    for (; b < out.blocks.size() && out.blocks[b].open < stop; ++b) {
      const auto held = content(lines, out.blocks[b], out.language);
      body |= held == Content::body;
      declarations |= held == Content::declarations;
    }
    if (!body || declarations) continue;
    LiterateClause clause = *headings[h].clause;
    clause.heading = headings[h].line;
    code[headings[h].line - 1] = clause_opening(clause, out.language);
    for (std::size_t k = first; k < b; ++k) out.blocks[k].clause = clause;
    auto& last = out.blocks[b - 1];
    last.last_of_clause = true;
    if (last.closed) code[last.end - 1] = "}";
    else code.emplace_back("}");  // the block runs to the end of the file: a line of its own after it
  }
}

}  // namespace

bool is_literate(std::string_view path) { return ends_with(path, ".md") || ends_with(path, ".markdown"); }

std::string clause_opening(const LiterateClause& clause, grammar::Language language) {
  auto quoted = [](std::string_view text) {
    std::string out = "\"";
    for (char c : text) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    return out + '"';
  };
  return fmt::format("{} {}{} {{", grammar::spelling(W::clause_, language), quoted(clause.number),
                     clause.title.empty() ? "" : " " + quoted(clause.title));
}

LiterateCode literate_code(std::string_view markdown) {
  LiterateCode out;
  std::vector<std::string_view> lines;
  for (std::size_t start = 0;;) {
    const std::size_t end = std::min(markdown.find('\n', start), markdown.size());
    lines.push_back(markdown.substr(start, end - start));
    if (end == markdown.size()) break;
    start = end + 1;
  }
  std::vector<std::string> code(lines.size());
  std::vector<Heading> headings;
  std::optional<Fence> open;  // the fence of the block the line is in
  bool in_code = false;       // that block is `utfall`
  for (std::size_t number = 1; number <= lines.size(); ++number) {
    const std::string_view line = lines[number - 1];
    auto f = fence(line);
    if (open) {
      if (f && f->mark == open->mark && f->length >= open->length && f->info.empty()) {
        if (in_code) out.blocks.back().end = number, out.blocks.back().closed = true;
        open.reset(), in_code = false;  // the closing fence: an empty line
      } else if (in_code) {
        code[number - 1] = std::string(line);
      }
    } else if (f) {
      open = f;
      in_code = first_word(f->info) == "utfall";
      if (in_code) out.blocks.push_back({number, number + 1, lines.size() + 1, false, f->indent, std::nullopt, false});
    } else if (auto h = heading(line)) {
      code[number - 1] = std::string(line);
      h->line = number;
      h->clause = numbered(h->text);
      out.headings.push_back({number, h->text});
      headings.push_back(std::move(*h));
    }
  }
  for (const auto& l : code)  // the first word of the code says its set, as a file's does
    if (grammar::first_word(l).offset < l.size()) {
      out.language = grammar::language_of(l);
      break;
    }
  wrap_clauses(headings, lines, out, code);
  out.code.reserve(markdown.size() + 16);
  for (std::size_t k = 0; k < code.size(); ++k) {
    if (k) out.code += '\n';
    out.code += code[k];
  }
  return out;
}

const LiterateHeading* heading_before(const std::vector<LiterateHeading>& headings, std::size_t line) {
  const LiterateHeading* found = nullptr;
  for (const auto& h : headings)
    if (h.line <= line) found = &h;
  return found;
}

void note_headings(Diagnostics& diagnostics, const SourcePtr& source, const std::vector<LiterateHeading>& headings) {
  for (auto& d : diagnostics) {
    if (!d.range || d.range->source != source) continue;
    const LiterateHeading* h = heading_before(headings, d.range->begin.line);
    if (!h) continue;
    // The heading's line in the code is the Markdown's: find its offset there.
    std::size_t offset = 0;
    for (std::size_t line = 1; line < h->line && offset < source->text.size(); ++line) offset = source->text.find('\n', offset) + 1;
    SourceRange at;
    at.source = source.get();
    at.begin = source_position(offset, h->line, 1);
    at.end_offset = source_index(std::min(source->text.find('\n', offset), source->text.size()));
    d.related.push_back(related_note(at, text("under the heading “{}”", h->text)));
  }
}

}  // namespace utfall
