#pragma once
// HTTP(S) calls a restore makes besides etcd's gRPC: the API server's liveness probe
// (like the kubelet's probe: HTTPS without certificate verification) and GET/PUT of
// objects with a kubeconfig's credentials (pkg/discovery reads only).

#include <nlohmann/json.hpp>

#include <string>

#include "pkg/base/status.h"
#include "pkg/discovery/kubeconfig.h"

namespace ketcd::noderestore {

// GET https://<host>:<port><path> without verifying the certificate. Returns the HTTP
// status code, or 0 when nothing answers (connection refused, TLS failure, timeout).
long ProbeHttps(const std::string& host, int port, const std::string& path, long timeout_ms);

// The cluster ID an etcd member reports on its peer listener (GET <peer_url>/members,
// header X-Etcd-Cluster-ID). The peer listener serves before the member has quorum, so
// this tells which data a member of a cluster still being restored runs on. TLS peers
// need a client certificate signed by the peer CA (kubeadm: the etcd CA). 0 when the
// member does not answer.
uint64_t PeerClusterId(const std::string& peer_url, const std::string& ca_file, const std::string& cert_file,
                       const std::string& key_file, long timeout_ms);

// One request to the Kubernetes API with the kubeconfig's server, CA and credentials
// (bearer token, basic auth or client certificate). Non-2xx replies are errors
// (404 NotFound, 409 Aborted, 401/403 Unauthenticated/PermissionDenied, else Unavailable).
absl::StatusOr<nlohmann::json> ApiRequest(const discovery::RestConfig& config, const std::string& method,
                                          const std::string& path, const std::string& body = "");

}  // namespace ketcd::noderestore
