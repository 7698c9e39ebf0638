#include "pkg/fsutil/file.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace ketcd::fsutil {

namespace {
constexpr char kErrnoPayload[] = "ketcd.errno";
}  // namespace

absl::Status ErrnoError(const std::string& what, const std::string& path, int err) {
  std::string msg = absl::StrCat(what, " \"", path, "\": ", std::strerror(err));
  absl::Status s;
  switch (err) {
    case ENOENT:
      s = absl::NotFoundError(msg);
      break;
    case EEXIST:
    case ENOTEMPTY:
      s = absl::AlreadyExistsError(msg);
      break;
    case EINTR:
      s = absl::CancelledError(msg);
      break;
    default:
      s = absl::InternalError(msg);
      break;
  }
  s.SetPayload(kErrnoPayload, absl::Cord(std::to_string(err)));
  return s;
}

int ErrnoOf(const absl::Status& status) {
  auto p = status.GetPayload(kErrnoPayload);
  int err = 0;
  if (!p || !absl::SimpleAtoi(std::string(*p), &err)) return 0;
  return err;
}

bool PathExists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

bool IsDirectory(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

absl::StatusOr<bool> IsMissingOrEmptyDir(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return true;
    return ErrnoError("stat", path, errno);
  }
  if (!S_ISDIR(st.st_mode)) return false;
  DIR* d = ::opendir(path.c_str());
  if (d == nullptr) return ErrnoError("open directory", path, errno);
  bool empty = true;
  while (dirent* e = ::readdir(d)) {
    if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) {
      empty = false;
      break;
    }
  }
  ::closedir(d);
  return empty;
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoError("open", path, errno);
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return ErrnoError("read", path, err);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

absl::StatusOr<uint64_t> FileSize(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return ErrnoError("stat", path, errno);
  return static_cast<uint64_t>(st.st_size);
}

absl::Status WriteAll(int fd, const void* data, size_t n, const std::string& path) {
  const char* p = static_cast<const char*>(data);
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("write", path, errno);
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return absl::OkStatus();
}

absl::Status FsyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoError("open directory", dir, errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return ErrnoError("fsync directory", dir, err);
  return absl::OkStatus();
}

absl::Status MkdirAll(const std::string& dir, unsigned mode) {
  if (dir.empty() || IsDirectory(dir)) return absl::OkStatus();
  std::string parent = Dirname(dir);
  if (parent != dir) KETCD_RETURN_IF_ERROR(MkdirAll(parent, mode));
  if (::mkdir(dir.c_str(), mode) != 0 && errno != EEXIST) return ErrnoError("create directory", dir, errno);
  return absl::OkStatus();
}

absl::Status RemoveAll(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
  if (ec) return absl::InternalError(absl::StrCat("remove \"", path, "\": ", ec.message()));
  return absl::OkStatus();
}

std::string Dirname(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string Basename(const std::string& path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string JoinPath(std::string_view a, std::string_view b) {
  if (a.empty()) return std::string(b);
  if (b.empty()) return std::string(a);
  std::string out(a);
  if (out.back() == '/') out.pop_back();
  if (b.front() == '/') b.remove_prefix(1);
  return absl::StrCat(out, "/", std::string(b));
}

}  // namespace ketcd::fsutil
