#pragma once
// A read-only, private memory map of a whole file. The file is never written or locked.
// Pages already read can be dropped from the process's resident set with Release(),
// so walking a 1 GiB database does not keep 1 GiB resident: the mapping is read-only
// and private, so dropped pages are simply read again from the file if touched later.
//
// A file that shrinks while mapped (truncated by another program) or whose pages cannot
// be read (an I/O error) would make the kernel send SIGBUS on the next access. Every
// mapping is registered with a process-wide SIGBUS handler (installed by the first Open):
// a fault inside a registered mapping maps a page of zeros over the faulting page and marks
// the mapping as faulted, so the reader carries on over zeros. Readers call CheckIntact()
// after their pass and discard what they computed when it fails (DataLoss). A SIGBUS
// anywhere else keeps its previous disposition. Nothing of this runs on the hot path.

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace ketcd::bbolt {

class MappedFile {
 public:
  // Maps `path` (O_RDONLY, PROT_READ, MAP_PRIVATE). NotFound if missing; InvalidArgument if
  // it is not a regular file (a FIFO is refused without opening it, so nothing blocks);
  // DataLoss if empty.
  static absl::StatusOr<std::unique_ptr<MappedFile>> Open(const std::string& path);
  // A second, independent mapping of the same open file (not of whatever the path names
  // now): a reader releasing or prefetching its pages does not disturb this one's readers.
  absl::StatusOr<std::unique_ptr<MappedFile>> Duplicate() const;
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  absl::Span<const uint8_t> data() const { return {base_, size_}; }
  const std::string& path() const { return path_; }
  // The open file the mapping was made from (read-only, close-on-exec), for reading the same
  // file again with read(2) or copy_file_range(2) whatever happens to its path meanwhile.
  int fd() const { return fd_; }

  // DataLoss when a page of the mapping could not be read (see above) or the file no longer
  // has the size it had when mapped. Call after reading; then anything computed from data()
  // must be discarded.
  absl::Status CheckIntact() const;

  // Drops the mapped pages of [offset, offset + n) (clamped) from the resident set.
  void Release(uint64_t offset, uint64_t n) const;
  // Maps [offset, offset + n) (clamped) in one call, so that a thread reading it later does
  // not take the page faults. Best effort: a no-op on kernels without MADV_POPULATE_READ.
  void Prefault(uint64_t offset, uint64_t n) const;

 private:
  // madvise over the OS pages of [offset, offset + n), clamped to the file.
  void Advise(uint64_t offset, uint64_t n, int advice) const;
  // Maps `size` bytes of `fd`, which the result then owns (closed on failure too).
  static absl::StatusOr<std::unique_ptr<MappedFile>> Map(const std::string& path, int fd, uint64_t size);

  MappedFile(std::string path, int fd, const uint8_t* base, uint64_t size, int slot)
      : path_(std::move(path)), fd_(fd), base_(base), size_(size), slot_(slot) {}
  std::string path_;
  int fd_;
  const uint8_t* base_;
  uint64_t size_;
  int slot_;  // in the SIGBUS registry (mapped_file.cc)
};

}  // namespace ketcd::bbolt
