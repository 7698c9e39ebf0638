#pragma once
// kubeconfig loading as kubectl does it: --kubeconfig, else $KUBECONFIG (several files
// merged, first value wins), else ~/.kube/config; on a node /etc/kubernetes/admin.conf
// and /etc/rancher/rke2/rke2.yaml as the last resort. The context's cluster and user
// are resolved into a RestConfig with every credential loaded into memory.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "pkg/base/status.h"

namespace ketcd::kubeclient {

struct ExecConfig {
  std::string api_version;  // client.authentication.k8s.io/v1 or v1beta1
  std::string command;      // resolved against the kubeconfig's directory if it has a '/'
  std::vector<std::string> args;
  std::vector<std::pair<std::string, std::string>> env;
  bool provide_cluster_info = false;
};

struct RestConfig {
  std::string server;  // https://10.0.0.11:6443
  std::string ca_pem;  // certificate-authority(-data)
  std::string tls_server_name;
  bool insecure_skip_tls_verify = false;
  std::string client_cert_pem;  // client-certificate(-data)
  std::string client_key_pem;
  std::string token;               // token, or read from tokenFile
  std::string username, password;  // basic auth
  std::optional<ExecConfig> exec;
  // Where it came from, for messages and `discover`.
  std::vector<std::string> files;  // the kubeconfig files read
  std::string context, cluster_name, user_name;
  std::string auth_method;  // "client certificate", "bearer token", "exec plugin", ...
};

struct KubeconfigOptions {
  std::string explicit_path;                  // --kubeconfig
  std::string context;                        // --context
  std::optional<std::string> env_kubeconfig;  // $KUBECONFIG; nullopt: read the environment
  std::optional<std::string> home;            // $HOME; nullopt: read the environment
  std::string host_root = "/";                // for the node's admin.conf fallback
};

// The kubeconfig files that would be read, in order. Empty when none exists.
std::vector<std::string> KubeconfigFiles(const KubeconfigOptions& opts);

// Loads, merges and resolves the context. NotFound when no kubeconfig file exists;
// InvalidArgument (naming the file) for a file that does not parse or a context,
// cluster or user that is missing.
absl::StatusOr<RestConfig> LoadKubeconfig(const KubeconfigOptions& opts);

// Runs the exec credential plugin of `cfg` (if any) and stores the token or client
// certificate it returns. The plugin gets our environment with the kubeconfig's `env`
// entries replacing inherited variables of the same name (client-go's rule).
absl::Status RunExecPlugin(RestConfig* cfg);

// Reads the ExecCredential a plugin printed (`cfg->exec` set) into `cfg`. Unauthenticated,
// naming `who`, for output that is not JSON, not an ExecCredential of cfg->exec's
// apiVersion, has fields of the wrong type, or carries no credential.
absl::Status ParseExecCredential(const std::string& output, const std::string& who, RestConfig* cfg);

}  // namespace ketcd::kubeclient
