// A self-contained HTML page printed to PDF by a headless browser (`utfall doc -o FILE.pdf`).
//
// utfall draws no PDF itself: Debian's `chromium` lays the page out and prints it with the page's
// own print style (A4, cli/report_html.cpp's `page_style`). `print_pdf` writes the HTML to a new
// private directory (mkdtemp, 0700, in $TMPDIR or /tmp), starts the browser there with an argv
// array (posix_spawnp: no shell reads a path), with a fresh empty profile of its own, its output
// kept in a log, and waits for it at most `kBrowserSeconds`; then it kills the browser's whole
// process group. The PDF is accepted only when the browser exits 0 and the file it wrote starts
// with `%PDF-`; it comes back as bytes, for the caller to write whole (cli/output.hpp). The
// private directory is removed on every path, and when SIGINT or SIGTERM arrives while the
// browser runs, the browser is stopped and the directory removed before utfall ends by it.
#pragma once

#include <string>
#include <variant>

namespace utfall::cli {

constexpr int kBrowserSeconds = 120;

// What went wrong: one line (`what`, for after "cannot write FILE.pdf: "), and the tail of the
// browser's own output where it ran and failed ("" otherwise).
struct PdfProblem {
  std::string what;
  std::string browser_output;
};

// The PDF of `html`, or why there is none. `browser` is a name looked up on PATH or a path.
std::variant<std::string, PdfProblem> print_pdf(const std::string& html, const std::string& browser);

}  // namespace utfall::cli
