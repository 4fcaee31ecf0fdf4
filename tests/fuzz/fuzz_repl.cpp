// Fuzz target: the REPL's session, line by line, as `utfall repl` reads a script.
//
// Input: REPL lines (commands, definitions, declarations, expressions), gathered into whole
// inputs the way the REPL gathers them (ReplSession::complete). When the input holds a line
// `%%%% repl`, the text before it is the session's starting contract (as `utfall repl FILE`
// would load it) and the lines after it are the session. The session reads no files (`:load`,
// `:reload` and `:data FILE` are refused) and evaluates within the fuzzers' lower limits.
// Besides the sanitizers, it asserts what every answer must be: no internal error, an input
// that failed says why, and what reaches the terminal has its control characters escaped.
// Seeds: tests/fuzz/corpus/fuzz_repl/.
#include "cli/repl_session.hpp"
#include "interpreter/unicode.hpp"
#include "tests/fuzz/fuzz_support.hpp"

namespace {

void check_answer(const utfall::ReplSession& session) {
  using utfall::fuzz::finding;
  utfall::fuzz::check_diagnostics(session.diagnostics());
  if (session.failed() && session.err().empty()) finding("a REPL input failed without saying why");
  for (const std::string* text : {&session.out(), &session.err()})
    for (unsigned char c : utfall::terminal_text(*text))
      if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) finding("a control character reaches the terminal");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace utfall;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  ReplSession session(ReplSession::Config{false, fuzz::fuzz_eval_options().limits});
  constexpr std::string_view separator = "%%%% repl\n";
  auto cut = input.find(separator);
  if (cut != std::string_view::npos && (cut == 0 || input[cut - 1] == '\n')) {
    session.start_text("fuzz.utfall", std::string(input.substr(0, cut)));
    input.remove_prefix(cut + separator.size());
  } else {
    session.start(ReplOptions{});
  }
  check_answer(session);
  std::string buffer;
  while (!input.empty() && !session.quit()) {
    auto end = input.find('\n');
    std::string_view line = input.substr(0, end);
    input.remove_prefix(end == std::string_view::npos ? input.size() : end + 1);
    buffer += (buffer.empty() ? "" : "\n") + std::string(line);
    if (!ReplSession::complete(buffer)) continue;
    session.handle(std::exchange(buffer, {}));
    check_answer(session);
  }
  return 0;
}
