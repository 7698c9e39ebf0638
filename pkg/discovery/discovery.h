#pragma once
// Finding the local etcd: where it listens, which certificates a client uses,
// where its data lives and which file defines it. Sources, tried in order unless
// one is named: a static-pod manifest (kubeadm, RKE2), a systemd unit, the
// kube-apiserver's --etcd-* flags, the cluster's etcd pods through the kubeconfig.
// Every path in an EtcdTarget is a host path with the host root already applied.
// The order and what is read from each source: pkg/discovery/README.md.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "pkg/base/status.h"

namespace ketcd::discovery {

struct Options {
  std::string host_root = "/";  // prefix of every host path (a debug pod's /host, or a test root)
  std::string manifest;         // --manifest: this static-pod manifest (host path, under host_root)

  // The kubeconfig step. `kubeconfig` is --kubeconfig; `kubeconfig_env` is $KUBECONFIG
  // (nullopt: read the process environment); `home` is $HOME (nullopt: environment).
  bool use_kubeconfig = true;
  std::string kubeconfig;
  std::string context;
  std::optional<std::string> kubeconfig_env;
  std::optional<std::string> home;
  // Also list the cluster's etcd pods when a local etcd was found (for `discover`).
  bool always_query_cluster = false;
  // This host's node name; empty: <host_root>/etc/hostname, else gethostname().
  std::string node_name;
};

struct EtcdTarget {
  std::string kind;            // "kubeadm", "rke2", "static-pod", "systemd", "apiserver-flags", "kubeconfig"
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

  // Where the data dir is set, for a restore that has to change it: the file
  // (manifest, unit, drop-in, environment file or etcd config file; empty when etcd's
  // default applies) and the setting in it ("--data-dir", "ETCD_DATA_DIR", "data-dir",
  // "hostPath of volume etcd-data").
  std::string data_dir_file;
  std::string data_dir_key;
  // A WAL dir of its own (--wal-dir), as the data dir: host path, as etcd sees it, and
  // where it is set. Empty when the WAL is inside the data dir.
  std::string wal_dir;
  std::string container_wal_dir;
  std::string wal_dir_file;
  std::string wal_dir_key;
  std::string config_file;          // host path of --config-file, if etcd uses one
  std::string image;                // static pods: the container image
  std::string user;                 // systemd: User= (owner of a new data dir)
  std::vector<std::string> files;   // every file read to build this target, in order
};

// An etcd mirror pod listed through the API server.
struct EtcdPod {
  std::string name;       // etcd-cp1
  std::string node;       // spec.nodeName
  std::string host_ip;    // status.hostIP
  std::string phase;      // status.phase
  bool ready = false;     // Ready condition
  int restarts = 0;
  std::string image;
  std::string version;    // etcd version from the image tag ("3.6.8"), empty if not recognisable
  std::vector<std::string> client_urls;  // advertise-client-urls (annotation or flag)
  std::map<std::string, std::string> flags;  // the container's command line
  std::string data_dir;   // host path of the data dir on that node
  std::map<std::string, std::string> host_paths;  // hostPath mounts: container path -> host path
  bool this_host = false;
};

// One source tried, for `discover`'s report.
struct Step {
  std::string source;    // "kubeadm manifest", "systemd unit", "kubeconfig", ...
  std::string location;  // the file, directory or API server looked at
  std::string outcome;   // "found", "not found", "error", "skipped", "used"
  std::string detail;
  absl::Status status;   // the error, when outcome is "error"
};

struct Report {
  std::vector<Step> steps;
  std::optional<EtcdTarget> target;  // the first source that found etcd
  std::vector<EtcdPod> pods;         // from the API server, when it was asked
  std::string api_server;            // server URL of the kubeconfig context used
  std::string context;               // kubeconfig context used
  std::string node_name;             // this host's node name as used for matching
  bool cluster_listed = false;       // the API server answered the etcd pod list
};

// Tries every source in order and records each step. Fails only for an error that
// must stop discovery (a named --manifest that is broken); a source that is absent or
// broken is a step. `target` is empty when nothing found etcd.
absl::StatusOr<Report> DiscoverReport(const Options& opts);

// The first source that finds etcd. NotFound (naming what was tried) when none does,
// worded for a managed control plane when the kubeconfig worked but listed no etcd pods.
absl::StatusOr<EtcdTarget> Discover(const Options& opts);

// The target of a report, or the error Discover returns for it.
absl::StatusOr<EtcdTarget> TargetFromReport(Report report);

// A kubeadm- or RKE2-style static pod manifest at `path` (a host path).
absl::StatusOr<EtcdTarget> FromStaticPodManifest(const std::string& path, const std::string& host_root);

// Prefixes a host path with the host root ("/" leaves it as it is).
std::string UnderRoot(const std::string& host_root, const std::string& path);

}  // namespace ketcd::discovery
