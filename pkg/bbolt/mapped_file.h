#pragma once
// A read-only, private memory map of a whole file. The file is never written or locked.
// Pages already read can be dropped from the process's resident set with Release(),
// so walking a 1 GiB database does not keep 1 GiB resident: the mapping is read-only
// and private, so dropped pages are simply read again from the file if touched later.

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace ketcd::bbolt {

class MappedFile {
 public:
  // Maps `path` (O_RDONLY, PROT_READ, MAP_PRIVATE). NotFound if missing; DataLoss if empty.
  static absl::StatusOr<std::unique_ptr<MappedFile>> Open(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  absl::Span<const uint8_t> data() const { return {base_, size_}; }
  const std::string& path() const { return path_; }

  // Drops the mapped pages of [offset, offset + n) (clamped) from the resident set.
  void Release(uint64_t offset, uint64_t n) const;
  // Maps [offset, offset + n) (clamped) in one call, so that a thread reading it later does
  // not take the page faults. Best effort: a no-op on kernels without MADV_POPULATE_READ.
  void Prefault(uint64_t offset, uint64_t n) const;

 private:
  // madvise over the OS pages of [offset, offset + n), clamped to the file.
  void Advise(uint64_t offset, uint64_t n, int advice) const;

  MappedFile(std::string path, const uint8_t* base, uint64_t size) : path_(std::move(path)), base_(base), size_(size) {}
  std::string path_;
  const uint8_t* base_;
  uint64_t size_;
};

}  // namespace ketcd::bbolt
