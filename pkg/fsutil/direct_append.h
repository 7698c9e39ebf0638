#pragma once
// Appending a long stream to a new file without going through the page cache.
//
// With O_DIRECT the device reads the bytes straight from an aligned buffer: no copy into
// the page cache and no writeback afterwards, which on a busy control-plane node leaves the
// CPU to etcd. Bytes are gathered into aligned blocks of kBlock; the last partial block is
// written after turning O_DIRECT off again. When the file system refuses O_DIRECT (tmpfs,
// some FUSE and network file systems), the bytes are written through the page cache and
// writeback is started every few MiB, so the final fsync stays short either way.
// The caller fsyncs.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "pkg/base/status.h"

namespace ketcd::fsutil {

class DirectAppender {
 public:
  // `fd` must be a regular file open for writing at offset 0, empty. `name` is for errors.
  DirectAppender(int fd, std::string name, bool try_direct = true);
  ~DirectAppender();
  DirectAppender(const DirectAppender&) = delete;
  DirectAppender& operator=(const DirectAppender&) = delete;

  absl::Status Append(const void* data, size_t n);
  // Writes what is buffered. Append may not be called after.
  absl::Status Finish();

  bool direct() const { return direct_; }
  uint64_t written() const { return offset_ + used_; }

  static constexpr size_t kBlock = 1 << 20;
  static constexpr size_t kAlign = 4096;

 private:
  absl::Status WriteBlock(const uint8_t* p, size_t n);
  bool SetDirect(bool on);  // turns O_DIRECT on or off on fd_; false if refused
  void StartWriteback();

  int fd_;
  std::string name_;
  bool direct_ = false;
  uint8_t* buf_ = nullptr;  // kBlock bytes, kAlign-aligned (direct mode)
  size_t used_ = 0;
  uint64_t offset_ = 0;     // bytes written to the file
  uint64_t writeback_from_ = 0;
};

}  // namespace ketcd::fsutil
