#include "pkg/backup/snapshot_save.h"

#include <fcntl.h>
#include <unistd.h>

#include <condition_variable>
#include <cstring>
#include <deque>
#include <iostream>
#include <mutex>
#include <optional>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "pkg/base/format.h"
#include "pkg/base/sha256.h"
#include "pkg/cli/json_text.h"
#include "pkg/cli/progress.h"
#include "pkg/fsutil/atomic_file.h"
#include "pkg/fsutil/direct_append.h"
#include "pkg/fsutil/file.h"

namespace ketcd::backup {
namespace {

constexpr size_t kTrailerSize = 32;
constexpr size_t kQueueLimit = 64;        // chunks (32 KiB each): bounds memory at ~2 MiB
constexpr size_t kWakeBatch = 8;          // chunks queued before the writer is woken

// Hashes all but the last 32 bytes seen so far: at the end of the stream those are
// the trailer, and everything before them is the database image.
class TrailerSplitter {
 public:
  void Add(const std::string& blob) {
    const auto* p = reinterpret_cast<const uint8_t*>(blob.data());
    size_t n = blob.size();
    if (n >= kTrailerSize) {
      db_hash_.Update(tail_, tail_len_);
      db_hash_.Update(p, n - kTrailerSize);
      std::memcpy(tail_, p + n - kTrailerSize, kTrailerSize);
      tail_len_ = kTrailerSize;
      return;
    }
    uint8_t buf[2 * kTrailerSize];
    std::memcpy(buf, tail_, tail_len_);
    std::memcpy(buf + tail_len_, p, n);
    size_t total = tail_len_ + n;
    size_t keep = std::min(total, kTrailerSize);
    db_hash_.Update(buf, total - keep);
    std::memcpy(tail_, buf + total - keep, keep);
    tail_len_ = keep;
  }
  bool has_trailer() const { return tail_len_ == kTrailerSize; }
  Sha256Digest trailer() const {
    Sha256Digest d{};
    std::memcpy(d.data(), tail_, kTrailerSize);
    return d;
  }
  // SHA-256 of the whole stream (image and trailer), then of the image alone.
  Sha256Digest StreamDigest() const { return db_hash_.DigestWithSuffix(tail_, tail_len_); }
  Sha256Digest DbDigest() { return db_hash_.Final(); }

 private:
  Sha256 db_hash_;
  uint8_t tail_[kTrailerSize] = {};
  size_t tail_len_ = 0;
};

// Destination of the bytes: an AtomicFile (written with O_DIRECT where possible), or stdout
// for "-". Runs on its own thread so that disk writes and the one SHA-256 pass overlap with
// receiving. The writer takes the queue a batch at a time: a sleep and a wake-up per 32 KiB
// message would cost about as much CPU as the hashing, on a node whose cores etcd needs.
class Sink {
 public:
  explicit Sink(std::unique_ptr<fsutil::AtomicFile> file) : file_(std::move(file)) {
    fd_ = file_ ? file_->fd() : STDOUT_FILENO;
    name_ = file_ ? file_->temp_path() : std::string("standard output");
    thread_ = std::thread([this] { Run(); });
  }
  ~Sink() { Close().IgnoreError(); }  // a Close() that mattered was called and checked before

  // A buffer to swap with the next received blob: recycled from the writer, so that
  // the steady state allocates nothing.
  std::string TakeBuffer() {
    std::lock_guard<std::mutex> lock(mu_);
    if (free_.empty()) return std::string();
    std::string b = std::move(free_.back());
    free_.pop_back();
    return b;
  }

  // Blocks while the queue is full. Returns the writer's error, if any.
  absl::Status Push(std::string&& blob) {
    std::unique_lock<std::mutex> lock(mu_);
    not_full_.wait(lock, [&] { return queue_.size() < kQueueLimit || !status_.ok(); });
    if (!status_.ok()) return status_;
    queue_.push_back(std::move(blob));
    if (queue_.size() == kWakeBatch) not_empty_.notify_one();
    return absl::OkStatus();
  }

  // Waits for all queued bytes to be written.
  absl::Status Close() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      closed_ = true;
    }
    not_empty_.notify_one();
    if (thread_.joinable()) thread_.join();
    return status_;
  }

  // Valid after Close().
  TrailerSplitter& hashes() { return splitter_; }
  fsutil::AtomicFile* file() { return file_.get(); }

 private:
  void Run() {
    std::optional<fsutil::DirectAppender> file_out;
    if (file_) file_out.emplace(fd_, name_);
    std::deque<std::string> batch;
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(mu_);
        for (auto& b : batch) {
          if (free_.size() < kQueueLimit) free_.push_back(std::move(b));
        }
        batch.clear();
        not_empty_.wait(lock, [&] { return queue_.size() >= kWakeBatch || closed_; });
        if (queue_.empty()) {
          if (file_out) {
            absl::Status s = file_out->Finish();
            if (!s.ok()) status_ = s;
          }
          return;
        }
        batch.swap(queue_);
        not_full_.notify_one();
      }
      for (const std::string& blob : batch) {
        splitter_.Add(blob);
        absl::Status s = file_out ? file_out->Append(blob.data(), blob.size())
                                  : fsutil::WriteAll(fd_, blob.data(), blob.size(), name_);
        if (!s.ok()) {
          if (!file_) s = absl::UnavailableError(absl::StrCat("writing to standard output failed: ", s.message()));
          std::lock_guard<std::mutex> lock(mu_);
          status_ = s;
          not_full_.notify_all();
          return;
        }
      }
    }
  }

  std::unique_ptr<fsutil::AtomicFile> file_;
  int fd_;
  std::string name_;
  TrailerSplitter splitter_;
  std::mutex mu_;
  std::condition_variable not_full_, not_empty_;
  std::deque<std::string> queue_;
  std::vector<std::string> free_;
  bool closed_ = false;
  absl::Status status_;
  std::thread thread_;
};

std::string HostName() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "";
  return buf;
}

}  // namespace

std::string DefaultSnapshotName(const std::string& member_name, int64_t t) {
  std::string name = member_name.empty() ? "etcd" : member_name;
  for (char& c : name) {
    if (c == '/' || c == ' ') c = '_';
  }
  return absl::StrCat("etcd-snapshot-", name, "-", UtcCompact(t), ".db");
}

absl::StatusOr<SaveResult> SaveSnapshot(etcdclient::Client& client, const etcdserverpb::StatusResponse& status,
                                        const std::string& member_name, const SaveOptions& opts) {
  auto start = std::chrono::steady_clock::now();
  SaveResult r;
  r.path = opts.path;
  r.revision = status.header().revision();
  r.etcd_version = status.version();
  r.cluster_id = status.header().cluster_id();
  r.member_id = status.header().member_id();
  r.member_name = member_name;
  r.endpoint = client.endpoint().Url();
  r.node_name = HostName();
  r.created_at = static_cast<int64_t>(::time(nullptr));

  std::unique_ptr<fsutil::AtomicFile> file;
  if (opts.path != "-") {
    KETCD_ASSIGN_OR_RETURN(file, fsutil::AtomicFile::Create(opts.path, {.mode = 0600, .overwrite = opts.force}));
  }
  Sink sink(std::move(file));
  cli::Progress progress(opts.progress ? *opts.progress : std::cerr, opts.progress != nullptr, "Saving snapshot");
  uint64_t received = 0, expected_db = 0;
  bool first = true;

  absl::Status stream = client.Snapshot(
      [&](etcdserverpb::SnapshotResponse& msg) -> absl::Status {
        if (first) {
          expected_db = msg.remaining_bytes() + msg.blob().size();
          first = false;
        }
        if (!msg.version().empty()) r.storage_version = msg.version();
        received += msg.blob().size();
        progress.Update(received, expected_db + kTrailerSize);
        std::string blob = sink.TakeBuffer();
        blob.swap(*msg.mutable_blob());
        return sink.Push(std::move(blob));
      },
      opts.stall_timeout);
  absl::Status closed = sink.Close();
  progress.Finish();
  if (!stream.ok()) return stream;
  if (!closed.ok()) return closed;

  TrailerSplitter& splitter = sink.hashes();
  if (!splitter.has_trailer() || received % 512 != kTrailerSize || received != expected_db + kTrailerSize) {
    return absl::DataLossError(absl::StrCat("the snapshot stream from ", r.endpoint, " ended after ", received,
                                            " bytes, expected ", expected_db + kTrailerSize,
                                            " (database image plus its 32-byte SHA-256); nothing was saved"));
  }
  Sha256Digest whole = splitter.StreamDigest();
  Sha256Digest db = splitter.DbDigest();
  if (db != splitter.trailer()) {
    return absl::DataLossError(absl::StrCat("the snapshot received from ", r.endpoint,
                                            " does not match its SHA-256 trailer (computed ", DigestHex(db),
                                            ", trailer ", DigestHex(splitter.trailer()),
                                            "); the data was damaged in transit; nothing was saved"));
  }
  r.size = received;
  r.db_sha256 = DigestHex(db);
  r.sha256 = DigestHex(whole);
  if (sink.file() != nullptr) {
    KETCD_RETURN_IF_ERROR(sink.file()->Commit());
    std::string meta = MetadataJson(r);
    absl::Status m = fsutil::WriteFileAtomically(opts.path + ".json", meta, {.mode = 0600, .overwrite = true});
    if (!m.ok()) {
      return absl::Status(m.code(), absl::StrCat("snapshot saved at ", opts.path,
                                                 ", but its metadata file could not be written: ", m.message()));
    }
  }
  r.duration_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

std::string MetadataJson(const SaveResult& r) {
  nlohmann::ordered_json j;
  j["file"] = fsutil::Basename(r.path);
  j["size"] = r.size;
  j["sha256"] = r.sha256;
  j["dbSha256"] = r.db_sha256;
  j["revision"] = r.revision;
  j["etcdVersion"] = r.etcd_version;
  if (!r.storage_version.empty()) j["storageVersion"] = r.storage_version;
  j["clusterID"] = IdHex(r.cluster_id);
  j["memberID"] = IdHex(r.member_id);
  j["memberName"] = r.member_name;
  j["endpoint"] = r.endpoint;
  j["nodeName"] = r.node_name;
  j["createdAt"] = UtcRfc3339(r.created_at);
  j["tool"] = "kubectl-etcd";
  j["toolVersion"] = KETCD_VERSION;
  // Paths and member names are bytes: cli::JsonSafe writes non-UTF-8 ones as "base64:...".
  return cli::JsonSafe(j).dump(2) + "\n";
}

}  // namespace ketcd::backup
