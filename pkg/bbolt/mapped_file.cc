#include "pkg/bbolt/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22  // Linux 5.14
#endif

namespace ketcd::bbolt {
namespace {

absl::Status OsError(const std::string& what, const std::string& path, int err) {
  std::string msg = absl::StrCat(what, " ", path, ": ", std::strerror(err));
  if (err == ENOENT) return absl::NotFoundError(msg);
  return absl::UnknownError(msg);
}

}  // namespace

absl::StatusOr<std::unique_ptr<MappedFile>> MappedFile::Open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return OsError("open", path, errno);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return OsError("stat", path, err);
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return absl::InvalidArgumentError(absl::StrCat(path, ": not a regular file"));
  }
  if (st.st_size == 0) {
    ::close(fd);
    return absl::DataLossError(absl::StrCat(path, ": empty file, not a bbolt database"));
  }
  uint64_t size = static_cast<uint64_t>(st.st_size);
  void* base = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  int err = errno;
  ::close(fd);  // the mapping keeps the file referenced
  if (base == MAP_FAILED) return OsError("mmap", path, err);
  ::madvise(base, size, MADV_SEQUENTIAL);
  return std::unique_ptr<MappedFile>(new MappedFile(path, static_cast<const uint8_t*>(base), size));
}

MappedFile::~MappedFile() { ::munmap(const_cast<uint8_t*>(base_), size_); }

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
