// Format: the `utfall` blocks of a literate contract, each in place (interpreter/format.hpp).
//
// Each block is formatted as a fragment of its own: its lines at their own line numbers (so a
// diagnostic names the Markdown's line and column), inside `clause "3.1" "Title" { ... }` when
// a numbered heading makes it a clause's body (interpreter/literate.hpp); the printed clause's
// first and last lines are then dropped and its items moved back to the block's left edge. Only
// the bytes between a block's fences change.
#include <variant>

#include "interpreter/format.hpp"
#include "interpreter/literate.hpp"
#include "interpreter/parse.hpp"

namespace utfall {
namespace {

// The formatted text of one block, as its lines between the fences: `formatted` without the
// clause's first and last lines when it is one, each line indented as the fence is, with the
// block's line end.
std::string block_text(std::string_view formatted, const LiterateBlock& block, std::string_view line_end) {
  std::size_t at = 0, last = formatted.size();  // the lines kept: [at, last)
  if (block.clause && formatted.size() >= 2) {
    at = formatted.find('\n') + 1;                          // past `clause "3.1" "Title" {`
    last = formatted.rfind('\n', formatted.size() - 2) + 1;  // the closing `}`
  }
  std::string out;
  while (at < last) {
    const std::size_t end = std::min(formatted.find('\n', at), last);
    std::string_view line = formatted.substr(at, end - at);
    if (block.clause && line.starts_with("  ")) line.remove_prefix(2);
    if (!line.empty()) out += std::string(block.indent, ' ');
    out += line;
    out += line_end;
    at = end + 1;
  }
  return out;
}

}  // namespace

LiterateFormat format_literate(const std::string& name, std::string_view markdown, const FormatOptions& options) {
  LiterateFormat result;
  const auto literate = literate_code(markdown);
  // The whole contract first: a file that does not parse is reported as `utfall check` would.
  const auto whole = std::make_shared<Source>(Source{name, literate.code});
  if (auto parsed = parse_contract(whole); !parsed.contract) {
    result.diagnostics = std::move(parsed.diagnostics);
    note_headings(result.diagnostics, whole, literate.headings);
    return result;
  }
  std::vector<std::size_t> starts{0};  // where each line of the Markdown begins
  for (std::size_t i = 0; i < markdown.size(); ++i)
    if (markdown[i] == '\n') starts.push_back(i + 1);
  auto line_offset = [&](std::size_t line) { return line <= starts.size() ? starts[line - 1] : markdown.size(); };
  ParseOptions parse_options;  // a block is read in the set of the file, whatever its own first word
  parse_options.language = literate.language;
  FormatOptions block_options = options;
  block_options.language = options.language.value_or(literate.language);
  std::string out;
  std::size_t copied = 0;
  for (const auto& block : literate.blocks) {
    const std::size_t begin = line_offset(block.first), end = block.closed ? line_offset(block.end) : markdown.size();
    const std::string_view body = markdown.substr(begin, end - begin);
    // The fragment: the block, inside its clause when it has one. Blank lines down to the block
    // would give a diagnostic the Markdown's line, but make formatting a file of many blocks
    // quadratic: they are put in only to report a block that does not format.
    auto fragment = [&](bool padded) {
      std::string text(padded ? block.first - 1 - (block.clause ? 1 : 0) : 0, '\n');
      if (block.clause) text += clause_opening(*block.clause, literate.language) + "\n";
      text += body;
      if (block.clause) text += body.empty() || body.back() == '\n' ? "}\n" : "\n}\n";
      return std::make_shared<Source>(Source{name, std::move(text)});
    };
    // Formatted, or why not: a block that does not parse on its own, or cannot be written in
    // the set asked for.
    auto format = [&](bool padded) -> std::variant<std::string, Diagnostics> {
      auto parsed = parse_contract(fragment(padded), parse_options);
      if (!parsed.contract) {
        for (auto& d : parsed.diagnostics)
          set_suggestion(d, text("fmt formats each ```utfall block on its own: a block must hold whole declarations, or the items "
                                 "of the clause its numbered heading opens (docs/language.md §2.10)"));
        return std::move(parsed.diagnostics);
      }
      std::string formatted = format_contract(*parsed.contract, block_options);
      if (*block_options.language != literate.language)
        if (auto problem = translation_problem(*parsed.contract, formatted, *block_options.language)) return Diagnostics{std::move(*problem)};
      return formatted;
    };
    auto done = format(false);
    if (std::holds_alternative<Diagnostics>(done)) {
      if (auto again = format(true); std::holds_alternative<Diagnostics>(again)) done = std::move(again);
      result.diagnostics = std::move(std::get<Diagnostics>(done));
      return result;
    }
    const bool crlf = markdown.substr(line_offset(block.open), line_offset(block.open + 1) - line_offset(block.open)).ends_with("\r\n");
    out += markdown.substr(copied, begin - copied);
    out += block_text(std::get<std::string>(done), block, crlf ? "\r\n" : "\n");
    copied = end;
  }
  out += markdown.substr(copied);
  result.text = std::move(out);
  return result;
}

}  // namespace utfall
