#pragma once
// The kube-apiserver's --etcd-servers/--etcd-cafile/--etcd-certfile/--etcd-keyfile as a
// fallback source (external etcd, or an etcd that is defined nowhere else on this host).

#include <optional>
#include <string>
#include <vector>

#include "pkg/base/status.h"
#include "pkg/discovery/discovery.h"

namespace ketcd::discovery {

// From a kube-apiserver static-pod manifest (paths mapped through its hostPath volumes).
absl::StatusOr<EtcdTarget> FromApiServerManifest(const std::string& path, const std::string& host_root);

// From a kube-apiserver command line found in `defined_in` (a systemd unit).
absl::StatusOr<EtcdTarget> FromApiServerArgs(const std::vector<std::string>& argv, const std::string& defined_in,
                                             const std::string& host_root);

// The kube-apiserver's --encryption-provider-config on this host: the flag of the kubeadm or
// RKE2 static-pod manifest under `host_root`, mapped to a host path. Nullopt when there is
// no such manifest, it does not parse, or it has no such flag.
struct EncryptionConfigRef {
  std::string path;      // host path (host root applied)
  std::string manifest;  // the manifest that names it
};
std::optional<EncryptionConfigRef> FindEncryptionConfig(const std::string& host_root);

}  // namespace ketcd::discovery
