#pragma once
// The kube-apiserver's --etcd-servers/--etcd-cafile/--etcd-certfile/--etcd-keyfile as a
// fallback source (external etcd, or an etcd that is defined nowhere else on this host).

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

}  // namespace ketcd::discovery
