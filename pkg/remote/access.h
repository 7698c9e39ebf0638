#pragma once
// SelfSubjectAccessReview (authorization.k8s.io/v1): asks the API server whether the
// kubeconfig's user may do what the remote path is about to do, so that a missing RBAC
// rule is refused up front, naming the verb, resource and namespace, instead of failing
// half-way through a kubectl child.

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "pkg/base/status.h"
#include "pkg/kubeclient/client.h"

namespace ketcd::remote {

struct Access {
  std::string verb;         // "create"
  std::string resource;     // "pods"
  std::string subresource;  // "exec", "portforward" or ""
  std::string ns;           // "kube-system"

  std::string Name() const { return subresource.empty() ? resource : resource + "/" + subresource; }
};

inline constexpr char kAccessReviewPath[] = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews";

nlohmann::json AccessReviewRequest(const Access& access);

// OK when the review's status.allowed is true; PermissionDenied naming the verb,
// resource and namespace (and the authorizer's reason, if any) when it is false;
// Unavailable for a reply that is not a SelfSubjectAccessReview.
absl::Status AccessReviewResult(const nlohmann::json& reply, const Access& access);

// Asks for each in turn; the first refusal is returned. `why` ends the refusal message
// ("kubectl etcd backup from a workstation needs it").
absl::Status CheckAccess(const kubeclient::Client& api, const std::vector<Access>& wanted, const std::string& why);

}  // namespace ketcd::remote
