// Files the command line writes: whole or not at all.
//
// `write_file_whole` writes the text to a new temporary file in the same directory as the
// target, flushes it to disk, and renames it over the target. A reader of the target sees the
// old file or the new one, never a part; when anything fails, the temporary file is removed,
// the target is left as it was, and the reason comes back as a diagnostic (E801, kind io).
// Nothing is written at all until the caller has the whole text, so a failed evaluation never
// touches the target.
#pragma once

#include <optional>
#include <string>

#include "interpreter/diagnostic.hpp"

namespace utfall::cli {

std::optional<Diagnostic> write_file_whole(const std::string& path, const std::string& text);

}  // namespace utfall::cli
