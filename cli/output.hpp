// Where the command line's output goes, and what happens when it cannot go there.
//
// `write_file_whole` (`run -o FILE`) writes the text to a new temporary file in the same
// directory as the target, flushes it to disk, and renames it over the target. A reader of the
// target sees the old file or the new one, never a part; when anything fails, the temporary
// file is removed, the target is left as it was, and the reason comes back as a diagnostic
// (E802, kind io; the command then exits with `kOutputFailed`). Nothing is written at all until
// the caller has the whole text, so a failed evaluation never touches the target. A target that
// exists must be a regular file (or a link to one, which stays a link) that the user may write:
// renaming over a device or a pipe would replace it, and a rename would replace a read-only
// file as well. The new file keeps the permission bits of the one it replaces (a 0600 file
// stays 0600); it belongs to the user who ran the command. A new target gets 0666 less the umask.
//
// The standard output is checked in one place for every command: a write that fails (a full
// disk, a pipe closed while SIGPIPE is ignored) makes `write_stdout` or `fmt::print` throw
// `std::system_error`, which main turns into `output_failed`; a failure that only shows when
// the buffer is flushed at the end is found by `finish_output`. Either way the command prints
// `utfall: cannot write the output: REASON` on stderr and exits `kOutputFailed` (74, EX_IOERR
// of sysexits.h), not 0 and not 70. With SIGPIPE at its default the process ends by SIGPIPE
// instead, as a Unix filter should.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "interpreter/diagnostic.hpp"

namespace utfall::cli {

constexpr int kOutputFailed = 74;

std::optional<Diagnostic> write_file_whole(const std::string& path, const std::string& text);
// E802 (kind io) for `path`: "cannot write `PATH`: WHY".
Diagnostic cannot_write(const std::string& path, const std::string& why);

// Writes to the standard output; throws std::system_error when the write fails.
void write_stdout(std::string_view text);

// Whether the standard output (or error) has failed a write: an exception caught while it has
// is an output failure, not a bug.
bool streams_failed();
// Prints `utfall: cannot write the output: REASON` (errno `error`) and returns kOutputFailed.
int output_failed(int error);
// Flushes the standard output at the end of a command: `code` when everything was written,
// else output_failed.
int finish_output(int code);

// Prints the diagnostics on standard error, each with its source line, and returns their exit code.
int report(const Diagnostics& diagnostics);
// Prints `utfall COMMAND: MESSAGE` on standard error (escaped for a terminal) and returns 64.
int usage(std::string_view command, const std::string& message);

}  // namespace utfall::cli
