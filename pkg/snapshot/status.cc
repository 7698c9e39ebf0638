#include "pkg/snapshot/status.h"

#include <thread>
#include <unordered_set>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "pkg/base/bytes.h"
#include "pkg/base/crc32c.h"
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

absl::Status HashPass(const bbolt::Db& db, const StatusOptions& o, Status& st) {
  uint32_t crc = 0;
  std::unordered_set<std::string> live;
  KeyInspector inspector;
  auto visit_bucket = [&](const bbolt::Entry& b) -> absl::Status {
    const std::string name(b.key);
    if (!b.is_bucket) {
      return absl::DataLossError(absl::StrCat("cannot get hash of bucket ", absl::CHexEscape(name)));
    }
    KETCD_ASSIGN_OR_RETURN(bbolt::Bucket bucket, db.BucketFromEntry(b));
    crc = Crc32cExtend(crc, b.key.data(), b.key.size());
    const bool is_key = name == "key";
    uint64_t count = 0;
    auto visit_kv = [&](const bbolt::Entry& e) -> absl::Status {
      crc = Crc32cExtend(crc, e.key.data(), e.key.size());
      if (!e.is_bucket) crc = Crc32cExtend(crc, e.value.data(), e.value.size());
      count++;
      if (!is_key) return absl::OkStatus();
      if (e.key.size() < kRevKeySize) {
        return absl::DataLossError(absl::StrCat("bucket key: cannot parse revision key (hex)",
                                                absl::BytesToHexString(absl::string_view(e.key.data(), e.key.size()))));
      }
      st.revision = static_cast<int64_t>(LoadBE64(e.key.data()));
      if (st.semantics == KeyCountSemantics::kAllEntries && !o.inspect) return absl::OkStatus();
      auto kv = DecodeKeyValue(e.value);
      if (!kv.ok()) {
        return absl::DataLossError(absl::StrCat("bucket key: cannot unmarshal value of revision ", st.revision, ": ",
                                                kv.status().message()));
      }
      const bool tomb = IsTombstone(e.key);
      if (st.semantics == KeyCountSemantics::kLiveKeys) {
        if (tomb) {
          live.erase(std::string(kv->key));
        } else {
          live.emplace(kv->key);
        }
      }
      if (o.inspect) inspector.Add(e.key, st.revision, tomb, kv->key, kv->value.size(), kv->lease);
      return absl::OkStatus();
    };
    KETCD_RETURN_IF_ERROR(db.ForEach(bucket, visit_kv));
    st.buckets.emplace_back(name, count);
    if (st.semantics == KeyCountSemantics::kAllEntries) st.total_key += static_cast<int64_t>(count);
    return absl::OkStatus();
  };
  KETCD_RETURN_IF_ERROR(db.ForEach(db.root(), visit_bucket));
  st.hash = crc;
  if (st.semantics == KeyCountSemantics::kLiveKeys) st.total_key = static_cast<int64_t>(live.size());
  if (o.inspect) {
    inspector.Finish(st.inspect);
    KETCD_RETURN_IF_ERROR(InspectOtherBuckets(db, st.inspect));
  }
  return absl::OkStatus();
}

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

const char* SemanticsName(KeyCountSemantics s) {
  return s == KeyCountSemantics::kLiveKeys ? "3.6+" : "3.4/3.5";
}

absl::StatusOr<Status> ComputeStatus(const bbolt::Db& db, const StatusOptions& o) {
  Status st;
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

  // The integrity check and the trailer hash run beside the CRC pass (2 cores).
  std::thread worker([&] {
    if (o.check_integrity) {
      st.integrity = bbolt::Check(db);
      st.integrity_checked = true;
    }
    if (o.check_trailer) st.trailer = bbolt::CheckSha256Trailer(db.data(), ReleaseChunk, const_cast<bbolt::Db*>(&db));
  });
  absl::Status s = HashPass(db, o, st);
  worker.join();
  if (!s.ok()) {
    // A walk failure on a damaged file: the integrity report says more.
    absl::Status integrity = IntegrityStatus(st.integrity);
    return integrity.ok() ? s : integrity;
  }
  return st;
}

}  // namespace ketcd::snapshot
