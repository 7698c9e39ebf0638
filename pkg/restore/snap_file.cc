#include "pkg/restore/snap_file.h"

#include <algorithm>
#include <cstdio>

#include "pkg/base/crc32c.h"
#include "pkg/restore/proto_encode.h"
#include "pkg/restore/v2store.h"

namespace ketcd::restore {

SnapFile BuildRestoreSnap(const RestorePlan& plan, EtcdFormat f) {
  const uint64_t term = 1;
  const uint64_t index = plan.members.size();
  std::vector<uint64_t> voters;
  for (const auto& m : plan.members) voters.push_back(m.id);
  std::sort(voters.begin(), voters.end());  // plan.members may be in v2 store order
  std::string data = pb::RaftSnapshot(V2StoreJson(plan.members, f), pb::ConfState(voters, f), index, term);
  char name[64];
  std::snprintf(name, sizeof name, "%016llx-%016llx.snap", static_cast<unsigned long long>(term),
                static_cast<unsigned long long>(index));
  return SnapFile{name, pb::SnapSnapshot(Crc32c(data), data)};
}

}  // namespace ketcd::restore
