// Printing a page to PDF with a headless browser (cli/pdf.hpp).
#include "cli/pdf.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <thread>
#include <vector>

extern char** environ;

namespace utfall::cli {
namespace {

namespace fs = std::filesystem;

volatile std::sig_atomic_t stop_signal = 0;
extern "C" void on_stop(int signal) { stop_signal = signal; }

// A new directory only this user can read, removed with all it holds when this goes.
class PrivateDir {
 public:
  PrivateDir() {
    const char* tmp = std::getenv("TMPDIR");
    const std::string base = tmp && *tmp ? tmp : "/tmp";
    std::string pattern = base + "/utfall-pdf-XXXXXX";
    if (::mkdtemp(pattern.data())) {
      std::error_code ec;
      path_ = fs::absolute(pattern, ec).string();
      if (ec) path_ = pattern;
    } else {
      problem_ = fmt::format("cannot make a temporary directory in {}: {}", base, std::strerror(errno));
    }
  }
  ~PrivateDir() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  PrivateDir(const PrivateDir&) = delete;
  PrivateDir& operator=(const PrivateDir&) = delete;
  const std::string& path() const { return path_; }
  const std::string& problem() const { return problem_; }

 private:
  std::string path_, problem_;
};

// SIGINT and SIGTERM noted rather than acted on while this lives, so that the browser can be
// stopped and the directory removed first.
class StopSignals {
 public:
  StopSignals() {
    stop_signal = 0;
    struct sigaction sa {};
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int_);
    sigaction(SIGTERM, &sa, &old_term_);
  }
  ~StopSignals() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
  }
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

 private:
  struct sigaction old_int_ {}, old_term_ {};
};

// `path` (absolute) as a file: URL, every byte but the unreserved ones and `/` percent-encoded.
std::string file_url(const std::string& path) {
  std::string url = "file://";
  for (unsigned char c : path) {
    if (std::isalnum(c) || std::strchr("/-._~", c)) url += static_cast<char>(c);
    else url += fmt::format("%{:02X}", c);
  }
  return url;
}

std::optional<std::string> read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The last `lines` lines of the browser's log.
std::string tail(const std::string& log, int lines) {
  auto text = read_all(log).value_or("");
  std::size_t at = text.size();
  while (at > 0 && text[at - 1] == '\n') --at;
  text.resize(at);
  for (int n = 0; n < lines && at != std::string::npos && at > 0; ++n) at = text.rfind('\n', at - 1);
  return at == std::string::npos || at == 0 ? text : text.substr(at + 1);
}

// Starts the browser in a process group of its own, its standard input empty and its output in
// `log`: its pid, or -1 with the errno of the failed start in `error`.
pid_t start(const std::string& browser, std::vector<std::string> args, const std::string& log, int& error) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  posix_spawnattr_setpgroup(&attributes, 0);
  sigset_t defaults, none;
  sigemptyset(&defaults);
  for (int s : {SIGINT, SIGTERM, SIGPIPE}) sigaddset(&defaults, s);  // utfall may ignore SIGPIPE (cli/output.hpp)
  posix_spawnattr_setsigdefault(&attributes, &defaults);
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attributes, &none);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int failed = posix_spawnp(&pid, browser.c_str(), &actions, &attributes, argv.data(), environ);
  posix_spawnattr_destroy(&attributes);
  posix_spawn_file_actions_destroy(&actions);
  error = failed;
  return failed ? -1 : pid;
}

// Waits for the browser at most kBrowserSeconds (or until SIGINT or SIGTERM); kills its whole
// group either way, since a browser leaves helper processes behind. A problem, or nothing when
// it exited 0.
std::optional<std::string> wait_for(pid_t pid, const std::string& browser) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(kBrowserSeconds);
  std::optional<std::string> problem;
  for (;;) {
    siginfo_t info{};
    // WNOWAIT: the exited browser stays a zombie, so its pid (the group's id) is not reused
    // before the group is killed below.
    if (waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid) {
      if (info.si_code == CLD_EXITED && info.si_status != 0) problem = fmt::format("`{}` exited with status {}", browser, info.si_status);
      else if (info.si_code != CLD_EXITED) problem = fmt::format("`{}` was ended by signal {}", browser, info.si_status);
      break;
    }
    if (stop_signal) {
      problem = "stopped by a signal";
      break;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      problem = fmt::format("`{}` did not finish within {} s and was stopped", browser, kBrowserSeconds);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ::kill(-pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return problem;
}

std::variant<std::string, PdfProblem> print_in(const PrivateDir& dir, const std::string& html, const std::string& browser) {
  if (dir.path().empty()) return PdfProblem{dir.problem(), ""};
  const std::string page = dir.path() + "/page.html", pdf = dir.path() + "/page.pdf", log = dir.path() + "/browser.log",
                    profile = dir.path() + "/profile";
  {
    std::ofstream out(page, std::ios::binary);
    out << html;
    out.close();
    if (!out) return PdfProblem{fmt::format("cannot write the page to {}: {}", dir.path(), std::strerror(errno)), ""};
  }
  std::error_code ec;
  fs::create_directory(profile, ec);  // a fresh, empty profile: no user's settings or extensions
  int error = 0;
  const pid_t pid = start(browser,
                       {browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer", "--no-first-run",
                        "--user-data-dir=" + profile, "--print-to-pdf=" + pdf, file_url(page)},
                          log, error);
  if (pid < 0 && error == ENOENT) return PdfProblem{fmt::format("the browser `{}` was not found", browser), ""};
  if (pid < 0) return PdfProblem{fmt::format("cannot start the browser `{}`: {}", browser, std::strerror(error)), ""};
  if (auto problem = wait_for(pid, browser)) return PdfProblem{*problem, tail(log, 20)};
  auto bytes = read_all(pdf);
  if (!bytes) return PdfProblem{fmt::format("`{}` exited 0 but wrote no PDF", browser), tail(log, 20)};
  if (bytes->rfind("%PDF-", 0) != 0) return PdfProblem{fmt::format("what `{}` wrote is not a PDF", browser), tail(log, 20)};
  return std::move(*bytes);
}

}  // namespace

std::variant<std::string, PdfProblem> print_pdf(const std::string& html, const std::string& browser) {
  std::variant<std::string, PdfProblem> result;
  {
    StopSignals signals;
    const PrivateDir dir;
    result = print_in(dir, html, browser);
  }  // the directory is gone, the old handlers are back
  if (stop_signal) std::raise(stop_signal);
  return result;
}

}  // namespace utfall::cli
