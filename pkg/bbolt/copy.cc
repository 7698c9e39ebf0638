#include "pkg/bbolt/copy.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace ketcd::bbolt {
namespace {

const BucketEdit kNoEdit;

// Merges the sorted source entries of one bucket with the edit's sorted `set` entries.
class MergingSink {
 public:
  MergingSink(const BucketEdit& edit, BulkWriter& dst) : edit_(edit), dst_(dst), next_(edit.set.begin()) {}

  absl::Status Add(std::string_view key, std::string_view value) {
    while (next_ != edit_.set.end() && std::string_view(next_->first) < key) KETCD_RETURN_IF_ERROR(EmitNext());
    if (next_ != edit_.set.end() && next_->first == key) return EmitNext();  // overwrite
    if (edit_.erase.count(std::string(key)) != 0) return absl::OkStatus();
    return dst_.Put(key, value);
  }
  absl::Status Finish() {
    while (next_ != edit_.set.end()) KETCD_RETURN_IF_ERROR(EmitNext());
    return absl::OkStatus();
  }

 private:
  absl::Status EmitNext() {
    const auto& [k, v] = *next_++;
    if (edit_.erase.count(k) != 0) return absl::OkStatus();
    return dst_.Put(k, v);
  }
  const BucketEdit& edit_;
  BulkWriter& dst_;
  std::map<std::string, std::string>::const_iterator next_;
};

absl::Status WriteBucket(const Db* src, const Bucket* bucket, const std::string& name, uint64_t seq,
                         const BucketEdit& edit, BulkWriter& dst) {
  if (edit.drop_bucket) return absl::OkStatus();
  KETCD_RETURN_IF_ERROR(dst.BeginBucket(name, seq));
  MergingSink sink(edit, dst);
  if (src != nullptr && !edit.replace) {
    KETCD_RETURN_IF_ERROR(src->ForEach(*bucket, [&](const Entry& e) -> absl::Status {
      if (e.is_bucket) {
        return absl::UnimplementedError(absl::StrCat("bucket \"", absl::CHexEscape(name),
                                                     "\" holds a nested bucket; copying those is not supported"));
      }
      return sink.Add(e.key, e.value);
    }));
  }
  KETCD_RETURN_IF_ERROR(sink.Finish());
  return dst.EndBucket();
}

}  // namespace

absl::Status CopyDb(const Db& src, const CopyEdits& edits, BulkWriter& dst) {
  auto next_new = edits.begin();
  // Buckets only in `edits` are written in name order between the source's buckets.
  auto emit_new_before = [&](std::string_view name, bool inclusive_skip) -> absl::Status {
    while (next_new != edits.end() && std::string_view(next_new->first) < name) {
      KETCD_RETURN_IF_ERROR(WriteBucket(nullptr, nullptr, next_new->first, 0, next_new->second, dst));
      ++next_new;
    }
    if (inclusive_skip && next_new != edits.end() && next_new->first == name) ++next_new;
    return absl::OkStatus();
  };
  auto copy_bucket = [&](const Entry& e) -> absl::Status {
    std::string name(e.key);
    if (!e.is_bucket) {
      return absl::UnimplementedError(
          absl::StrCat("top-level key \"", absl::CHexEscape(name), "\" is not a bucket; not supported"));
    }
    KETCD_ASSIGN_OR_RETURN(Bucket b, src.BucketFromEntry(e));
    KETCD_RETURN_IF_ERROR(emit_new_before(name, true));
    auto it = edits.find(name);
    return WriteBucket(&src, &b, name, b.sequence, it == edits.end() ? kNoEdit : it->second, dst);
  };
  KETCD_RETURN_IF_ERROR(src.ForEach(src.root(), copy_bucket));
  while (next_new != edits.end()) {
    KETCD_RETURN_IF_ERROR(WriteBucket(nullptr, nullptr, next_new->first, 0, next_new->second, dst));
    ++next_new;
  }
  return absl::OkStatus();
}

}  // namespace ketcd::bbolt
