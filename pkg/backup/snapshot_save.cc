#include "pkg/backup/snapshot_save.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "pkg/backup/sink.h"
#include "pkg/base/format.h"
#include "pkg/base/sha256.h"
#include "pkg/bbolt/db.h"
#include "pkg/cli/json_text.h"
#include "pkg/fsutil/atomic_file.h"
#include "pkg/fsutil/direct_append.h"
#include "pkg/fsutil/file.h"
#include "pkg/snapshot/status.h"
#include "pkg/stream/stream.h"

namespace ketcd::backup {
namespace {

constexpr size_t kTrailerSize = 32;

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

// Everything the writer thread touches, shared with it, so that a writer stuck on a hung file
// system can be left behind (sink.h). The receiving thread sets expected_db before the first
// blob and reads the results after Sink::Close succeeded.
struct Output {
  std::unique_ptr<fsutil::AtomicFile> file;  // null: standard output or S3
  std::optional<fsutil::DirectAppender> appender;
  std::unique_ptr<s3::MultipartUpload> upload;  // an S3 destination
  // Compression and encryption in front of Emit, or null.
  std::unique_ptr<stream::FnWriter> emitter;
  std::unique_ptr<stream::Writer> sealed;
  uint64_t emitted = 0;
  std::string endpoint;
  uint64_t expected_db = 0;
  uint64_t received = 0;
  TrailerSplitter splitter;
  Sha256Digest whole{}, db{};
  int64_t revision = 0;
  // Set when the receiving thread gave up on Close (Ctrl-C, stuck): no rename after that.
  std::atomic<bool> abandoned{false};

  absl::Status Seal(const envelope::SealOptions& opts) {
    if (!envelope::Sealed(opts)) return absl::OkStatus();
    emitter = std::make_unique<stream::FnWriter>([this](const void* p, size_t n) { return Emit(p, n); });
    KETCD_ASSIGN_OR_RETURN(sealed, envelope::NewSealWriter(emitter.get(), opts));
    return absl::OkStatus();
  }

  absl::Status Write(const std::string& blob) {
    splitter.Add(blob);
    received += blob.size();
    if (sealed) return sealed->Write(blob.data(), blob.size());
    return Emit(blob.data(), blob.size());
  }

  // The bytes that go into the file.
  absl::Status Emit(const void* p, size_t n) {
    emitted += n;
    if (appender) return appender->Append(p, n);
    if (upload) return upload->Write(p, n);
    absl::Status s = fsutil::WriteAll(STDOUT_FILENO, p, n, "standard output");
    if (s.ok()) return s;
    return absl::UnavailableError(absl::StrCat("writing to standard output failed: ", s.message()));
  }

  // After the last blob: the stream must be complete and match its trailer; a file then gets
  // its revision read back, is fsynced and renamed into place.
  absl::Status Finish() {
    if (sealed) KETCD_RETURN_IF_ERROR(sealed->Close());
    if (appender) KETCD_RETURN_IF_ERROR(appender->Finish());
    if (upload) KETCD_RETURN_IF_ERROR(upload->Close());  // the last part; not completed yet
    if (!splitter.has_trailer() || received % 512 != kTrailerSize || received != expected_db + kTrailerSize) {
      return absl::DataLossError(absl::StrCat("the snapshot stream from ", endpoint, " ended after ", received,
                                              " bytes, expected ", expected_db + kTrailerSize,
                                              " (database image plus its 32-byte SHA-256); nothing was saved"));
    }
    whole = splitter.StreamDigest();
    db = splitter.DbDigest();
    if (db != splitter.trailer()) {
      return absl::DataLossError(absl::StrCat("the snapshot received from ", endpoint,
                                              " does not match its SHA-256 trailer (computed ", DigestHex(db),
                                              ", trailer ", DigestHex(splitter.trailer()),
                                              "); the data was damaged in transit; nothing was saved"));
    }
    if (upload) {
      if (abandoned) return absl::CancelledError("abandoned");
      return upload->Complete().status();
    }
    if (!file) return absl::OkStatus();
    if (!sealed) {
      KETCD_ASSIGN_OR_RETURN(revision, ReadRevision(file->temp_path()));
    }
    // The long fsync first, so that a Ctrl-C during it is still honoured before the rename
    // (Commit's own fsync then has nothing left to write).
    if (::fsync(file->fd()) != 0) return fsutil::ErrnoError("fsync", file->temp_path(), errno);
    if (abandoned) return absl::CancelledError("abandoned");
    return file->Commit();
  }

  // The revision the snapshot holds, as `status` reports it: a few pages of the file read back.
  absl::StatusOr<int64_t> ReadRevision(const std::string& path) const {
    absl::StatusOr<int64_t> rev = absl::InternalError("not read");
    auto opened = bbolt::Db::Open(path);
    if (opened.ok()) {
      rev = snapshot::LatestRevision(**opened);
      if (absl::Status intact = (*opened)->CheckIntact(); !intact.ok()) rev = intact;
    } else {
      rev = opened.status();
    }
    if (rev.ok()) return rev;
    return absl::DataLossError(absl::StrCat("the snapshot received from ", endpoint,
                                            " cannot be read back: ", rev.status().message(), "; nothing was saved"));
  }
};

// Receives the snapshot into `out` through a Sink; when this returns, the writer thread has
// stopped or been left behind (sink.h).
absl::Status Stream(etcdclient::Client& client, const SaveOptions& opts, const std::shared_ptr<Output>& out,
                    SaveResult* r) {
  Sink::Options sink_opts;
  sink_opts.name = out->file ? absl::StrCat("\"", out->file->temp_path(), "\"")
                   : out->upload ? opts.path : std::string("standard output");
  sink_opts.stall_timeout = opts.stall_timeout;
  Sink sink([out](const std::string& blob) { return out->Write(blob); }, [out] { return out->Finish(); }, sink_opts);
  uint64_t received = 0, expected_db = 0;
  bool first = true;

  absl::Status stream = client.Snapshot(
      [&](etcdserverpb::SnapshotResponse& msg) -> absl::Status {
        if (first) {
          expected_db = msg.remaining_bytes() + msg.blob().size();
          out->expected_db = expected_db;  // before the first Push: the writer reads it at the end
          first = false;
        }
        if (!msg.version().empty()) r->storage_version = msg.version();
        received += msg.blob().size();
        if (opts.progress) opts.progress(received, expected_db + kTrailerSize);
        std::string blob = sink.TakeBuffer();
        blob.swap(*msg.mutable_blob());
        return sink.Push(std::move(blob));
      },
      opts.stall_timeout);
  // On a failed stream the sink is dropped: the writer stops and the .part is removed.
  absl::Status closed = stream.ok() ? sink.Close() : absl::OkStatus();
  if (!stream.ok()) return stream;
  if (!closed.ok()) {
    out->abandoned = true;  // a finish still running must not publish the file now
    return closed;
  }
  return absl::OkStatus();
}

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
  r.etcd_version = status.version();
  r.cluster_id = status.header().cluster_id();
  r.member_id = status.header().member_id();
  r.member_name = member_name;
  r.endpoint = client.endpoint().Url();
  r.node_name = HostName();
  r.created_at = static_cast<int64_t>(::time(nullptr));

  auto out = std::make_shared<Output>();
  out->endpoint = r.endpoint;
  const bool to_s3 = opts.s3.client != nullptr;
  const bool to_file = opts.path != "-" && !to_s3;
  const std::string suffix = envelope::FileSuffix(opts.seal);
  if ((to_file || to_s3) && !absl::EndsWith(opts.path, suffix)) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", opts.path, "\": a ", envelope::Describe(opts.seal), " snapshot file must end in ", suffix));
  }
  r.compression = envelope::CompressionName(opts.seal);
  r.encryption = envelope::EncryptionName(opts.seal);
  if (to_file) {
    // Both files are refused before anything is received.
    if (!opts.force && fsutil::PathExists(opts.path + ".json")) {
      return absl::AlreadyExistsError(absl::StrCat("\"", opts.path, ".json\" already exists; choose another name or ",
                                                   "pass --force to replace it"));
    }
    KETCD_ASSIGN_OR_RETURN(out->file, fsutil::AtomicFile::Create(opts.path, {.mode = 0600, .overwrite = opts.force}));
    out->appender.emplace(out->file->fd(), out->file->temp_path());
  }
  std::optional<s3::ObjectUrl> url;
  if (to_s3) {
    KETCD_ASSIGN_OR_RETURN(url, s3::ParseS3Url(opts.path));
    if (url->IsPrefix()) return absl::InvalidArgumentError(absl::StrCat(opts.path, " names a prefix, not an object"));
    KETCD_RETURN_IF_ERROR(CheckS3Free(opts.s3, *url, opts.force));
    KETCD_ASSIGN_OR_RETURN(out->upload, StartS3Upload(opts.s3, *url));
  }
  KETCD_RETURN_IF_ERROR(out->Seal(opts.seal));
  absl::Status streamed = Stream(client, opts, out, &r);
  if (!streamed.ok()) {
    if (out->upload) return AbortS3Upload(*out->upload, streamed);
    return streamed;
  }

  r.size = out->received;
  r.file_size = out->emitted;
  r.db_sha256 = DigestHex(out->db);
  r.sha256 = DigestHex(out->whole);
  r.revision = out->revision;
  r.revision_read = to_file && !envelope::Sealed(opts.seal);
  if (to_file) {
    std::string meta = MetadataJson(r);
    absl::Status m = fsutil::WriteFileAtomically(opts.path + ".json", meta, {.mode = 0600, .overwrite = opts.force});
    if (!m.ok()) {
      return absl::Status(m.code(), absl::StrCat("snapshot saved at ", opts.path,
                                                 ", but its metadata file could not be written: ", m.message()));
    }
  }
  if (to_s3) KETCD_RETURN_IF_ERROR(PutS3Metadata(opts.s3, *url, MetadataJson(r)));
  r.duration_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

std::string MetadataJson(const SaveResult& r) {
  nlohmann::ordered_json j;
  j["file"] = fsutil::Basename(r.path);
  j["size"] = r.size;
  j["sha256"] = r.sha256;
  j["compression"] = r.compression;
  j["encryption"] = r.encryption;
  if (r.file_size != r.size) j["fileSize"] = r.file_size;
  j["dbSha256"] = r.db_sha256;
  if (r.revision_read) j["revision"] = r.revision;
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
