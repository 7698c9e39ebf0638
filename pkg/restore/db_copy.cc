#include "pkg/restore/db_copy.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include "absl/strings/str_cat.h"
#include "pkg/base/interrupt.h"
#include "pkg/base/sha256.h"
#include "pkg/fsutil/file.h"

namespace ketcd::restore {
namespace {

constexpr uint64_t kChunk = 8 << 20;
constexpr uint64_t kInFlight = 4;  // chunks under writeback before we wait for the oldest

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

absl::Status PreadFull(int fd, uint8_t* buf, uint64_t n, uint64_t off, const std::string& path) {
  while (n > 0) {
    ssize_t r = ::pread(fd, buf, n, static_cast<off_t>(off));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return fsutil::ErrnoError("read", path, errno);
    if (r == 0) return absl::DataLossError(absl::StrCat(path, ": file shrank while reading"));
    buf += r;
    n -= static_cast<uint64_t>(r);
    off += static_cast<uint64_t>(r);
  }
  return absl::OkStatus();
}

absl::Status PwriteFull(int fd, const uint8_t* buf, uint64_t n, uint64_t off) {
  while (n > 0) {
    ssize_t w = ::pwrite(fd, buf, n, static_cast<off_t>(off));
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) return fsutil::ErrnoError("write", "member/snap/db", errno);
    buf += w;
    n -= static_cast<uint64_t>(w);
    off += static_cast<uint64_t>(w);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<bbolt::TrailerCheck> CopyImage(const std::string& src_path, int dst_fd,
                                              const ImageCopyOptions& opts) {
  Fd src(::open(src_path.c_str(), O_RDONLY | O_CLOEXEC));
  if (src.get() < 0) return fsutil::ErrnoError("open", src_path, errno);
  struct stat st;
  if (::fstat(src.get(), &st) != 0) return fsutil::ErrnoError("stat", src_path, errno);
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  const bool trailer = bbolt::HasSha256Trailer(size);
  const uint64_t hash_bytes = trailer && opts.hash ? size - 32 : 0;
  if (opts.copy_bytes > size) return absl::DataLossError(absl::StrCat(src_path, ": shorter than its database"));
  const uint64_t total = std::max(opts.copy_bytes, hash_bytes);
  ::posix_fadvise(src.get(), 0, 0, POSIX_FADV_SEQUENTIAL);

  std::unique_ptr<uint8_t[]> buf(new uint8_t[kChunk]);
  Sha256 h;
  for (uint64_t off = 0; off < total; off += kChunk) {
    if (Interrupted()) return absl::CancelledError("interrupted");
    const uint64_t n = std::min(kChunk, total - off);
    KETCD_RETURN_IF_ERROR(PreadFull(src.get(), buf.get(), n, off, src_path));
    if (off < hash_bytes) h.Update(buf.get(), std::min(n, hash_bytes - off));
    if (off < opts.copy_bytes) {
      const uint64_t w = std::min(n, opts.copy_bytes - off);
      KETCD_RETURN_IF_ERROR(PwriteFull(dst_fd, buf.get(), w, off));
      ::sync_file_range(dst_fd, static_cast<off_t>(off), static_cast<off_t>(w), SYNC_FILE_RANGE_WRITE);
      if (off >= kInFlight * kChunk) {
        // The oldest chunk in flight: wait for it, then drop it from the page cache.
        const off_t old = static_cast<off_t>(off - kInFlight * kChunk);
        ::sync_file_range(dst_fd, old, kChunk,
                          SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER);
        ::posix_fadvise(dst_fd, old, kChunk, POSIX_FADV_DONTNEED);
      }
    }
    if (opts.progress) opts.progress(off + n, total);
  }
  bbolt::TrailerCheck out;
  if (!trailer) return out;
  Sha256Digest stored;
  KETCD_RETURN_IF_ERROR(PreadFull(src.get(), stored.data(), 32, size - 32, src_path));
  out.stored_hex = DigestHex(stored);
  out.state = bbolt::TrailerState::kMatch;
  if (opts.hash) {
    Sha256Digest computed = h.Final();
    out.computed_hex = DigestHex(computed);
    if (computed != stored) out.state = bbolt::TrailerState::kMismatch;
  }
  return out;
}

}  // namespace ketcd::restore
