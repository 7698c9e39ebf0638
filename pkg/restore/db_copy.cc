#include "pkg/restore/db_copy.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <functional>
#include <memory>
#include <thread>

#include "absl/strings/str_cat.h"
#include "pkg/base/interrupt.h"
#include "pkg/base/sha256.h"
#include "pkg/bbolt/mapped_file.h"
#include "pkg/fsutil/file.h"

namespace ketcd::restore {
namespace {

constexpr uint64_t kChunk = 8 << 20;
constexpr uint64_t kInFlight = 4;  // chunks under writeback before we wait for the oldest

// An I/O error reading the snapshot: the file cannot be used (DataLoss, like a short file).
absl::Status ReadError(const std::string& path, int err) {
  if (err != EIO) return fsutil::ErrnoError("read", path, err);
  return absl::DataLossError(absl::StrCat(path, ": could not be read: ", std::strerror(err)));
}

absl::Status PreadFull(int fd, uint8_t* buf, uint64_t n, uint64_t off, const std::string& path) {
  while (n > 0) {
    ssize_t r = ::pread(fd, buf, n, static_cast<off_t>(off));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return ReadError(path, errno);
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

// Copies [off, off + n) of src to the same offset of dst. In the kernel (copy_file_range:
// page cache to page cache, or shared extents where the file system can) unless `*in_kernel`
// is false or the kernel refuses this pair of files, then through `buf`.
absl::Status CopyRange(int src, int dst, uint64_t off, uint64_t n, bool* in_kernel, std::unique_ptr<uint8_t[]>& buf,
                       const std::string& src_path) {
  while (*in_kernel && n > 0) {
    loff_t in = static_cast<loff_t>(off), out = static_cast<loff_t>(off);
    ssize_t c = ::copy_file_range(src, &in, dst, &out, n, 0);
    if (c < 0 && errno == EINTR) continue;
    if (c < 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP || errno == EBADF)) {
      *in_kernel = false;  // e.g. another file system: copy through user space from here on
      break;
    }
    if (c < 0 && errno == EIO) return ReadError(src_path, errno);
    if (c < 0) return fsutil::ErrnoError("copy to member/snap/db from", src_path, errno);
    if (c == 0) return absl::DataLossError(absl::StrCat(src_path, ": file shrank while reading"));
    off += static_cast<uint64_t>(c);
    n -= static_cast<uint64_t>(c);
  }
  if (n == 0) return absl::OkStatus();
  if (!buf) buf.reset(new uint8_t[kChunk]);
  KETCD_RETURN_IF_ERROR(PreadFull(src, buf.get(), n, off, src_path));
  return PwriteFull(dst, buf.get(), n, off);
}

// SHA-256 of the mapped file's first `n` bytes, on its own thread, beside the copy.
class BackgroundSha256 {
 public:
  BackgroundSha256(const bbolt::MappedFile* file, uint64_t n) : file_(file), hash_bytes_(n) {
    if (file_ == nullptr) {
      done_ = true;
    } else {
      thread_ = std::thread([this] { Run(); });
    }
  }
  ~BackgroundSha256() { Stop(); }

  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  uint64_t hashed() const { return hashed_; }

  // Called by the copying thread as it goes: maps the pages just ahead of the hashing thread
  // (which then runs without page faults, the critical path) and drops those behind it.
  void Feed() {
    if (file_ == nullptr) return;
    const uint64_t hashed = hashed_;
    const uint64_t behind = hashed / kChunk * kChunk;
    if (behind > released_) {
      file_->Release(released_, behind - released_);
      released_ = behind;
    }
    const uint64_t ahead = std::min(hashed + kFeedAhead, hash_bytes_);
    if (ahead > prefaulted_) {
      file_->Prefault(std::max(prefaulted_, hashed), ahead - std::max(prefaulted_, hashed));
      prefaulted_ = ahead;
    }
  }

  // Waits for the end, feeding the hashing thread and calling `tick` meanwhile.
  Sha256Digest Wait(const std::function<void()>& tick) {
    for (;;) {
      Feed();
      {
        std::unique_lock<std::mutex> lock(mu_);
        if (cv_.wait_for(lock, std::chrono::milliseconds(5), [this] { return done_; })) break;
      }
      if (tick) tick();
    }
    if (thread_.joinable()) thread_.join();
    return digest_;
  }

 private:
  void Run() {
    Sha256 h;
    const uint8_t* p = file_->data().data();
    for (uint64_t off = 0; off < hash_bytes_ && !stop_; off += kChunk) {
      const uint64_t len = std::min(kChunk, hash_bytes_ - off);
      h.Update(p + off, len);
      hashed_ += len;
    }
    digest_ = h.Final();
    std::lock_guard<std::mutex> lock(mu_);
    done_ = true;
    cv_.notify_all();
  }

  static constexpr uint64_t kFeedAhead = 4 * kChunk;

  const bbolt::MappedFile* file_;
  const uint64_t hash_bytes_;
  uint64_t released_ = 0;    // the feeding thread's
  uint64_t prefaulted_ = 0;  // the feeding thread's
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;  // guarded by mu_
  std::atomic<uint64_t> hashed_{0};
  Sha256Digest digest_{};
  std::thread thread_;
};

}  // namespace

absl::StatusOr<bbolt::TrailerCheck> CopyImage(const bbolt::MappedFile& src, int dst_fd, const ImageCopyOptions& opts) {
  const std::string& src_path = src.path();
  const uint64_t size = src.data().size();
  const bool trailer = bbolt::HasSha256Trailer(size);
  const uint64_t hash_bytes = trailer && opts.hash ? size - 32 : 0;
  if (opts.copy_bytes > size) return absl::DataLossError(absl::StrCat(src_path, ": shorter than its database"));
  const uint64_t total = opts.copy_bytes + hash_bytes;  // progress: bytes copied plus bytes hashed
  ::posix_fadvise(src.fd(), 0, 0, POSIX_FADV_SEQUENTIAL);
  // The hash reads a mapping of its own (of the same open file): the integrity check walking
  // `src` beside us releases its pages as it goes, which would drop those prefaulted here.
  std::unique_ptr<bbolt::MappedFile> hash_map;
  if (hash_bytes > 0) {
    KETCD_ASSIGN_OR_RETURN(hash_map, src.Duplicate());
  }
  BackgroundSha256 sha(hash_map.get(), hash_bytes);

  std::unique_ptr<uint8_t[]> buf;
  bool in_kernel = opts.in_kernel;
  for (uint64_t off = 0; off < opts.copy_bytes; off += kChunk) {
    if (Interrupted()) return absl::CancelledError("interrupted");
    const uint64_t n = std::min(kChunk, opts.copy_bytes - off);
    sha.Feed();
    KETCD_RETURN_IF_ERROR(CopyRange(src.fd(), dst_fd, off, n, &in_kernel, buf, src_path));
    ::sync_file_range(dst_fd, static_cast<off_t>(off), static_cast<off_t>(n), SYNC_FILE_RANGE_WRITE);
    if (off >= kInFlight * kChunk) {
      // The oldest chunk in flight: wait for it, so that dirty pages stay bounded. Its pages
      // stay in the page cache: etcd reads the whole database when it starts on it, which it
      // does next on a node restore (read back from disk, 1 GiB took seconds).
      const off_t old = static_cast<off_t>(off - kInFlight * kChunk);
      ::sync_file_range(dst_fd, old, kChunk,
                        SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER);
    }
    if (opts.progress) opts.progress(off + n + sha.hashed(), total);
  }
  auto report_hashing = [&] {
    if (opts.progress) opts.progress(opts.copy_bytes + sha.hashed(), total);
  };
  const Sha256Digest computed = sha.Wait([&] {
    if (Interrupted()) sha.Stop();
    report_hashing();
  });
  if (Interrupted()) return absl::CancelledError("interrupted");
  report_hashing();
  bbolt::TrailerCheck out;
  if (trailer) {
    Sha256Digest stored;
    std::memcpy(stored.data(), src.data().data() + size - 32, 32);
    out.stored_hex = DigestHex(stored);
    out.state = bbolt::TrailerState::kNotChecked;
    if (opts.hash) {
      out.state = bbolt::TrailerState::kMatch;
      out.computed_hex = DigestHex(computed);
      if (computed != stored) out.state = bbolt::TrailerState::kMismatch;
    }
  }
  // The hash and the trailer may have read zeros.
  if (hash_map) KETCD_RETURN_IF_ERROR(hash_map->CheckIntact());
  KETCD_RETURN_IF_ERROR(src.CheckIntact());
  return out;
}

}  // namespace ketcd::restore
