#include "interpreter/literate.hpp"

#include <fmt/format.h>

namespace utfall {
namespace {

bool ends_with(std::string_view s, std::string_view tail) {
  if (s.size() < tail.size()) return false;
  for (std::size_t k = 0; k < tail.size(); ++k)
    if (std::tolower(static_cast<unsigned char>(s[s.size() - tail.size() + k])) != tail[k]) return false;
  return true;
}

// A fence: up to three spaces, then three or more ` or ~; its character, length and info string.
struct Fence {
  char mark = 0;
  std::size_t length = 0;
  std::string_view info;
};
std::optional<Fence> fence(std::string_view line) {
  std::size_t i = 0;
  while (i < line.size() && i < 3 && line[i] == ' ') ++i;
  if (i >= line.size() || (line[i] != '`' && line[i] != '~')) return std::nullopt;
  Fence f{line[i], 0, {}};
  while (i < line.size() && line[i] == f.mark) ++i, ++f.length;
  if (f.length < 3) return std::nullopt;
  std::string_view rest = line.substr(i);
  while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
  while (!rest.empty() && (rest.back() == ' ' || rest.back() == '\t' || rest.back() == '\r')) rest.remove_suffix(1);
  if (f.mark == '`' && rest.find('`') != std::string_view::npos) return std::nullopt;  // not a fence (CommonMark)
  f.info = rest;
  return f;
}

// The first word of an info string: `utfall` in "utfall title=x".
std::string_view first_word(std::string_view info) { return info.substr(0, info.find_first_of(" \t{")); }

// An ATX heading: up to three spaces, 1 to 6 #s, then a space or the end; its text.
std::optional<std::string> heading(std::string_view line) {
  std::size_t i = 0;
  while (i < line.size() && i < 3 && line[i] == ' ') ++i;
  std::size_t hashes = 0;
  while (i < line.size() && line[i] == '#') ++i, ++hashes;
  if (hashes < 1 || hashes > 6 || (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r')) return std::nullopt;
  std::string_view text = line.substr(i);
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r' || text.back() == '#')) text.remove_suffix(1);
  return std::string(text);
}

}  // namespace

bool is_literate(std::string_view path) { return ends_with(path, ".md") || ends_with(path, ".markdown"); }

LiterateCode literate_code(std::string_view markdown) {
  LiterateCode out;
  out.code.reserve(markdown.size());
  std::optional<Fence> open;  // the fence of the block the line is in
  bool code = false;          // that block is `utfall`
  std::size_t number = 0;
  for (std::size_t start = 0; start <= markdown.size();) {
    const std::size_t end = std::min(markdown.find('\n', start), markdown.size());
    const std::string_view line = markdown.substr(start, end - start);
    ++number;
    auto f = fence(line);
    if (open) {
      if (f && f->mark == open->mark && f->length >= open->length && f->info.empty()) {
        open.reset(), code = false;  // the closing fence: an empty line
      } else if (code) {
        out.code += line;
      }
    } else if (f) {
      open = f;
      code = first_word(f->info) == "utfall";
      out.blocks += code ? 1 : 0;
    } else if (auto h = heading(line)) {
      out.code += line;
      out.headings.push_back({number, std::move(*h)});
    }
    if (end == markdown.size()) break;
    out.code += '\n';
    start = end + 1;
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
    at.source = source;
    at.begin = {offset, h->line, 1};
    at.end_offset = std::min(source->text.find('\n', offset), source->text.size());
    d.related.push_back({at, fmt::format("under the heading “{}”", h->text)});
  }
}

}  // namespace utfall
