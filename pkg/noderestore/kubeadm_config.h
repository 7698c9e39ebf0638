#pragma once
// kubeadm keeps the etcd data dir in ConfigMap kube-system/kubeadm-config (key
// ClusterConfiguration, field etcd.local.dataDir) and writes it back into etcd.yaml on
// `kubeadm upgrade`, which would point etcd at the old data again. After a restore the
// field is set to the new dir through the API (GET, text edit of that one field, PUT
// with the same resourceVersion).

#include <string>
#include <vector>

#include "pkg/base/status.h"
#include "pkg/kubeclient/client.h"

namespace ketcd::noderestore {

// The API client for the update: --kubeconfig if given, else the node's
// /etc/kubernetes/admin.conf under `host_root`, else kubectl's usual search.
absl::StatusOr<kubeclient::Client> NodeApiClient(const std::string& host_root, const std::string& explicit_path);

// Returns ClusterConfiguration text with etcd.local.dataDir set to `new_dir`, every
// other byte unchanged. FailedPrecondition when the field is absent (external etcd, or
// kubeadm's default in effect).
absl::StatusOr<std::string> PatchClusterConfiguration(const std::string& text, const std::string& new_dir);

// GET, then PUT with etcd.local.dataDir set to `to` when the value is one of `from` (or
// already `to`: nothing to do). FailedPrecondition naming the value otherwise: on a
// cluster of several members, another member may have put its own restored dir there.
absl::Status SetKubeadmDataDir(const kubeclient::Client& api, const std::vector<std::string>& from,
                               const std::string& to);

// The command to run by hand when the API cannot be reached.
std::string KubeadmConfigHint(const std::string& new_dir);

}  // namespace ketcd::noderestore
