// kubeconfig files (client-go clientcmd/api/v1 types): selection, merging with
// "first file to set a name wins" and resolution of one context.
#include "pkg/kubeclient/kubeconfig.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdlib>
#include <tuple>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "pkg/fsutil/file.h"

namespace ketcd::kubeclient {
namespace {

struct Entry {
  YAML::Node node;
  std::string file;
};

struct Merged {
  std::map<std::string, Entry> clusters, users, contexts;
  std::string current_context;
  std::vector<std::string> files;
};

std::string Str(const YAML::Node& n, const char* key) {
  return n && n.IsMap() && n[key] && n[key].IsScalar() ? n[key].as<std::string>() : "";
}

std::string Resolve(const std::string& file, const std::string& p) {
  if (p.empty() || p[0] == '/') return p;
  return fsutil::JoinPath(fsutil::Dirname(file), p);
}

absl::Status Bad(const std::string& file, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat("kubeconfig \"", file, "\": ", what));
}

absl::Status MergeFile(const std::string& file, Merged* m) {
  KETCD_ASSIGN_OR_RETURN(std::string text, fsutil::ReadFile(file));
  try {
    YAML::Node root = YAML::Load(text);
    if (root.IsNull()) return absl::OkStatus();  // an empty file is an empty config
    if (!root.IsMap()) return Bad(file, "not a YAML mapping");
    m->files.push_back(file);
    if (m->current_context.empty()) m->current_context = Str(root, "current-context");
    for (auto [list, key, out] : {std::tuple{"clusters", "cluster", &m->clusters},
                                  std::tuple{"users", "user", &m->users},
                                  std::tuple{"contexts", "context", &m->contexts}}) {
      YAML::Node l = root[list];
      if (!l || l.IsNull()) continue;
      if (!l.IsSequence()) return Bad(file, absl::StrCat(list, " is not a list"));
      for (const YAML::Node& item : l) {
        std::string name = Str(item, "name");
        if (name.empty()) return Bad(file, absl::StrCat("an entry of ", list, " has no name"));
        if (!out->count(name)) (*out)[name] = Entry{item[key] ? YAML::Clone(item[key]) : YAML::Node(), file};
      }
    }
  } catch (const YAML::Exception& e) {
    return Bad(file, absl::StrCat("not valid YAML: line ", e.mark.line + 1, ": ", e.msg));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> DataOrFile(const YAML::Node& n, const std::string& file, const char* data_key,
                                       const char* path_key) {
  std::string data = Str(n, data_key);
  if (!data.empty()) {
    std::string out;
    if (!absl::Base64Unescape(data, &out)) return Bad(file, absl::StrCat(data_key, " is not valid base64"));
    return out;
  }
  std::string path = Str(n, path_key);
  if (path.empty()) return std::string();
  path = Resolve(file, path);
  auto content = fsutil::ReadFile(path);
  if (!content.ok()) return Bad(file, absl::StrCat(path_key, ": ", content.status().message()));
  return *content;
}

}  // namespace

std::vector<std::string> KubeconfigFiles(const KubeconfigOptions& opts) {
  if (!opts.explicit_path.empty()) return {opts.explicit_path};
  std::vector<std::string> files;
  const char* env_c = std::getenv("KUBECONFIG");
  std::string env = opts.env_kubeconfig ? *opts.env_kubeconfig : (env_c ? env_c : "");
  if (!env.empty()) {
    for (absl::string_view f : absl::StrSplit(env, ':', absl::SkipEmpty())) {
      std::string path(f);
      if (fsutil::PathExists(path) && std::find(files.begin(), files.end(), path) == files.end()) {
        files.push_back(path);
      }
    }
  } else {
    const char* home_c = std::getenv("HOME");
    std::string home = opts.home ? *opts.home : (home_c ? home_c : "");
    if (!home.empty() && fsutil::PathExists(fsutil::JoinPath(home, ".kube/config"))) {
      files.push_back(fsutil::JoinPath(home, ".kube/config"));
    }
  }
  if (files.empty()) {
    for (const char* node_conf : {"/etc/kubernetes/admin.conf", "/etc/rancher/rke2/rke2.yaml"}) {
      std::string p = opts.host_root.empty() || opts.host_root == "/" ? std::string(node_conf)
                                                                     : fsutil::JoinPath(opts.host_root, node_conf);
      if (fsutil::PathExists(p)) {
        files.push_back(p);
        break;
      }
    }
  }
  return files;
}

namespace {

// The cluster's server and trust. May throw YAML::Exception.
absl::Status ResolveCluster(const Entry& cl, RestConfig* rc) {
  const YAML::Node& c = cl.node;
  rc->server = Str(c, "server");
  if (rc->server.empty()) return Bad(cl.file, absl::StrCat("cluster \"", rc->cluster_name, "\" has no server"));
  KETCD_ASSIGN_OR_RETURN(rc->ca_pem, DataOrFile(c, cl.file, "certificate-authority-data", "certificate-authority"));
  rc->tls_server_name = Str(c, "tls-server-name");
  rc->insecure_skip_tls_verify = Str(c, "insecure-skip-tls-verify") == "true";
  return absl::OkStatus();
}

// users[].user.exec. May throw YAML::Exception.
absl::StatusOr<ExecConfig> ParseExec(const YAML::Node& e, const std::string& file, const std::string& user) {
  ExecConfig x;
  x.api_version = Str(e, "apiVersion");
  x.command = Str(e, "command");
  if (x.command.empty()) return Bad(file, absl::StrCat("user \"", user, "\": exec has no command"));
  if (x.command.find('/') != std::string::npos) x.command = Resolve(file, x.command);
  if (e["args"] && e["args"].IsSequence()) {
    for (const YAML::Node& a : e["args"]) x.args.push_back(a.as<std::string>());
  }
  if (e["env"] && e["env"].IsSequence()) {
    for (const YAML::Node& v : e["env"]) x.env.push_back({Str(v, "name"), Str(v, "value")});
  }
  x.provide_cluster_info = Str(e, "provideClusterInfo") == "true";
  return x;
}

// The user's credentials: client certificate, token, basic auth, exec plugin. May throw
// YAML::Exception.
absl::Status ResolveUser(const Entry& us, RestConfig* rc) {
  const YAML::Node& u = us.node;
  const std::string& uf = us.file;
  KETCD_ASSIGN_OR_RETURN(rc->client_cert_pem, DataOrFile(u, uf, "client-certificate-data", "client-certificate"));
  KETCD_ASSIGN_OR_RETURN(rc->client_key_pem, DataOrFile(u, uf, "client-key-data", "client-key"));
  if (rc->client_cert_pem.empty() != rc->client_key_pem.empty()) {
    return Bad(uf, absl::StrCat("user \"", rc->user_name, "\" has a client certificate without a key or the reverse"));
  }
  rc->token = Str(u, "token");
  if (rc->token.empty() && !Str(u, "tokenFile").empty()) {
    std::string p = Resolve(uf, Str(u, "tokenFile"));
    auto t = fsutil::ReadFile(p);
    if (!t.ok()) return Bad(uf, absl::StrCat("tokenFile: ", t.status().message()));
    rc->token = std::string(absl::StripAsciiWhitespace(*t));
  }
  rc->username = Str(u, "username");
  rc->password = Str(u, "password");
  if (u["auth-provider"]) {
    return Bad(uf, absl::StrCat("user \"", rc->user_name, "\" uses auth-provider \"", Str(u["auth-provider"], "name"),
                                "\", which is not supported; use an exec credential plugin"));
  }
  if (YAML::Node e = u["exec"]; e && e.IsMap()) {
    KETCD_ASSIGN_OR_RETURN(rc->exec, ParseExec(e, uf, rc->user_name));
  }
  return absl::OkStatus();
}

// How the user authenticates, in the order the credentials are used.
std::string AuthMethod(const RestConfig& rc) {
  if (!rc.client_cert_pem.empty()) return "client certificate";
  if (!rc.token.empty()) return "bearer token";
  if (rc.exec) return absl::StrCat("exec plugin ", rc.exec->command);
  if (!rc.username.empty()) return "basic auth";
  return "anonymous";
}

// The context's cluster and user into `rc`. May throw YAML::Exception.
absl::Status ResolveContext(const Merged& m, const Entry& ctx, RestConfig* rc) {
  rc->cluster_name = Str(ctx.node, "cluster");
  rc->user_name = Str(ctx.node, "user");
  auto cl = m.clusters.find(rc->cluster_name);
  if (cl == m.clusters.end()) {
    return Bad(ctx.file, absl::StrCat("context \"", rc->context, "\" names cluster \"", rc->cluster_name,
                                      "\", which is not defined"));
  }
  KETCD_RETURN_IF_ERROR(ResolveCluster(cl->second, rc));
  if (rc->user_name.empty()) return absl::OkStatus();
  auto us = m.users.find(rc->user_name);
  if (us == m.users.end()) {
    return Bad(ctx.file, absl::StrCat("context \"", rc->context, "\" names user \"", rc->user_name,
                                      "\", which is not defined"));
  }
  return ResolveUser(us->second, rc);
}

}  // namespace

absl::StatusOr<RestConfig> LoadKubeconfig(const KubeconfigOptions& opts) {
  if (!opts.explicit_path.empty() && !fsutil::PathExists(opts.explicit_path)) {
    return absl::NotFoundError(absl::StrCat("kubeconfig \"", opts.explicit_path, "\" does not exist"));
  }
  std::vector<std::string> files = KubeconfigFiles(opts);
  if (files.empty()) {
    return absl::NotFoundError(
        "no kubeconfig: --kubeconfig, $KUBECONFIG, ~/.kube/config and /etc/kubernetes/admin.conf are all absent");
  }
  Merged m;
  for (const std::string& f : files) KETCD_RETURN_IF_ERROR(MergeFile(f, &m));
  std::string where = absl::StrJoin(files, ", ");
  RestConfig rc;
  rc.files = files;
  rc.context = opts.context.empty() ? m.current_context : opts.context;
  if (rc.context.empty()) return Bad(where, "no current-context set and no --context given");
  auto ctx = m.contexts.find(rc.context);
  if (ctx == m.contexts.end()) {
    std::vector<std::string> names;
    for (const auto& [n, e] : m.contexts) names.push_back(n);
    return Bad(where, absl::StrCat("context \"", rc.context, "\" not found (contexts: ",
                                   names.empty() ? "none" : absl::StrJoin(names, ", "), ")"));
  }
  try {
    KETCD_RETURN_IF_ERROR(ResolveContext(m, ctx->second, &rc));
  } catch (const YAML::Exception& e) {
    return Bad(where, absl::StrCat("unexpected structure: ", e.what()));
  }
  rc.auth_method = AuthMethod(rc);
  return rc;
}

}  // namespace ketcd::kubeclient
