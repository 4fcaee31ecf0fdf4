// Files on disk: the one place that opens a file a host named, and decides which names a
// contract may give.
//
// `read_regular_file` takes a path and a byte limit and gives the file's bytes, or why not. It
// reads only a regular file: a FIFO, a device, a directory or a socket is refused before
// anything could block on it (the path is looked at with stat, opened without blocking, and
// the opened descriptor looked at again, so a file swapped in between is caught too). The
// limit counts the bytes actually read, not what stat says, so a file that grows while it is
// read, a /proc file that stats as empty, or a device that never ends cannot take more than
// the limit (plus one read buffer) of memory.
//
// `path_inside` resolves a file name that a contract gives (an `example`'s data file) against
// the contract's folder: the name must be relative, have no `..` component, and, once every
// link on the way is followed, still lie inside that folder. Nothing is read.
#pragma once

#include <cstddef>
#include <string>
#include <variant>

#include "interpreter/messages.hpp"

namespace utfall {

struct ReadFailure {
  enum class Kind { unreadable, too_large } kind;
  std::string reason;  // unreadable: "it is a FIFO (a named pipe), not a regular file", strerror, ...
  std::size_t bytes = 0;  // too_large: the size stat gave, or the bytes read when stat gave less
  bool grew = false;      // too_large: found while reading (stat said it fit)
};

// The whole file at `path`, or why not (the reasons name no path; callers do). With a folder
// `beneath` (`path` is then one that path_inside gave for it), the file is opened relative to
// that folder and no link may lead out of it, even one swapped in after path_inside looked.
std::variant<std::string, ReadFailure> read_regular_file(const std::string& path, std::size_t max_bytes,
                                                         const std::string& beneath = {});

// "`c.utfall` is 70000000 bytes, more than the limit of 67108864", or, for a file that grew
// while it was read, "`/dev/zero` holds more than the limit of 67108864 bytes".
Text too_large_message(const std::string& path, const ReadFailure& failure, std::size_t max_bytes);

// `folder / name` when `name` may be read from `folder`; else why not ("it is an absolute
// path", "it has a `..` component", "it leads through a link to `/etc/passwd`, outside the
// folder"). A name that does not exist is returned as a path: reading it says so.
// The kind says why, so that a message can say it in a sentence of its own in either language;
// `detail` is the operating system's words for `unfollowable`.
struct PathRefused {
  enum class Kind { empty, absolute, parent, unfollowable, outside } kind;
  std::string detail;
  std::string reason() const;  // in English: "it is an absolute path; ..."
};
std::variant<std::string, PathRefused> path_inside(const std::string& folder, const std::string& name);

}  // namespace utfall
