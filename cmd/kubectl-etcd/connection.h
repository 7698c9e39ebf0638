#pragma once
// The flags that say how to reach etcd, and their resolution: explicit flags win;
// without --endpoints, discovery (static-pod manifest or systemd unit under --host-root,
// the kube-apiserver's flags, the cluster's etcd pods through --kubeconfig/--context)
// fills in the endpoints and certificates.

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

// Discovery options from --host-root, --manifest, --kubeconfig and --context.
discovery::Options DiscoveryOptions(const cxxopts::ParseResult& flags);

// The connection from a discovered target (or none) with explicit flags applied over
// it; the target's origin map records which flags overrode it.
absl::StatusOr<Connection> ConnectionFrom(const cxxopts::ParseResult& flags,
                                          std::optional<discovery::EtcdTarget> target);

// Host root from --host-root (default "/").
std::string HostRoot(const cxxopts::ParseResult& flags);

}  // namespace ketcd::cmd
