#pragma once
// The cluster's etcd mirror pods, listed through the API server (label selector
// component=etcd,tier=control-plane in kube-system): which nodes run etcd, the image
// version, the command line, and which pod runs on this host.

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "pkg/base/status.h"
#include "pkg/discovery/discovery.h"
#include "pkg/kubeclient/client.h"

namespace ketcd::discovery {

inline constexpr char kEtcdPodsPath[] =
    "/api/v1/namespaces/kube-system/pods?labelSelector=component%3Detcd%2Ctier%3Dcontrol-plane";

// Decodes a PodList. The pod of this host is the one whose node is `node_name`, or,
// failing that, whose host IP is one of `local_ips` (etcd pods use the host network).
absl::StatusOr<std::vector<EtcdPod>> ParseEtcdPods(const nlohmann::json& pod_list, const std::string& node_name,
                                                   const std::vector<std::string>& local_ips = {});

absl::StatusOr<std::vector<EtcdPod>> ListEtcdPods(const kubeclient::Client& api, const std::string& node_name,
                                                  const std::vector<std::string>& local_ips = {});

// The addresses of this machine's interfaces, loopback excluded.
std::vector<std::string> LocalAddresses();

// "registry.k8s.io/etcd:3.6.8-0" -> "3.6.8"; "rancher/hardened-etcd:v3.5.26-k3s1-..." -> "3.5.26".
std::string EtcdVersionFromImage(const std::string& image);

// A target from the pods: this host's pod if there is one (paths mapped under
// `host_root`, certificates used only if present here), else every pod's client URLs.
EtcdTarget TargetFromPods(const std::vector<EtcdPod>& pods, const std::string& host_root,
                          const std::string& api_server);

}  // namespace ketcd::discovery
