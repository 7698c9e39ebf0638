#include "pkg/restore/db_patch.h"

#include <map>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"

namespace ketcd::restore {
namespace {

// Collects the editor's output per bucket.
class CaptureSink : public BucketSink {
 public:
  struct Captured {
    uint64_t sequence = 0;
    std::vector<std::pair<std::string, std::string>> entries;
  };
  absl::Status BeginBucket(std::string_view name, uint64_t sequence) override {
    current_ = &buckets_[std::string(name)];
    current_->sequence = sequence;
    return absl::OkStatus();
  }
  absl::Status Put(std::string_view key, std::string_view value) override {
    current_->entries.emplace_back(std::string(key), std::string(value));
    return absl::OkStatus();
  }
  absl::Status EndBucket() override { return absl::OkStatus(); }
  absl::Status Finish() override { return absl::OkStatus(); }
  std::map<std::string, Captured>& buckets() { return buckets_; }

 private:
  std::map<std::string, Captured> buckets_;
  Captured* current_ = nullptr;
};

bool Replaced(std::string_view name) { return name == "members" || name == "members_removed" || name == "meta"; }

}  // namespace

absl::StatusOr<DbChanges> PlanDbChanges(const bbolt::Db& db, const BackendEditOptions& opts) {
  CaptureSink capture;
  BackendEditor editor(opts, &capture);
  std::set<std::string> existing;
  std::string last_key;
  bool have_last_key = false;
  KETCD_RETURN_IF_ERROR(db.ForEach(db.root(), [&](const bbolt::Entry& b) -> absl::Status {
    if (!b.is_bucket) {
      return absl::DataLossError(absl::StrCat("top-level key \"", std::string(b.key),
                                                   "\" is not a bucket: not an etcd database"));
    }
    existing.insert(std::string(b.key));
    KETCD_ASSIGN_OR_RETURN(bbolt::Bucket bucket, db.BucketFromEntry(b));
    KETCD_RETURN_IF_ERROR(editor.BeginBucket(b.key, bucket.sequence));
    if (Replaced(b.key)) {
      KETCD_RETURN_IF_ERROR(db.ForEach(bucket, [&](const bbolt::Entry& kv) -> absl::Status {
        if (kv.is_bucket) {
          return absl::DataLossError(absl::StrCat("bucket \"", std::string(b.key), "\" has a nested bucket \"",
                                                       std::string(kv.key), "\": not an etcd database"));
        }
        return editor.Put(kv.key, kv.value);
      }));
    } else if (b.key == "key") {
      KETCD_ASSIGN_OR_RETURN(auto last, db.Last(bucket));
      if (last) {
        if (last->is_bucket) return absl::DataLossError("bucket \"key\" has a nested bucket: not an etcd database");
        last_key = std::string(last->key);
        have_last_key = true;
        KETCD_RETURN_IF_ERROR(editor.Put(last->key, last->value));
      }
    }
    return editor.EndBucket();
  }));
  KETCD_RETURN_IF_ERROR(editor.Finish());

  DbChanges out;
  out.result = editor.result();
  for (auto& [name, c] : capture.buckets()) {
    const bool exists = existing.count(name) > 0;
    if (exists && name == "key") {
      bbolt::BucketChange change{name, bbolt::BucketChange::kAppend, {}, c.sequence};
      for (auto& kv : c.entries) {
        if (!have_last_key || last_key < kv.first) change.entries.push_back(std::move(kv));
      }
      if (!change.entries.empty()) out.changes.push_back(std::move(change));
    } else if (!exists || Replaced(name)) {
      out.changes.push_back(bbolt::BucketChange{name, bbolt::BucketChange::kReplace, std::move(c.entries), c.sequence});
    }
  }
  return out;
}

}  // namespace ketcd::restore
