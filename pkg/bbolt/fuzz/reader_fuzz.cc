// libFuzzer target: opens arbitrary bytes as a bbolt file, walks every bucket, looks up
// a key and runs the integrity check. Any crash, hang, sanitizer report or unbounded
// allocation is a bug: corrupt input must only ever produce an error status.
#include <cstddef>
#include <cstdint>

#include "pkg/bbolt/check.h"
#include "pkg/bbolt/db.h"
#include "pkg/bbolt/trailer.h"

namespace ketcd::bbolt {
namespace {

void Walk(const Db& db, const Bucket& b, int depth) {
  if (depth > 4) return;
  (void)db.ForEach(b, [&](const Entry& e) -> absl::Status {
    if (e.is_bucket) {
      auto child = db.BucketFromEntry(e);
      if (child.ok()) Walk(db, *child, depth + 1);
    }
    return absl::OkStatus();
  });
  (void)db.Find(b, "meta");
}

}  // namespace
}  // namespace ketcd::bbolt

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ketcd::bbolt;
  auto db = Db::OpenBuffer(absl::MakeConstSpan(data, size));
  (void)CheckSha256Trailer(absl::MakeConstSpan(data, size));
  if (!db.ok()) return 0;
  Walk(**db, (*db)->root(), 0);
  (void)Check(**db);
  return 0;
}
