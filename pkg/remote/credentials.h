#pragma once
// The etcd client credentials of a member, read on its node and kept in memory: through
// `kubectl exec` in the etcd container when it has a shell, else through a helper pod on
// that node (helper_pod.h), deleted again before this returns, whatever happens.

#include <chrono>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "pkg/base/status.h"
#include "pkg/etcdclient/client.h"
#include "pkg/kubeclient/client.h"
#include "pkg/remote/kubectl.h"

namespace ketcd::remote {

inline constexpr char kNamespace[] = "kube-system";

// A file on a node: as the etcd container sees it, and its host path.
struct NodeFile {
  std::string in_container;
  std::string on_host;
};

// An etcd pod as the remote path needs it.
struct MemberPod {
  std::string pod;    // etcd-cp1
  std::string node;   // spec.nodeName
  std::string image;  // the etcd container's image
  std::string container = "etcd";
  int client_port = 2379;  // a client port etcd listens on at the node's loopback
  NodeFile ca;             // --trusted-ca-file
  // Client certificate and key candidates, in order of preference (kubeadm's
  // healthcheck-client beside the CA, RKE2's client, then --cert-file/--key-file).
  std::vector<std::pair<NodeFile, NodeFile>> client_pairs;
};

struct Credentials {
  std::string source;  // "kubectl exec in pod kube-system/etcd-cp1", "helper pod ... (image ...)"
  etcdclient::TlsFiles tls;  // file fields name "NODE:PATH"; the PEM fields hold the material
};

struct CredentialOptions {
  const kubeclient::Client* api = nullptr;
  Kubectl* kubectl = nullptr;
  std::string run_id;
  std::chrono::milliseconds helper_start_timeout{60000};
  std::function<void(const std::string&)> log;  // one line per step, for stderr
};

// The kube-system permissions the remote path needs, checked with SelfSubjectAccessReview.
absl::Status CheckRemoteAccess(const kubeclient::Client& api, const std::string& command);

absl::StatusOr<Credentials> ReadCredentials(const CredentialOptions& opts, const MemberPod& member);

// The credentials from a file dump (kubectl.h: ParseFileDump) of `paths` (the CA, then
// pairs as given to kReadFilesScript): the CA and the pair that was printed.
absl::StatusOr<Credentials> CredentialsFromDump(const std::map<std::string, std::string>& dump,
                                                const std::string& ca_path,
                                                const std::vector<std::pair<std::string, std::string>>& pairs,
                                                const std::string& node);

}  // namespace ketcd::remote
