#include "cli/output.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <system_error>

#include "interpreter/unicode.hpp"

namespace utfall::cli {

Diagnostic cannot_write(const std::string& path, const std::string& why) {
  Diagnostic d;
  d.kind = DiagKind::io;
  d.code = "E802";
  set_message(d, text("cannot write `{}`: {}", path, why));  // `why`: the operating system's words
  d.location = path;
  return d;
}

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
  // The permission bits of the file replaced, or those of a new file.
  mode_t mask = umask(0);
  umask(mask);
  mode_t mode = 0666 & ~mask;
  if (struct stat st {}; ::stat(target.c_str(), &st) == 0) {
    // A rename needs only the directory's permission: ask the file's own first. Root may
    // write any file, so a file nobody may write is refused by its bits too.
    if (::access(target.c_str(), W_OK) != 0) return cannot_write(path, std::strerror(errno));
    if ((st.st_mode & 0222) == 0) return cannot_write(path, "it is read-only");
    mode = st.st_mode & 0777;
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
  if (fchmod(fd, mode) != 0) return fail(errno);  // mkstemp made it 0600
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

void write_stdout(std::string_view text) {
  if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() || std::fflush(stdout) != 0)
    throw std::system_error(errno, std::generic_category(), "cannot write the output");
}

bool streams_failed() { return std::ferror(stdout) != 0 || std::ferror(stderr) != 0; }

int output_failed(int error) {
  std::fprintf(stderr, "utfall: cannot write the output: %s\n", std::strerror(error ? error : EIO));
  return kOutputFailed;
}

int finish_output(int code) {
  errno = 0;
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) return output_failed(errno);
  return code;
}

int report(const Diagnostics& diagnostics) {
  std::cerr << render_all(diagnostics, true);
  return exit_code_for(diagnostics);
}

int usage(std::string_view command, const std::string& message) {
  fmt::print(stderr, "utfall {}: {}\n", command, terminal_text(message));
  return 64;
}

}  // namespace utfall::cli
