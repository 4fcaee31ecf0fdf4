#include "cli/repl.hpp"

#include <fmt/format.h>
#include <histedit.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <iostream>

#include "cli/output.hpp"
#include "cli/repl_session.hpp"
#include "cli/scan.hpp"
#include "interpreter/unicode.hpp"

namespace utfall {
namespace {

// ---- Terminal I/O ---------------------------------------------------------------------------

volatile std::sig_atomic_t interrupted = 0;
extern "C" void on_interrupt(int) { interrupted = 1; }

struct Terminal {
  ReplSession* session;
  std::string buffer;  // the lines of an unfinished input
};

const char* prompt_fn(EditLine* el) {
  static thread_local std::string prompt;
  Terminal* term = nullptr;
  el_get(el, EL_CLIENTDATA, &term);
  prompt = term->buffer.empty() ? term->session->prompt() : std::string(term->session->prompt().size() - 4, ' ') + "... ";
  return prompt.c_str();
}

// Tab: completes the word before the cursor from the session's names; lists them when several.
unsigned char complete_fn(EditLine* el, int) {
  Terminal* term = nullptr;
  el_get(el, EL_CLIENTDATA, &term);
  const LineInfo* li = el_line(el);
  std::string before(li->buffer, li->cursor);
  std::size_t start = before.size();
  while (start > 0) {
    unsigned char c = before[start - 1];
    if (std::isalnum(c) || c == '_' || c == ':' || c >= 0x80) --start;
    else break;
  }
  std::string word = before.substr(start);
  std::vector<std::string> matches;
  for (const auto& n : term->session->names())
    if (n.compare(0, word.size(), word) == 0) matches.push_back(n);
  if (matches.empty()) return CC_ERROR;
  std::string common = matches[0];
  for (const auto& m : matches) {
    std::size_t k = 0;
    while (k < common.size() && k < m.size() && common[k] == m[k]) ++k;
    common.resize(k);
  }
  if (matches.size() == 1) common += " ";
  if (common.size() > word.size()) {
    el_insertstr(el, common.substr(word.size()).c_str());
    return CC_REFRESH;
  }
  std::string list;
  for (const auto& m : matches) list += m + "  ";
  fmt::print("\n{}\n", list);
  return CC_REDISPLAY;
}

std::string history_path(const std::string& option) {
  if (option == "-") return {};
  if (!option.empty()) return option;
  if (const char* state = std::getenv("XDG_STATE_HOME"); state && *state) return std::string(state) + "/utfall_history";
  if (const char* home = std::getenv("HOME"); home && *home) return std::string(home) + "/.utfall_history";
  return {};
}

// A standard output that cannot be written ends the session (cli/output.hpp). Everything the
// session prints passes here: titles, names, data cells and echoed input come from the user,
// so control characters are escaped on their way to the terminal.
void flush(const ReplSession& s) {
  cli::write_stdout(terminal_text(s.out()));
  std::cerr << terminal_text(s.err()) << std::flush;
}

int interactive(ReplSession& session, const ReplOptions& options) {
  Terminal term{&session, {}};
  EditLine* el = el_init("utfall", stdin, stdout, stderr);
  History* hist = history_init();
  HistEvent he;
  history(hist, &he, H_SETSIZE, 2000);
  history(hist, &he, H_SETUNIQUE, 1);
  std::string hpath = history_path(options.history);
  // libedit would wait on a FIFO for ever and read a device without end: a history file must be
  // a regular file, or not exist yet.
  if (struct stat st {}; !hpath.empty() && ::stat(hpath.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    fmt::print(stderr, "{}\n", options.wording("utfall repl: the history file {} is not a regular file; no history is kept", hpath));
    hpath.clear();
  }
  if (!hpath.empty()) history(hist, &he, H_LOAD, hpath.c_str());
  el_set(el, EL_CLIENTDATA, &term);
  el_set(el, EL_EDITOR, "emacs");
  el_set(el, EL_PROMPT, prompt_fn);
  el_set(el, EL_HIST, history, hist);
  // The wide form: libedit's narrow EL_ADDFN copies the two strings and never frees them.
  el_wset(el, EL_ADDFN, L"utfall-complete", L"complete a name or command", complete_fn);
  el_set(el, EL_BIND, "^I", "utfall-complete", nullptr);
  el_set(el, EL_SIGNAL, 1);

  struct sigaction sa {};
  sa.sa_handler = on_interrupt;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: Ctrl-C interrupts the read
  struct sigaction old {};
  sigaction(SIGINT, &sa, &old);

  fmt::print("{}\n", options.wording("utfall REPL — :help for commands, Ctrl-D to leave"));
  std::fflush(stdout);
  flush(session);
  while (!session.quit()) {
    int count = 0;
    interrupted = 0;
    const char* line = el_gets(el, &count);
    if (interrupted) {  // Ctrl-C: drop the line (and any unfinished input), keep going
      interrupted = 0;
      term.buffer.clear();
      el_reset(el);
      const LineInfo* li = el_line(el);
      el_cursor(el, static_cast<int>(li->lastchar - li->buffer));
      el_deletestr(el, static_cast<int>(li->lastchar - li->buffer));
      fmt::print("^C\n");
      std::fflush(stdout);
      continue;
    }
    if (!line || count <= 0) {  // Ctrl-D
      if (!term.buffer.empty()) {
        term.buffer.clear();
        fmt::print("\n");
        continue;
      }
      fmt::print("\n");
      break;
    }
    std::string text(line);
    if (!text.empty() && text.back() == '\n') text.pop_back();
    term.buffer += (term.buffer.empty() ? "" : "\n") + text;
    if (!ReplSession::complete(term.buffer)) continue;
    std::string input = std::exchange(term.buffer, {});
    if (!scan::trim(input).empty()) {
      std::string entry = input;
      std::replace(entry.begin(), entry.end(), '\n', ' ');
      history(hist, &he, H_ENTER, entry.c_str());
      if (!hpath.empty()) history(hist, &he, H_SAVE, hpath.c_str());
    }
    session.handle(input);
    flush(session);
  }
  sigaction(SIGINT, &old, nullptr);
  history_end(hist);
  el_end(el);
  return 0;
}

int scripted(ReplSession& session, const Wording& say) {
  bool any_failed = session.failed();
  std::string buffer, line;
  while (!session.quit() && std::getline(std::cin, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    buffer += (buffer.empty() ? "" : "\n") + line;
    if (!ReplSession::complete(buffer)) continue;
    session.handle(std::exchange(buffer, {}));
    flush(session);
    any_failed |= session.failed();
  }
  if (!scan::trim(buffer).empty()) {
    std::cerr << say("utfall repl: the input ended inside an unfinished expression or declaration") << "\n";
    any_failed = true;
  }
  return any_failed ? 1 : 0;
}

}  // namespace

int run_repl(const ReplOptions& options) {
  ReplSession session(ReplSession::Config{});
  session.start(options);
  bool terminal = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
  if (!terminal) {
    flush(session);
    return scripted(session, options.wording);
  }
  return interactive(session, options);
}

}  // namespace utfall

