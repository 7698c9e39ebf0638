// libFuzzer target: the restore flags as etcdutl validates them. The input is split on
// '\n' into --name, --initial-cluster, --initial-advertise-peer-urls,
// --initial-cluster-token and --data-dir; every planned member is then encoded as the
// JSON etcd stores. Only an error status may come out of bad flags.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "pkg/restore/member.h"
#include "pkg/restore/peer_url.h"
#include "pkg/restore/restore_options.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ketcd::restore;
  std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> f = absl::StrSplit(text, '\n');
  f.resize(5);
  RestoreOptions o;
  o.snapshot_path = "snap.db";
  o.name = f[0];
  o.initial_cluster = f[1];
  o.initial_advertise_peer_urls = f[2];
  o.initial_cluster_token = f[3];
  o.data_dir = f[4];
  for (const std::string& u : SplitComma(f[2])) (void)CanonicalPeerUrl(u);
  auto plan = PlanRestore(o);
  if (!plan.ok()) return 0;
  for (const Member& m : plan->members) {
    (void)MemberJson(m, true);
    (void)RaftAttributesJson(m, false);
  }
  return 0;
}
