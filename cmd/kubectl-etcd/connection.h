#pragma once
// The flags that say how to reach etcd, and their resolution: explicit flags win;
// without --endpoints, discovery (static-pod manifest under --host-root, ...) fills in
// the endpoints and certificates.

#include <optional>

#include "cmd/kubectl-etcd/command.h"
#include "pkg/discovery/discovery.h"
#include "pkg/etcdclient/client.h"

namespace ketcd::cmd {

void AddConnectionFlags(cxxopts::Options& options);

struct Connection {
  etcdclient::ConnectionConfig config;
  std::optional<discovery::EtcdTarget> discovered;  // set when discovery supplied values
};

absl::StatusOr<Connection> ResolveConnection(const cxxopts::ParseResult& flags);

// Host root from --host-root (default "/").
std::string HostRoot(const cxxopts::ParseResult& flags);

}  // namespace ketcd::cmd
