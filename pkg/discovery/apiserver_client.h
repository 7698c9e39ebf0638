#pragma once
// A minimal Kubernetes API client over HTTPS (libcurl): GET a path with the kubeconfig's
// credentials and decode the JSON reply. Failures become Status codes: 401 ->
// Unauthenticated, 403 -> PermissionDenied, 404 -> NotFound, no connection -> Unavailable.

#include <nlohmann/json.hpp>

#include <string>

#include "pkg/base/status.h"
#include "pkg/discovery/kubeconfig.h"

namespace ketcd::discovery {

class ApiClient {
 public:
  // Runs the exec plugin, if the user has one, before the first request.
  static absl::StatusOr<ApiClient> Create(RestConfig config, long timeout_seconds = 15);

  absl::StatusOr<nlohmann::json> Get(const std::string& path) const;
  const RestConfig& config() const { return config_; }

 private:
  explicit ApiClient(RestConfig config, long timeout) : config_(std::move(config)), timeout_(timeout) {}
  RestConfig config_;
  long timeout_;
};

}  // namespace ketcd::discovery
