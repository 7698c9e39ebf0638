// libFuzzer target: `status --keys -o json` and `-o yaml` on arbitrary bytes opened as a
// bbolt file. The hash, counts, inspection of every bucket and the printed documents must
// come out, or an error status; a crash, a sanitizer report or an exception is a bug.
#include <cstddef>
#include <cstdint>
#include <sstream>

#include "pkg/cli/output.h"
#include "pkg/snapshot/status.h"
#include "pkg/snapshot/status_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ketcd;
  auto db = bbolt::Db::OpenBuffer(absl::MakeConstSpan(data, size));
  if (!db.ok()) return 0;
  snapshot::StatusOptions o;
  o.inspect = true;
  // The integrity check's walk and the plain walk feed the hash differently: try both.
  o.check_integrity = size % 2 == 0;
  auto st = snapshot::ComputeStatus(**db, o);
  if (!st.ok()) return 0;
  std::ostringstream out;
  cli::PrintJson(out, snapshot::StatusJson(*st, true));
  cli::PrintYaml(out, snapshot::StatusJson(*st, true));
  return 0;
}
