#include "interpreter/files.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <limits>

#include "interpreter/huge_pages.hpp"

namespace utfall {

namespace {

std::string not_regular(mode_t mode) {
  if (S_ISDIR(mode)) return "it is a directory";
  if (S_ISFIFO(mode)) return "it is a FIFO (a named pipe), not a regular file";
  if (S_ISCHR(mode) || S_ISBLK(mode)) return "it is a device, not a regular file";
  if (S_ISSOCK(mode)) return "it is a socket, not a regular file";
  return "it is not a regular file";
}

ReadFailure unreadable(std::string reason) { return ReadFailure{ReadFailure::Kind::unreadable, std::move(reason)}; }

struct Descriptor {
  int fd;
  explicit Descriptor(int f) : fd(f) {}
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  ~Descriptor() {
    if (fd >= 0) ::close(fd);
  }
};

// The folder a file is opened beneath, opened once for both of read_regular_file's opens.
struct Folder {
  std::string path;  // empty: no containment
  Descriptor dir;
};

// Opens `path` with `flags`; with a folder, opens it relative to that folder so that no link on
// the way leads out of it (openat2 RESOLVE_BENEATH, Linux 5.6): a link swapped in after
// path_inside looked is refused too. On an older kernel path_inside's check stands alone.
int open_file(const std::string& path, int flags, const Folder& beneath) {
  if (beneath.path.empty()) return ::open(path.c_str(), flags);
  if (beneath.dir.fd < 0) return -1;
  std::string name = std::filesystem::path(path).lexically_relative(beneath.path).string();
  open_how how{};
  how.flags = static_cast<std::uint64_t>(flags);
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  long fd = ::syscall(SYS_openat2, beneath.dir.fd, name.c_str(), &how, sizeof how);
  if (fd < 0 && errno == ENOSYS) return ::open(path.c_str(), flags);
  return static_cast<int>(fd);
}

// EXDEV: resolving would leave the folder (a link out of it, or an absolute link). ELOOP: links
// that lead to each other in a circle, or a magic link of /proc.
std::string open_failure(const Folder& beneath) {
  if (beneath.path.empty()) return std::strerror(errno);
  if (errno == EXDEV)
    return "it leads through a link to outside the folder, or through an absolute link (name the file by a relative link)";
  if (errno == ELOOP) return "its links lead round in a circle, or through a link of /proc";
  return std::strerror(errno);
}

}  // namespace

std::variant<std::string, ReadFailure> read_regular_file(const std::string& path, std::size_t max_bytes, const std::string& beneath) {
  // First a look without opening for reading (O_PATH): a FIFO, a device or a directory is
  // refused before anything could wait on it or set a device going.
  Folder folder{beneath, Descriptor{-1}};
  if (!beneath.empty()) folder.dir.fd = ::open(beneath.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  struct stat st {};
  {
    Descriptor look{open_file(path, O_PATH | O_CLOEXEC, folder)};
    if (look.fd < 0) return unreadable(open_failure(folder));
    if (::fstat(look.fd, &st) != 0) return unreadable(std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) return unreadable(not_regular(st.st_mode));
  auto size = static_cast<std::uintmax_t>(st.st_size);
  if (size > max_bytes) return ReadFailure{ReadFailure::Kind::too_large, {}, static_cast<std::size_t>(size)};
  // O_NONBLOCK: should a FIFO have taken the file's place since the look, opening it does not
  // wait for a writer; fstat below then refuses it.
  Descriptor file{open_file(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, folder)};
  if (file.fd < 0) return unreadable(open_failure(folder));
  if (::fstat(file.fd, &st) != 0) return unreadable(std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return unreadable(not_regular(st.st_mode));

  // One byte past the limit is room enough to see that a file is over it.
  const std::size_t cap = max_bytes < std::numeric_limits<std::size_t>::max() ? max_bytes + 1 : max_bytes;
  // The text of a large file is offered huge pages before it is first written (huge_pages.hpp).
  const std::size_t first_read = std::min<std::uintmax_t>(static_cast<std::uintmax_t>(std::max<off_t>(st.st_size, 0)), max_bytes) + 1;
  std::string text;
  text.reserve(first_read);
  offer_huge_pages(text.data(), text.capacity());
  text.resize(first_read);
  std::size_t got = 0;
  for (;;) {
    if (got == text.size()) {
      if (got >= cap) return ReadFailure{ReadFailure::Kind::too_large, {}, got, true};
      text.resize(std::min(cap, std::max<std::size_t>(got * 2, 1 << 16)));
    }
    ssize_t n = ::read(file.fd, text.data() + got, text.size() - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      return unreadable(std::strerror(errno));
    }
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  if (got > max_bytes) return ReadFailure{ReadFailure::Kind::too_large, {}, got, true};
  text.resize(got);
  return text;
}

Text too_large_message(const std::string& path, const ReadFailure& failure, std::size_t max_bytes) {
  if (failure.grew) return text("`{}` holds more than the limit of {} bytes", path, max_bytes);
  return text("`{}` is {} bytes, more than the limit of {}", path, failure.bytes, max_bytes);
}

std::string PathRefused::reason() const {
  switch (kind) {
    case Kind::empty: return "the name is empty";
    case Kind::absolute: return "it is an absolute path; name it relative to the folder";
    case Kind::parent: return "it has a `..` component; the file must be inside the folder";
    case Kind::unfollowable: return "its links cannot be followed: " + detail;
    case Kind::outside: break;
  }
  return "it leads through a link to outside the folder";
}

std::variant<std::string, PathRefused> path_inside(const std::string& folder, const std::string& name) {
  namespace fs = std::filesystem;
  if (name.empty()) return PathRefused{PathRefused::Kind::empty, {}};
  fs::path relative(name);
  if (relative.has_root_path()) return PathRefused{PathRefused::Kind::absolute, {}};
  for (const auto& part : relative)
    if (part == "..") return PathRefused{PathRefused::Kind::parent, {}};
  fs::path joined = fs::path(folder) / relative;  // as the reader names it in messages
  fs::path base = folder.empty() ? fs::path(".") : fs::path(folder);
  // Links are followed as the reader would follow them; what is left must still be inside.
  std::error_code ec;
  fs::path real_base = fs::weakly_canonical(base, ec);
  fs::path real = ec ? fs::path() : fs::weakly_canonical(base / relative, ec);
  if (ec) return PathRefused{PathRefused::Kind::unfollowable, ec.message()};
  fs::path rest = real.lexically_relative(real_base);
  if (rest.empty() || *rest.begin() == "..") return PathRefused{PathRefused::Kind::outside, {}};
  return joined.string();
}

}  // namespace utfall
