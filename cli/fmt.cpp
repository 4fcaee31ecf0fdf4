// `utfall fmt` (cli/fmt.hpp): reads and parses each file, formats it with
// interpreter/format.hpp, and prints, rewrites or compares the result.
#include "cli/fmt.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <string_view>
#include <variant>

#include "cli/output.hpp"
#include "interpreter/format.hpp"
#include "interpreter/pipeline.hpp"
#include "interpreter/unicode.hpp"

namespace utfall {
namespace {

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    lines.push_back(text.substr(0, end == std::string_view::npos ? text.size() : end + 1));
    text.remove_prefix(lines.back().size());
  }
  return lines;
}

// One line of an edit script: ' ' kept, '-' removed, '+' added.
struct Edit {
  char op;
  std::string_view line;
};

// The shortest edit script by the longest common subsequence, after the common ends are set
// aside; a middle too large for the table is replaced whole.
std::vector<Edit> edit_script(const std::vector<std::string_view>& a, const std::vector<std::string_view>& b) {
  std::size_t head = 0, tail = 0;
  while (head < a.size() && head < b.size() && a[head] == b[head]) ++head;
  while (tail < a.size() - head && tail < b.size() - head && a[a.size() - 1 - tail] == b[b.size() - 1 - tail]) ++tail;
  const std::size_t n = a.size() - head - tail, m = b.size() - head - tail;
  std::vector<Edit> edits;
  for (std::size_t k = 0; k < head; ++k) edits.push_back({' ', a[k]});
  if (n * m <= 4'000'000) {
    std::vector<std::uint32_t> lcs((n + 1) * (m + 1), 0);  // lcs[i][j]: of a[i..n) and b[j..m)
    auto at = [&](std::size_t i, std::size_t j) -> std::uint32_t& { return lcs[i * (m + 1) + j]; };
    for (std::size_t i = n; i-- > 0;)
      for (std::size_t j = m; j-- > 0;)
        at(i, j) = a[head + i] == b[head + j] ? at(i + 1, j + 1) + 1 : std::max(at(i + 1, j), at(i, j + 1));
    std::size_t i = 0, j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && a[head + i] == b[head + j]) edits.push_back({' ', a[head + i++]}), ++j;
      else if (j < m && (i == n || at(i, j + 1) >= at(i + 1, j))) edits.push_back({'+', b[head + j++]});
      else edits.push_back({'-', a[head + i++]});
    }
  } else {
    for (std::size_t k = 0; k < n; ++k) edits.push_back({'-', a[head + k]});
    for (std::size_t k = 0; k < m; ++k) edits.push_back({'+', b[head + k]});
  }
  for (std::size_t k = a.size() - tail; k < a.size(); ++k) edits.push_back({' ', a[k]});
  return edits;
}

std::string hunk_range(std::size_t start, std::size_t count) {
  return count == 1 ? std::to_string(start) : fmt::format("{},{}", count == 0 ? start - 1 : start, count);
}

int usage(const std::string& message) { return cli::usage("fmt", message); }

}  // namespace

std::string unified_diff(const std::string& name, const std::string& before, const std::string& after) {
  if (before == after) return {};
  const auto edits = edit_script(split_lines(before), split_lines(after));
  constexpr std::size_t context = 3;
  std::string out = fmt::format("--- {}\n+++ {} (formatted)\n", name, name);
  std::size_t k = 0, old_line = 1, new_line = 1;
  while (k < edits.size()) {
    if (edits[k].op == ' ') {
      ++k, ++old_line, ++new_line;
      continue;
    }
    // A hunk: `context` kept lines before this change, up to `context` after the last change
    // that follows the one before it within 2 * context kept lines.
    const std::size_t start = k - std::min(context, k);
    std::size_t last_change = k;
    for (std::size_t e = k; e < edits.size() && e - last_change <= 2 * context; ++e)
      if (edits[e].op != ' ') last_change = e;
    const std::size_t end = std::min(edits.size(), last_change + 1 + context);
    std::size_t old_start = old_line - (k - start), new_start = new_line - (k - start), old_count = 0, new_count = 0;
    std::string body;
    for (std::size_t e = start; e < end; ++e) {
      if (edits[e].op != '+') ++old_count;
      if (edits[e].op != '-') ++new_count;
      body += edits[e].op;
      body += edits[e].line;
      if (edits[e].line.empty() || edits[e].line.back() != '\n') body += "\n\\ No newline at end of file\n";
    }
    out += fmt::format("@@ -{} +{} @@\n", hunk_range(old_start, old_count), hunk_range(new_start, new_count)) + body;
    for (; k < end; ++k) {
      if (edits[k].op != '+') ++old_line;
      if (edits[k].op != '-') ++new_line;
    }
  }
  return out;
}

FmtCommand::FmtCommand(CLI::App& app) {
  command_ = app.add_subcommand("fmt", "Print contracts in the canonical layout, or rewrite or check them");
  command_->add_option("contracts", files_, "contract files (.utfall, or a literate .md: its utfall blocks)")->required();
  command_->add_flag("--check", check_, "write nothing; print a diff for each file not formatted and exit 1");
  command_->add_flag("--write,-w", write_, "rewrite the files that are not formatted");
  command_->add_option("--lang", lang_, "write the keywords in Swedish (sv) or English (en); by default as the file does")
      ->check(CLI::IsMember({"sv", "en"}));
  command_->add_flag("--ast", ast_)->group("");  // hidden: the parsed tree, for tests
}

// The formatted text of `file` (whose text is `text`, its code for a literate contract), or
// nothing after reporting why not, with the exit code in `code`.
std::optional<std::string> FmtCommand::formatted(const std::string& file, const std::string& text, int& code) const {
  FormatOptions options;
  if (!lang_.empty()) options.language = lang_ == "sv" ? grammar::Language::swedish : grammar::Language::english;
  if (is_literate(file)) {
    auto done = format_literate(file, text, options);
    if (!done.text) code = std::max(code, cli::report(done.diagnostics));
    return std::move(done.text);
  }
  auto source = std::make_shared<Source>(Source{file, text});
  auto parsed = parse_contract(source);
  if (!parsed.contract) {
    code = std::max(code, cli::report(parsed.diagnostics));
    return std::nullopt;
  }
  std::string out = format_contract(*parsed.contract, options);
  if (options.language && *options.language != grammar::language_of(source->text)) {
    if (auto problem = translation_problem(*parsed.contract, out, *options.language)) {
      code = std::max(code, cli::report({*problem}));
      return std::nullopt;
    }
  }
  return out;
}

int FmtCommand::run() const {
  if (check_ && write_) return usage("--check and --write do not go together");
  if (!check_ && !write_ && files_.size() != 1) return usage("give one file, or --write or --check for several");
  int code = 0;
  for (const auto& file : files_) {
    std::string markdown;  // of a literate contract, which is formatted as the Markdown it is
    auto text = read_contract_file(file, {}, nullptr, &markdown);
    if (auto* problem = std::get_if<Diagnostic>(&text)) {
      code = std::max(code, cli::report({*problem}));
      continue;
    }
    if (ast_) {
      auto parsed = parse_contract(std::make_shared<Source>(Source{file, std::move(std::get<std::string>(text))}));
      if (!parsed.contract) code = std::max(code, cli::report(parsed.diagnostics));
      else cli::write_stdout(dump_ast(*parsed.contract));
      continue;
    }
    const std::string original = is_literate(file) ? std::move(markdown) : std::move(std::get<std::string>(text));
    const auto formatted = this->formatted(file, original, code);
    if (!formatted) continue;
    if (check_) {
      if (*formatted == original) continue;
      cli::write_stdout(unified_diff(terminal_text(file), original, *formatted));
      code = std::max(code, 1);
    } else if (write_) {
      if (*formatted == original) continue;
      if (auto problem = cli::write_file_whole(file, *formatted)) {
        cli::report({*problem});
        code = std::max(code, cli::kOutputFailed);
      }
    } else {
      cli::write_stdout(*formatted);
    }
  }
  return code;
}

}  // namespace utfall
