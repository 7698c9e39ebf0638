#pragma once
// Diagnosis of a failed connection to an etcd endpoint. gRPC reports most
// failures as "connection refused" or "deadline exceeded"; this probe redoes the
// connection step by step with plain sockets and OpenSSL and says which step failed
// and why: nothing listening, no answer, not TLS, the server's certificate not
// trusted by the CA file (and why), the client certificate rejected by the server,
// or a port that is etcd's peer or metrics port rather than its client port.

#include <chrono>

#include "pkg/base/status.h"
#include "pkg/etcdclient/client.h"

namespace ketcd::etcdclient {

// OK when the endpoint looks like a healthy etcd client port for these credentials.
absl::Status ProbeEndpoint(const Endpoint& endpoint, const TlsFiles& tls, std::chrono::milliseconds timeout);

}  // namespace ketcd::etcdclient
