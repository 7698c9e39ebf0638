#include "pkg/bbolt/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "pkg/bbolt/sigbus_guard.h"

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22  // Linux 5.14
#endif

namespace ketcd::bbolt {
namespace {

absl::Status OsError(const std::string& what, const std::string& path, int err) {
  std::string msg = absl::StrCat(what, " ", path, ": ", std::strerror(err));
  if (err == ENOENT) return absl::NotFoundError(msg);
  if (err == EIO) return absl::DataLossError(msg);
  return absl::UnknownError(msg);
}

const char* FileType(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode) || S_ISBLK(mode)) return "a device";
  return "not a regular file";
}

absl::Status NotRegular(const std::string& path, mode_t mode) {
  return absl::InvalidArgumentError(absl::StrCat(path, " is ", FileType(mode), ", not a regular file"));
}

}  // namespace

absl::StatusOr<std::unique_ptr<MappedFile>> MappedFile::Open(const std::string& path) {
  // Look before opening: opening a FIFO for reading blocks until a writer comes.
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return OsError("stat", path, errno);
  if (!S_ISREG(st.st_mode)) return NotRegular(path, st.st_mode);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) return OsError("open", path, errno);
  auto fail = [fd](absl::Status s) {
    ::close(fd);
    return s;
  };
  if (::fstat(fd, &st) != 0) return fail(OsError("stat", path, errno));
  if (!S_ISREG(st.st_mode)) return fail(NotRegular(path, st.st_mode));  // replaced since the stat
  if (st.st_size == 0) return fail(absl::DataLossError(absl::StrCat(path, ": empty file, not a bbolt database")));
  return Map(path, fd, static_cast<uint64_t>(st.st_size));
}

absl::StatusOr<std::unique_ptr<MappedFile>> MappedFile::Duplicate() const {
  int fd = ::fcntl(fd_, F_DUPFD_CLOEXEC, 0);
  if (fd < 0) return OsError("dup", path_, errno);
  return Map(path_, fd, size_);
}

absl::StatusOr<std::unique_ptr<MappedFile>> MappedFile::Map(const std::string& path, int fd, uint64_t size) {
  void* base = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (base == MAP_FAILED) {
    int err = errno;
    ::close(fd);
    return OsError("mmap", path, err);
  }
  const int slot = sigbus::Register(base, size);
  if (slot < 0) {
    ::munmap(base, size);
    ::close(fd);
    return absl::ResourceExhaustedError(absl::StrCat("mmap ", path, ": too many files mapped at once"));
  }
  ::madvise(base, size, MADV_SEQUENTIAL);
  return std::unique_ptr<MappedFile>(new MappedFile(path, fd, static_cast<const uint8_t*>(base), size, slot));
}

MappedFile::~MappedFile() {
  sigbus::Unregister(slot_);
  ::munmap(const_cast<uint8_t*>(base_), size_);
  ::close(fd_);
}

absl::Status MappedFile::CheckIntact() const {
  const bool faulted = sigbus::Faulted(slot_);
  struct stat st;
  const bool resized = ::fstat(fd_, &st) == 0 && static_cast<uint64_t>(st.st_size) != size_;
  if (!faulted && !resized) return absl::OkStatus();
  return absl::DataLossError(absl::StrCat(
      path_, ": the file changed size or could not be read while it was being read (",
      resized ? absl::StrCat(size_, " bytes when opened, ", st.st_size, " now") : std::string("an I/O error"),
      "); nothing read from it was used"));
}

void MappedFile::Advise(uint64_t offset, uint64_t n, int advice) const {
  if (offset >= size_ || n == 0) return;
  if (n > size_ - offset) n = size_ - offset;
  static const uint64_t kOsPage = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  uint64_t begin = offset / kOsPage * kOsPage;
  uint64_t end = offset + n;
  ::madvise(const_cast<uint8_t*>(base_) + begin, end - begin, advice);
}

void MappedFile::Release(uint64_t offset, uint64_t n) const { Advise(offset, n, MADV_DONTNEED); }

void MappedFile::Prefault(uint64_t offset, uint64_t n) const { Advise(offset, n, MADV_POPULATE_READ); }

}  // namespace ketcd::bbolt
