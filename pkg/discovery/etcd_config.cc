// etcd's configuration sources and the EtcdTarget built from them. Precedence follows
// etcd 3.4-3.6: a config file replaces everything else; otherwise flags, then ETCD_*
// environment variables (etcd refuses to start when both set the same option).
#include "pkg/discovery/etcd_config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstring>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "pkg/fsutil/file.h"

namespace ketcd::discovery {
namespace {

// etcd's boolean flags: Go's flag package never takes the next word as their value.
bool IsBoolFlag(const std::string& name) {
  static const std::set<std::string> kBools = {
      "client-cert-auth", "peer-client-cert-auth", "auto-tls", "peer-auto-tls", "strict-reconfig-check",
      "enable-v2", "enable-pprof", "force-new-cluster", "experimental-initial-corrupt-check", "debug",
      "enable-grpc-gateway", "pre-vote", "experimental-enable-lease-checkpoint", "version", "help",
      "log-rotation-config-json", "socket-reuse-port", "socket-reuse-address", "v2-deprecation"};
  return kBools.count(name) > 0;
}

void Put(EtcdConfig* cfg, const std::string& key, std::string value, const std::string& origin,
         const std::string& file, const std::string& spelled) {
  (*cfg)[key] = Setting{std::move(value), origin, file, spelled};
}

std::string ScalarText(const YAML::Node& n) {
  if (n.IsScalar()) return n.as<std::string>();
  if (n.IsSequence()) {  // log-outputs: [stderr]
    std::string out;
    for (const YAML::Node& e : n) {
      if (!e.IsScalar()) continue;
      out += (out.empty() ? "" : ",") + e.as<std::string>();
    }
    return out;
  }
  return "";
}

}  // namespace

std::vector<std::string> SplitList(const std::string& s) {
  std::vector<std::string> out;
  for (absl::string_view p : absl::StrSplit(s, ',', absl::SkipWhitespace())) {
    out.emplace_back(absl::StripAsciiWhitespace(p));
  }
  return out;
}

std::map<std::string, std::string> ParseFlagMap(const std::vector<std::string>& argv) {
  EtcdConfig cfg;
  AddFlags(argv, "", "", &cfg);
  std::map<std::string, std::string> out;
  for (const auto& [k, v] : cfg) out[k] = v.value;
  return out;
}

void AddFlags(const std::vector<std::string>& argv, const std::string& where, const std::string& file,
              EtcdConfig* cfg) {
  for (size_t i = 0; i < argv.size(); i++) {
    absl::string_view a = argv[i];
    if (!absl::StartsWith(a, "-") || a == "-" || a == "--") continue;
    while (absl::StartsWith(a, "-")) a.remove_prefix(1);
    std::string name, value;
    size_t eq = a.find('=');
    if (eq != absl::string_view::npos) {
      name = std::string(a.substr(0, eq));
      value = std::string(a.substr(eq + 1));
    } else {
      name = std::string(a);
      if (!IsBoolFlag(name) && i + 1 < argv.size() && !absl::StartsWith(argv[i + 1], "-")) {
        value = argv[++i];
      } else {
        value = "true";
      }
    }
    std::string spelled = absl::StrCat("--", name);
    Put(cfg, name, value, where.empty() ? spelled : absl::StrCat(spelled, " in ", where), file, spelled);
  }
}

std::string FlagOfEnv(const std::string& var) {
  if (!absl::StartsWith(var, "ETCD_") || var.size() <= 5) return "";
  std::string flag = absl::AsciiStrToLower(var.substr(5));
  absl::StrReplaceAll({{"_", "-"}}, &flag);
  return flag;
}

void AddEnv(const std::map<std::string, Setting>& env, EtcdConfig* cfg) {
  for (const auto& [var, s] : env) {
    std::string flag = FlagOfEnv(var);
    if (flag.empty() || cfg->count(flag)) continue;
    Put(cfg, flag, s.value, absl::StrCat(var, " ", s.origin), s.file, var);
  }
}

absl::Status LoadConfigFile(const std::string& path, EtcdConfig* cfg) {
  KETCD_ASSIGN_OR_RETURN(std::string text, fsutil::ReadFile(path));
  try {
    YAML::Node root = YAML::Load(text);
    if (!root.IsMap()) {
      return absl::InvalidArgumentError(
          absl::StrCat("etcd config file \"", path, "\" is not a YAML mapping of etcd settings"));
    }
    cfg->clear();
    for (const auto& kv : root) {
      std::string key = kv.first.as<std::string>();
      if (key == "client-transport-security" || key == "peer-transport-security") {
        if (!kv.second.IsMap()) continue;
        std::string prefix = key == "peer-transport-security" ? "peer-" : "";
        for (const auto& tls : kv.second) {
          std::string sub = tls.first.as<std::string>();
          Put(cfg, prefix + sub, ScalarText(tls.second), absl::StrCat(key, ".", sub, " in ", path), path,
              absl::StrCat(key, ".", sub));
        }
        continue;
      }
      Put(cfg, key, ScalarText(kv.second), absl::StrCat(key, " in ", path), path, key);
    }
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("etcd config file \"", path, "\" is not valid YAML: line ",
                                                   e.mark.line + 1, ": ", e.msg));
  }
  return absl::OkStatus();
}

std::vector<std::string> ClientEndpoints(const std::string& listen_text, const std::string& advertise_text) {
  std::vector<std::string> out;
  auto add = [&](std::string url) {
    for (const char* any : {"://0.0.0.0:", "://[::]:"}) {
      size_t p = url.find(any);
      if (p != std::string::npos) url = url.substr(0, p) + "://127.0.0.1:" + url.substr(p + std::strlen(any));
    }
    if (std::find(out.begin(), out.end(), url) == out.end()) out.push_back(url);
  };
  std::vector<std::string> listen = SplitList(listen_text), advertise = SplitList(advertise_text);
  // Local URLs first: the tool runs on the node, and 127.0.0.1 is in the server
  // certificate of kubeadm and RKE2.
  for (const auto& u : listen) {
    if (absl::StrContains(u, "://127.") || absl::StrContains(u, "://localhost") || absl::StrContains(u, "://[::1]") ||
        absl::StrContains(u, "://0.0.0.0") || absl::StrContains(u, "://[::]")) {
      add(u);
    }
  }
  for (const auto& u : advertise) add(u);
  for (const auto& u : listen) {
    if (!absl::StartsWith(u, "unix")) add(u);
  }
  if (out.empty()) add("http://127.0.0.1:2379");  // etcd's default
  return out;
}

void FillTarget(const EtcdConfig& cfg, const PathMapper& to_host, const std::string& working_dir,
                EtcdTarget* t) {
  auto get = [&](const std::string& k) -> const Setting* {
    auto it = cfg.find(k);
    return it == cfg.end() || it->second.value.empty() ? nullptr : &it->second;
  };
  const Setting* listen = get("listen-client-urls");
  const Setting* advertise = get("advertise-client-urls");
  t->endpoints = ClientEndpoints(listen ? listen->value : "", advertise ? advertise->value : "");
  if (listen || advertise) {
    t->origin["endpoints"] = listen && advertise ? absl::StrCat(listen->origin, "; ", advertise->key)
                                                 : (listen ? listen->origin : advertise->origin);
  } else {
    t->origin["endpoints"] = "etcd default (http://127.0.0.1:2379)";
  }

  const Setting* ca = get("trusted-ca-file");
  if (ca != nullptr) {
    t->ca_file = to_host(ca->value);
    t->origin["ca_file"] = ca->origin;
    // A client identity beside the CA: kubeadm's healthcheck-client, RKE2's client.
    std::string dir = fsutil::Dirname(t->ca_file);
    for (const char* base : {"healthcheck-client", "client"}) {
      std::string crt = fsutil::JoinPath(dir, absl::StrCat(base, ".crt"));
      std::string key = fsutil::JoinPath(dir, absl::StrCat(base, ".key"));
      if (fsutil::PathExists(crt) && fsutil::PathExists(key)) {
        t->cert_file = crt;
        t->key_file = key;
        t->origin["cert_file"] = absl::StrCat(base, ".crt beside the CA");
        t->origin["key_file"] = absl::StrCat(base, ".key beside the CA");
        break;
      }
    }
  }
  const Setting* cert = get("cert-file");
  const Setting* key = get("key-file");
  if (t->cert_file.empty() && cert != nullptr && key != nullptr) {
    t->cert_file = to_host(cert->value);
    t->key_file = to_host(key->value);
    t->origin["cert_file"] = absl::StrCat(cert->origin, " (the server's own certificate)");
    t->origin["key_file"] = key->origin;
  }

  const Setting* name = get("name");
  t->name = name ? name->value : "default";
  t->origin["name"] = name ? name->origin : "etcd default";

  const Setting* dd = get("data-dir");
  std::string data_dir = dd ? dd->value : absl::StrCat(t->name, ".etcd");
  if (!absl::StartsWith(data_dir, "/")) data_dir = fsutil::JoinPath(working_dir.empty() ? "/" : working_dir, data_dir);
  t->container_data_dir = data_dir;
  t->data_dir = to_host(data_dir);
  t->origin["data_dir"] = dd ? dd->origin : absl::StrCat("etcd default (<name>.etcd in ", working_dir, ")");
  if (dd) {
    t->data_dir_file = dd->file;
    t->data_dir_key = dd->key;
  }
  if (const Setting* wd = get("wal-dir"); wd != nullptr && !wd->value.empty()) {
    std::string wal = wd->value;
    if (!absl::StartsWith(wal, "/")) wal = fsutil::JoinPath(working_dir.empty() ? "/" : working_dir, wal);
    t->container_wal_dir = wal;
    t->wal_dir = to_host(wal);
    t->wal_dir_file = wd->file;
    t->wal_dir_key = wd->key;
    t->origin["wal_dir"] = wd->origin;
  }

  if (const Setting* p = get("initial-advertise-peer-urls")) {
    t->peer_urls = SplitList(p->value);
    t->origin["peer_urls"] = p->origin;
  } else {
    t->peer_urls = {"http://localhost:2380"};
    t->origin["peer_urls"] = "etcd default";
  }
  if (const Setting* ic = get("initial-cluster")) {
    t->initial_cluster = ic->value;
    t->origin["initial_cluster"] = ic->origin;
  } else {
    t->initial_cluster = absl::StrCat(t->name, "=", t->peer_urls.empty() ? "" : t->peer_urls[0]);
    t->origin["initial_cluster"] = "etcd default (<name>=<first peer URL>)";
  }
  if (const Setting* tok = get("initial-cluster-token")) {
    t->initial_cluster_token = tok->value;
    t->origin["initial_cluster_token"] = tok->origin;
  } else {
    t->initial_cluster_token = "etcd-cluster";
    t->origin["initial_cluster_token"] = "etcd default";
  }
}

}  // namespace ketcd::discovery
