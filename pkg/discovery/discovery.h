#pragma once
// Finding the local etcd: where it listens, which certificates a client uses,
// where its data lives and which file defines it. Sources, tried in order unless
// one is named: a static-pod manifest (kubeadm, RKE2), a systemd unit, the
// kube-apiserver's --etcd-* flags, the cluster's etcd pods through the kubeconfig.
// Every path in an EtcdTarget is a host path with the host root already applied.

#include <map>
#include <string>
#include <vector>

#include "pkg/base/status.h"

namespace ketcd::discovery {

struct Options {
  std::string host_root = "/";  // prefix of every host path (a debug pod's /host, or a test root)
  std::string manifest;         // --manifest: this static-pod manifest (host path, under host_root)
};

struct EtcdTarget {
  std::string kind;            // "kubeadm", "rke2", "systemd", "apiserver-flags", "kubeconfig"
  std::string defined_in;      // host path of the manifest/unit that defines etcd
  std::vector<std::string> endpoints;  // client URLs, local ones first
  std::string ca_file;         // trust anchor for the server certificate
  std::string cert_file;       // client certificate and key (kubeadm: healthcheck-client)
  std::string key_file;
  std::string data_dir;        // host path of --data-dir
  std::string container_data_dir;  // --data-dir as the container sees it (static pods)
  std::string name;            // --name
  std::vector<std::string> peer_urls;  // --initial-advertise-peer-urls
  std::string initial_cluster;
  std::string initial_cluster_token;
  // For `discover`: which flag, file or default each field above came from.
  std::map<std::string, std::string> origin;
};

absl::StatusOr<EtcdTarget> Discover(const Options& opts);

// A kubeadm- or RKE2-style static pod manifest at `path` (a host path).
absl::StatusOr<EtcdTarget> FromStaticPodManifest(const std::string& path, const std::string& host_root);

// Prefixes a host path with the host root ("/" leaves it as it is).
std::string UnderRoot(const std::string& host_root, const std::string& path);

}  // namespace ketcd::discovery
