#pragma once
// The Kubernetes API client of kubectl-etcd: HTTPS requests (libcurl) with a kubeconfig's
// server, trust and credentials, JSON in and out. Every caller (discovery's pod list, the
// node restore's kubeadm-config update) goes through Client::Request, so the transport
// rules are the same everywhere:
//   - only https:// and http:// servers, redirects included (never file:// and the like);
//   - the CA, client certificate and key stay in memory (PEM blobs), never on disk;
//   - tls-server-name is the name sent as SNI and checked in the certificate;
//   - a bearer token wins over basic auth; exec plugins run once, in Create.
// Replies outside 2xx become Status codes: 401 Unauthenticated, 403 PermissionDenied,
// 404 NotFound, 409 Aborted (a conflicting update), anything else or no connection
// Unavailable. The message names the method, path, HTTP code, the server's metav1.Status
// message and the context, user and auth method.

#include <nlohmann/json.hpp>

#include <string>

#include "pkg/base/status.h"
#include "pkg/kubeclient/kubeconfig.h"

namespace ketcd::kubeclient {

// The Status code a non-2xx HTTP reply maps to.
absl::StatusCode CodeForHttpStatus(long http_status);

class Client {
 public:
  // Runs the exec plugin, if the user has one, before the first request.
  static absl::StatusOr<Client> Create(RestConfig config, long timeout_seconds = 15);

  // `path` is absolute ("/api/v1/..."), with its query. A non-empty `body` is sent as
  // application/json. Returns the decoded JSON reply.
  absl::StatusOr<nlohmann::json> Request(const std::string& method, const std::string& path,
                                         const std::string& body = "") const;
  absl::StatusOr<nlohmann::json> Get(const std::string& path) const { return Request("GET", path); }

  const RestConfig& config() const { return config_; }

 private:
  Client(RestConfig config, long timeout) : config_(std::move(config)), timeout_(timeout) {}
  RestConfig config_;
  long timeout_;
};

}  // namespace ketcd::kubeclient
