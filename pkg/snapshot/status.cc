#include "pkg/snapshot/status.h"

#include <algorithm>
#include <thread>
#include <unordered_set>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "pkg/base/bytes.h"
#include "pkg/base/crc32c_spans.h"
#include "pkg/snapshot/proto_lite.h"

namespace ketcd::snapshot {
namespace {

constexpr size_t kRevKeySize = 17;  // main u64 BE, '_', sub u64 BE; tombstones add 't'

bool IsTombstone(std::string_view k) { return k.size() == kRevKeySize + 1 && k.back() == 't'; }

// "3.6.0" from meta/storageVersion when it is a plain major.minor.patch, else "".
std::string ParseSemver(std::string_view v) {
  int dots = 0;
  bool digit_run = false;
  for (char c : v) {
    if (c == '.') {
      if (!digit_run) return "";
      dots++;
      digit_run = false;
    } else if (c >= '0' && c <= '9') {
      digit_run = true;
    } else {
      return "";
    }
  }
  return dots == 2 && digit_run ? std::string(v) : "";
}

void ReleaseChunk(void* ctx, uint64_t, uint64_t n) { static_cast<const bbolt::Db*>(ctx)->NoteBytesRead(n); }

int HashWorkers() {
  const unsigned cores = std::thread::hardware_concurrency();
  return static_cast<int>(std::clamp(cores, 2u, 8u)) - 1;
}

// etcd's hash and counts, fed the content in walk order: by the integrity check as it walks
// (one pass over the file for both), or by a plain walk when the check is off. The hash is
// one CRC-32C over every top-level bucket name, key and value; the walk lists those byte
// spans and the CRC runs over them on the other cores (CRCs combine).
class HashBuilder : public bbolt::CheckVisitor {
 public:
  HashBuilder(const bbolt::Db& db, const StatusOptions& o, SnapshotStatus& st)
      : db_(db), o_(o), st_(st), crc_(HashWorkers(), [&db](uint64_t n) { db.NoteBytesRead(n); }) {}

  void BeginBucket(const bbolt::Entry& b, int nesting) override {
    if (nesting != 1) return;
    CloseBucket();
    crc_.Add(b.key.data(), b.key.size());
    bucket_name_ = std::string(b.key);
    in_bucket_ = true;
    is_key_ = bucket_name_ == "key";
  }

  void LeafEntry(const bbolt::Entry& e, int nesting) override {
    if (nesting == 0 && !e.is_bucket) {
      Fail(absl::DataLossError(absl::StrCat("cannot get hash of bucket ", absl::CHexEscape(std::string(e.key)))));
    }
    if (nesting != 1 || !error_.ok()) return;
    crc_.Add(e.key.data(), e.key.size());
    if (!e.is_bucket) crc_.Add(e.value.data(), e.value.size());
    count_++;
    if (is_key_) KeyEntry(e);
  }

  // The walk without the integrity check.
  absl::Status Walk() {
    return db_.ForEach(db_.root(), [&](const bbolt::Entry& b) -> absl::Status {
      LeafEntry(b, 0);
      KETCD_RETURN_IF_ERROR(error_);
      KETCD_ASSIGN_OR_RETURN(bbolt::Bucket bucket, db_.BucketFromEntry(b));
      BeginBucket(b, 1);
      return db_.ForEach(bucket, [&](const bbolt::Entry& e) {
        LeafEntry(e, 1);
        return error_;
      });
    });
  }

  absl::Status Finish() {
    CloseBucket();
    st_.hash = crc_.Finish();
    KETCD_RETURN_IF_ERROR(error_);
    if (st_.semantics == KeyCountSemantics::kLiveKeys) st_.total_key = static_cast<int64_t>(live_.size());
    if (o_.inspect) {
      inspector_.Finish(st_.inspect);
      KETCD_RETURN_IF_ERROR(InspectOtherBuckets(db_, st_.inspect));
    }
    return absl::OkStatus();
  }

 private:
  void Fail(absl::Status s) {
    if (error_.ok()) error_ = std::move(s);
  }

  void CloseBucket() {
    if (!in_bucket_) return;
    st_.buckets.emplace_back(bucket_name_, count_);
    if (st_.semantics == KeyCountSemantics::kAllEntries) st_.total_key += static_cast<int64_t>(count_);
    in_bucket_ = false;
    count_ = 0;
  }

  void KeyEntry(const bbolt::Entry& e) {
    if (e.key.size() < kRevKeySize) {
      return Fail(absl::DataLossError(absl::StrCat("bucket key: cannot parse revision key (hex)",
                                                   absl::BytesToHexString(absl::string_view(e.key.data(), e.key.size())))));
    }
    st_.revision = static_cast<int64_t>(LoadBE64(e.key.data()));
    if (st_.semantics == KeyCountSemantics::kAllEntries && !o_.inspect) return;
    auto kv = DecodeKeyValue(e.value);
    if (!kv.ok()) {
      return Fail(absl::DataLossError(absl::StrCat("bucket key: cannot unmarshal value of revision ", st_.revision,
                                                   ": ", kv.status().message())));
    }
    const bool tomb = IsTombstone(e.key);
    if (st_.semantics == KeyCountSemantics::kLiveKeys) {
      if (tomb) {
        live_.erase(std::string(kv->key));
      } else {
        live_.emplace(kv->key);
      }
    }
    if (o_.inspect) inspector_.Add(e.key, st_.revision, tomb, kv->key, kv->value.size(), kv->lease);
  }

  const bbolt::Db& db_;
  const StatusOptions& o_;
  SnapshotStatus& st_;
  Crc32cSpans crc_;
  absl::Status error_;
  std::string bucket_name_;
  bool in_bucket_ = false;
  bool is_key_ = false;
  uint64_t count_ = 0;
  std::unordered_set<std::string> live_;
  KeyInspector inspector_;
};

}  // namespace

absl::Status IntegrityStatus(const bbolt::CheckReport& report) {
  if (report.ok()) return absl::OkStatus();
  std::string msg = absl::StrCat("snapshot file integrity check failed. ", report.problem_count, " errors found.");
  for (const auto& p : report.problems) absl::StrAppend(&msg, "\n", p);
  if (report.problem_count > report.problems.size()) {
    absl::StrAppend(&msg, "\n... and ", report.problem_count - report.problems.size(), " more");
  }
  return absl::DataLossError(msg);
}

absl::StatusOr<int64_t> LatestRevision(const bbolt::Db& db) {
  KETCD_ASSIGN_OR_RETURN(std::optional<bbolt::Bucket> key, db.FindBucket(db.root(), "key"));
  if (!key) return int64_t{0};
  KETCD_ASSIGN_OR_RETURN(std::optional<bbolt::Entry> last, db.Last(*key));
  if (!last) return int64_t{0};
  if (last->is_bucket || last->key.size() < kRevKeySize) {
    return absl::DataLossError("bucket key: the last key is not a revision");
  }
  return static_cast<int64_t>(LoadBE64(last->key.data()));
}

const char* SemanticsName(KeyCountSemantics s) {
  return s == KeyCountSemantics::kLiveKeys ? "3.6+" : "3.4/3.5";
}

absl::StatusOr<SnapshotStatus> ComputeStatus(const bbolt::Db& db, const StatusOptions& o) {
  SnapshotStatus st;
  st.page_size = db.page_size();
  st.file_size = db.file_size();
  st.total_size = static_cast<int64_t>(db.db_size());
  st.meta_page = db.meta_index();
  st.txid = db.meta().txid;
  st.meta_warnings = db.meta_warnings();

  auto meta = db.FindBucket(db.root(), "meta");
  if (meta.ok() && meta->has_value()) {
    auto sv = db.Find(**meta, "storageVersion");
    if (sv.ok() && sv->has_value()) {
      st.has_storage_version = true;
      st.version = ParseSemver((*sv)->value);
    }
  }
  st.semantics = st.has_storage_version ? KeyCountSemantics::kLiveKeys : KeyCountSemantics::kAllEntries;

  // The SHA-256 trailer pass runs beside the walk; the walk is the integrity check's when
  // that is on, and the hash rides along.
  std::thread trailer;
  if (!o.check_trailer) {
    st.trailer = bbolt::PeekSha256Trailer(db.data());
  } else {
    trailer = std::thread(
        [&] { st.trailer = bbolt::CheckSha256Trailer(db.data(), ReleaseChunk, const_cast<bbolt::Db*>(&db)); });
  }
  HashBuilder hash(db, o, st);
  absl::Status walk;
  if (o.check_integrity) {
    bbolt::CheckOptions check;
    check.visitor = &hash;
    st.integrity = bbolt::Check(db, check);
    st.integrity_checked = true;
  } else {
    walk = hash.Walk();
  }
  absl::Status s = hash.Finish();
  if (s.ok()) s = walk;
  if (trailer.joinable()) trailer.join();
  // A file truncated or failing I/O meanwhile read as zeros: nothing above stands.
  KETCD_RETURN_IF_ERROR(db.CheckIntact());
  if (!s.ok()) {
    // A walk failure on a damaged file: the integrity report says more.
    absl::Status integrity = IntegrityStatus(st.integrity);
    return integrity.ok() ? s : integrity;
  }
  return st;
}

}  // namespace ketcd::snapshot
