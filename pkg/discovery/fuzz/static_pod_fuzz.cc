// libFuzzer target: a static-pod manifest (YAML or JSON) read the way `discover` and
// `backup` read /etc/kubernetes/manifests/etcd.yaml, up to the etcd target it defines.
// Input: the manifest, then optionally "\n----\n" and the etcd config file it may name
// with --config-file (written at /etc/etcd/config.yaml and at RKE2's path).
#include <cstddef>
#include <cstdint>

#include "pkg/discovery/discovery.h"
#include "pkg/discovery/fuzz/fuzz_root.h"
#include "pkg/discovery/static_pod.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ketcd::discovery;
  auto parts = fuzz::SplitParts(std::string_view(reinterpret_cast<const char*>(data), size), 2);
  fuzz::FuzzRoot& root = fuzz::FuzzRoot::Get();
  std::string manifest = root.Write("/etc/kubernetes/manifests/etcd.yaml", parts[0]);
  root.Write("/etc/etcd/config.yaml", parts[1]);
  root.Write("/var/lib/rancher/rke2/server/db/etcd/config", parts[1]);
  auto pod = LoadPodManifest(manifest);
  if (pod.ok()) {
    for (const auto& c : pod->containers) (void)ToHostPath(c.mounts, "/var/lib/etcd/member");
  }
  (void)FromStaticPodManifest(manifest, root.path());
  return 0;
}
