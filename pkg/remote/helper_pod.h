#pragma once
// The short-lived helper pod that reads the etcd client credentials on a node whose etcd
// container has no shell: pinned to the node (nodeName), tolerating every taint, using
// an image already on the node (imagePullPolicy Never: air-gapped clusters work) that has
// a shell, the certificate directories mounted read-only, no service account token, an
// activeDeadlineSeconds and a sleep that ends it by itself, and labels that
// `kubectl etcd cleanup` looks for.

#include <nlohmann/json.hpp>

#include <chrono>
#include <string>
#include <vector>

#include "pkg/base/status.h"
#include "pkg/kubeclient/client.h"

namespace ketcd::remote {

inline constexpr char kManagedByLabel[] = "app.kubernetes.io/managed-by";
inline constexpr char kManagedByValue[] = "kubectl-etcd";
inline constexpr char kRunIdLabel[] = "kubectl-etcd.io/run-id";
inline constexpr int kHelperDeadlineSeconds = 600;

struct HelperPodSpec {
  std::string name;  // kubectl-etcd-creds-<run id>-<n>
  std::string ns = "kube-system";
  std::string node;
  std::string image;
  std::vector<std::string> host_dirs;  // mounted read-only at the same path
  std::string run_id;
};

nlohmann::json BuildHelperPod(const HelperPodSpec& spec);

// The images of a Node (status.images) worth trying, most likely to have a shell first:
// CNI and general-purpose images, then the others; pause images and `exclude` (the
// etcd image without a shell) left out.
std::vector<std::string> ShellImageCandidates(const nlohmann::json& node, const std::string& exclude);

enum class HelperState {
  kPending,  // not started yet
  kRunning,  // its container runs: exec into it
  kFailed,   // cannot start with this image (no shell, start error, gone)
};

struct HelperStatus {
  HelperState state = HelperState::kPending;
  std::string reason;  // why it failed, from the container status
};

HelperStatus HelperPodStatus(const nlohmann::json& pod);

// POST the pod; on a refusal (PodSecurity, a policy engine) the API server's message is
// in the error. Then waits up to `timeout` for Running or a failure.
absl::StatusOr<HelperStatus> CreateHelperPod(const kubeclient::Client& api, const HelperPodSpec& spec,
                                             std::chrono::milliseconds timeout);

// DELETE with a grace period of 0; a pod already gone is OK.
absl::Status DeletePod(const kubeclient::Client& api, const std::string& ns, const std::string& name);

// Every pod in every namespace labelled managed-by=kubectl-etcd, as namespace/name.
absl::StatusOr<std::vector<std::pair<std::string, std::string>>> ListOurPods(const kubeclient::Client& api);

}  // namespace ketcd::remote
