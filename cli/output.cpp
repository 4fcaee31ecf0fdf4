#include "cli/output.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

namespace utfall::cli {

namespace {

Diagnostic cannot_write(const std::string& path, const std::string& why) {
  Diagnostic d;
  d.kind = DiagKind::io;
  d.code = "E801";
  d.message = fmt::format("cannot write `{}`: {}", path, why);
  d.location = path;
  return d;
}

}  // namespace

std::optional<Diagnostic> write_file_whole(const std::string& path, const std::string& text) {
  namespace fs = std::filesystem;
  fs::path target(path);
  if (target.filename().empty()) return cannot_write(path, "it names a directory");
  std::error_code ec;
  fs::file_status status = fs::status(target, ec);  // follows links
  if (!ec && fs::is_directory(status)) return cannot_write(path, "it is a directory");
  if (!ec && fs::exists(status) && !fs::is_regular_file(status)) return cannot_write(path, "it is not a regular file");
  if (fs::is_symlink(fs::symlink_status(target, ec))) {  // replace the file the link names, keep the link
    fs::path resolved = fs::canonical(target, ec);
    if (!ec) target = resolved;
  }
  fs::path dir = target.parent_path().empty() ? fs::path(".") : target.parent_path();
  // In the same directory, so that the rename stays within one file system and is atomic.
  std::string temp = (dir / ("." + target.filename().string() + ".tmp-XXXXXX")).string();
  int fd = mkstemp(temp.data());
  if (fd < 0) return cannot_write(path, std::strerror(errno));
  auto fail = [&](int err) {
    close(fd);
    unlink(temp.c_str());
    return cannot_write(path, std::strerror(err));
  };
  // mkstemp makes the file 0600; give it what a newly created file would get.
  mode_t mask = umask(0);
  umask(mask);
  if (fchmod(fd, 0666 & ~mask) != 0) return fail(errno);
  for (std::size_t done = 0; done < text.size();) {
    ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(errno);
    }
    done += static_cast<std::size_t>(n);
  }
  if (fsync(fd) != 0) return fail(errno);
  if (close(fd) != 0) {
    int err = errno;
    unlink(temp.c_str());
    return cannot_write(path, std::strerror(err));
  }
  if (std::rename(temp.c_str(), target.c_str()) != 0) {
    int err = errno;
    unlink(temp.c_str());
    return cannot_write(path, std::strerror(err));
  }
  return std::nullopt;
}

std::optional<Diagnostic> write_stdout(const std::string& text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
    Diagnostic d = cannot_write("(standard output)", std::strerror(errno));
    d.message = fmt::format("cannot write the schedule to the standard output: {}", std::strerror(errno));
    return d;
  }
  return std::nullopt;
}

}  // namespace utfall::cli
