// Files the command line writes: whole or not at all.
//
// `write_file_whole` writes the text to a new temporary file in the same directory as the
// target, flushes it to disk, and renames it over the target. A reader of the target sees the
// old file or the new one, never a part; when anything fails, the temporary file is removed,
// the target is left as it was, and the reason comes back as a diagnostic (E801, kind io).
// Nothing is written at all until the caller has the whole text, so a failed evaluation never
// touches the target. A target that exists must be a regular file (or a link to one, which
// stays a link): renaming over a device or a pipe would replace it.
//
// `write_stdout` writes the text to the standard output and flushes it; a write that fails
// (a full disk, a closed pipe) is an E801 diagnostic, not a silent success.
#pragma once

#include <optional>
#include <string>

#include "interpreter/diagnostic.hpp"

namespace utfall::cli {

std::optional<Diagnostic> write_file_whole(const std::string& path, const std::string& text);
std::optional<Diagnostic> write_stdout(const std::string& text);

}  // namespace utfall::cli
