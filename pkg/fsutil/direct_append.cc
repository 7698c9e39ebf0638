#include "pkg/fsutil/direct_append.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "pkg/fsutil/file.h"

namespace ketcd::fsutil {
namespace {

constexpr uint64_t kWritebackStep = 16 << 20;

}  // namespace

DirectAppender::DirectAppender(int fd, std::string name, bool try_direct) : fd_(fd), name_(std::move(name)) {
  if (!try_direct) return;
  void* p = nullptr;
  if (::posix_memalign(&p, kAlign, kBlock) != 0) return;
  buf_ = static_cast<uint8_t*>(p);
  direct_ = SetDirect(true);
}

DirectAppender::~DirectAppender() {
  if (direct_) SetDirect(false);
  std::free(buf_);
}

bool DirectAppender::SetDirect(bool on) {
  const int flags = ::fcntl(fd_, F_GETFL);
  return flags >= 0 && ::fcntl(fd_, F_SETFL, on ? flags | O_DIRECT : flags & ~O_DIRECT) == 0;
}

absl::Status DirectAppender::WriteBlock(const uint8_t* p, size_t n) {
  while (n > 0) {
    ssize_t w = ::pwrite(fd_, p, n, static_cast<off_t>(offset_));
    if (w < 0 && errno == EINTR) continue;
    if (w < 0 && errno == EINVAL && direct_ && SetDirect(false)) {
      // Accepted O_DIRECT but refuses its I/O (some FUSE and network file systems).
      direct_ = false;
      continue;
    }
    if (w < 0) return ErrnoError("write", name_, errno);
    p += w;
    n -= static_cast<size_t>(w);
    offset_ += static_cast<uint64_t>(w);
  }
  return absl::OkStatus();
}

void DirectAppender::StartWriteback() {
  if (offset_ - writeback_from_ < kWritebackStep) return;
  ::sync_file_range(fd_, static_cast<off_t>(writeback_from_), static_cast<off_t>(offset_ - writeback_from_),
                    SYNC_FILE_RANGE_WRITE);
  writeback_from_ = offset_;
}

absl::Status DirectAppender::Append(const void* data, size_t n) {
  const auto* p = static_cast<const uint8_t*>(data);
  if (!direct_) {
    KETCD_RETURN_IF_ERROR(WriteBlock(p, n));
    StartWriteback();
    return absl::OkStatus();
  }
  while (n > 0) {
    const size_t take = std::min(n, kBlock - used_);
    std::memcpy(buf_ + used_, p, take);
    used_ += take;
    p += take;
    n -= take;
    if (used_ == kBlock) {
      KETCD_RETURN_IF_ERROR(WriteBlock(buf_, kBlock));
      used_ = 0;
    }
  }
  return absl::OkStatus();
}

absl::Status DirectAppender::Finish() {
  if (!direct_ || used_ == 0) return absl::OkStatus();
  // The tail is not a whole number of aligned blocks: write it through the page cache.
  if (!SetDirect(false)) return ErrnoError("fcntl", name_, errno);
  direct_ = false;
  const size_t n = used_;
  used_ = 0;
  return WriteBlock(buf_, n);
}

}  // namespace ketcd::fsutil
