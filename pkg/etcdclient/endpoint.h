#pragma once
// Client URLs as etcd and etcdctl accept them: "https://10.0.0.11:2379",
// "http://127.0.0.1:2379", "[::1]:2379" or "127.0.0.1:2379" (scheme from the TLS flags).

#include <string>
#include <vector>

#include "pkg/base/status.h"

namespace ketcd::etcdclient {

struct Endpoint {
  std::string scheme;  // "https" or "http"
  std::string host;    // without brackets for IPv6
  int port = 0;

  bool tls() const { return scheme == "https"; }
  std::string HostPort() const;  // "[::1]:2379" / "127.0.0.1:2379" (gRPC target)
  std::string Url() const;       // "https://127.0.0.1:2379"
  bool IsLoopback() const;
};

// `default_tls` decides the scheme of a URL given without one.
absl::StatusOr<Endpoint> ParseEndpoint(const std::string& text, bool default_tls);
// Comma-separated list; empty items skipped; duplicates removed keeping order.
absl::StatusOr<std::vector<Endpoint>> ParseEndpoints(const std::string& text, bool default_tls);

}  // namespace ketcd::etcdclient
