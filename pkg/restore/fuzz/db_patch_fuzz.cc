// libFuzzer target: the database edits of a restore planned against arbitrary bytes opened
// as a snapshot, both ways the restore can write them: copy-on-write changes
// (PlanDbChanges, then bbolt::PlanPatch) and the full stream through BackendEditor
// (--compact-db). A crash, a sanitizer report or an exception is a bug.
#include <cstddef>
#include <cstdint>

#include "pkg/bbolt/patch.h"
#include "pkg/restore/backend_edit.h"
#include "pkg/restore/db_patch.h"
#include "pkg/restore/db_stream.h"

namespace ketcd::restore {
namespace {

class NullSink : public BucketSink {
 public:
  absl::Status BeginBucket(std::string_view, uint64_t) override { return absl::OkStatus(); }
  absl::Status Put(std::string_view, std::string_view) override { return absl::OkStatus(); }
  absl::Status EndBucket() override { return absl::OkStatus(); }
  absl::Status Finish() override { return absl::OkStatus(); }
};

BackendEditOptions Options(const uint8_t* data, size_t size) {
  BackendEditOptions o;
  o.members = {{0x8e9e05c52164694dULL, "default", {"http://localhost:2380"}}};
  o.consistent_index = 1;
  // The last byte picks a revision bump, the largest ones near int64 overflow.
  const uint8_t last = size > 0 ? data[size - 1] : 0;
  o.bump_revision = last < 128 ? last : (uint64_t{1} << 62) * (last % 4);
  return o;
}

}  // namespace
}  // namespace ketcd::restore

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ketcd;
  auto db = bbolt::Db::OpenBuffer(absl::MakeConstSpan(data, size));
  if (!db.ok()) return 0;
  const restore::BackendEditOptions opts = restore::Options(data, size);
  auto planned = restore::PlanDbChanges(**db, opts);
  if (planned.ok()) {
    (void)restore::DetectFormat(planned->result.storage_version, planned->result.had_term);
    (void)bbolt::PlanPatch(**db, planned->changes);
  }
  restore::NullSink sink;
  restore::BackendEditor editor(opts, &sink);
  (void)restore::StreamDb(**db, &editor, nullptr);
  return 0;
}
