#pragma once
// A scratch host root laid out like a kubeadm control-plane node (certificates, static-pod
// manifests of kubeadm 1.30-, 1.33- and 1.35-style with kubeadm's TLS peer set-up,
// admin.conf, the kubeadm-config ConfigMap) and its kubelet stand-in
// (tests/kubelet/kubelet.py), which runs the static pods' real commands. The API server is
// the fake one (tests/kubelet/fake_kube_apiserver.py, /livez always 200) or the real
// kube-apiserver ($KETCD_KUBE_APISERVER) with kubeadm's flags, storing in the node's etcd.
// Shared by the node restore tests.
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <sstream>
#include <thread>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "pkg/noderestore/http.h"
#include "tests/e2e/harness.h"

namespace ketcd::e2e {

void Put(const std::string& path, const std::string& text);
std::string Tool(const std::string& name);

// How each kubeadm release writes etcd.yaml (cmd/kubeadm/app/phases/etcd/local.go), paired with an etcd that
// accepts its flags: 1.30 and 1.33 the --experimental-* pair, 1.35 the 3.6 spellings.
struct Style {
  const char* kubeadm;
  const char* etcd;
};
inline constexpr Style kStyles[] = {{"1.30", "3.4"}, {"1.33", "3.5"}, {"1.35", "3.6"}, {"1.35", "3.7"}};

struct Ports {
  int client = 0, peer = 0, metrics = 0, apiserver = 0;
};

// etcd.yaml as kubeadm writes it, peers included: https peer URLs, peer.crt/peer.key,
// --peer-client-cert-auth=true and the etcd CA as --peer-trusted-ca-file.
std::string EtcdManifest(const std::string& kubeadm, const std::string& name, const Ports& p,
                         const std::string& initial_cluster);
// The kube-apiserver flags kubeadm writes (a subset: no front proxy, no kubelet client),
// on 127.0.0.1 only.
std::vector<std::string> KubeApiServerFlags(const Ports& p);
std::string ControlPlaneManifest(const std::string& component, const std::vector<std::string>& flags);
int IndexOf(const std::vector<std::string>& events, const std::string& prefix, int nth = 1);
// $KETCD_KUBE_APISERVER; adds a failure (never a skip) when it is not set or not executable.
std::string KubeApiServerBinary();

enum class ApiServer { kFake, kReal };

// What the node fixtures share: etcdctl with the test's client certificate against the
// node's etcd.
class EtcdHost {
 public:
  EtcdHost(const EtcdVersion& v, const TestCerts& certs) : v_(v), certs_(certs) {}
  virtual ~EtcdHost() = default;
  virtual std::string ClientUrl() const = 0;

  CommandResult Etcdctl(const std::vector<std::string>& args, int timeout = 20) const {
    std::vector<std::string> argv = {v_.etcdctl(), "--endpoints", ClientUrl(), "--cacert", certs_.ca_crt, "--cert",
                                     certs_.client_crt, "--key", certs_.client_key, "--command-timeout", "5s"};
    argv.insert(argv.end(), args.begin(), args.end());
    return Run(argv, {{"ETCDCTL_API", "3"}}, timeout);
  }
  std::string Get(const std::string& key) const {
    CommandResult r = Etcdctl({"get", key, "--print-value-only"});
    return r.exit_code == 0 ? r.out : "<error " + r.err + ">";
  }
  bool WaitEtcd(int seconds) const {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    do {
      if (Etcdctl({"endpoint", "health"}, 5).exit_code == 0) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    } while (std::chrono::steady_clock::now() < deadline);
    return false;
  }

 protected:
  EtcdVersion v_;
  const TestCerts& certs_;
};

// A scratch host root with its kubelet stand-in.
class Node : public EtcdHost {
 public:
  Node(const EtcdVersion& v, const TestCerts& certs, const std::string& name)
      : EtcdHost(v, certs), name_(name) {
    p_.client = FreePort();
    p_.peer = FreePort();
    p_.metrics = FreePort();
    p_.apiserver = FreePort();
    std::string pki = R("/etc/kubernetes/pki");
    for (auto [from, to] : std::vector<std::pair<std::string, std::string>>{
             {certs.ca_crt, "/etcd/ca.crt"}, {certs.server_crt, "/etcd/server.crt"},
             {certs.server_key, "/etcd/server.key"}, {certs.peer_crt, "/etcd/peer.crt"},
             {certs.peer_key, "/etcd/peer.key"}, {certs.client_crt, "/etcd/healthcheck-client.crt"},
             {certs.client_key, "/etcd/healthcheck-client.key"}, {certs.ca_crt, "/ca.crt"},
             {certs.server_crt, "/apiserver.crt"}, {certs.server_key, "/apiserver.key"},
             {certs.client_crt, "/apiserver-etcd-client.crt"}, {certs.client_key, "/apiserver-etcd-client.key"}}) {
      std::filesystem::create_directories(std::filesystem::path(pki + to).parent_path());
      std::filesystem::copy_file(from, pki + to, std::filesystem::copy_options::overwrite_existing);
    }
  }
  ~Node() { StopKubelet(); }

  std::string R(const std::string& p = "") const { return root_.path() + p; }
  std::string Manifests() const { return R("/etc/kubernetes/manifests"); }
  const Ports& ports() const { return p_; }
  std::string ClientUrl() const override { return "https://127.0.0.1:" + std::to_string(p_.client); }
  std::string PeerUrl() const { return "https://127.0.0.1:" + std::to_string(p_.peer); }
  const std::string& name() const { return name_; }

  void WriteEtcd(const std::string& kubeadm, const std::string& initial_cluster) {
    Put(Manifests() + "/etcd.yaml", EtcdManifest(kubeadm, name_, p_, initial_cluster));
  }
  // The other control-plane manifests and admin.conf (the admin certificate, O=system:masters).
  // kFake: the fake API server, its kubeadm-config object written to its state dir now.
  // kReal: kubeadm's kube-apiserver, run by the stand-in from $KETCD_KUBE_APISERVER; the
  // kubeadm-config ConfigMap is created through the API the first time WaitApiServer
  // succeeds (it is stored in etcd, so it must exist before a backup).
  // `extra_apiserver_flags`: appended to the real kube-apiserver's (paths as the pod sees them;
  // /etc/kubernetes/pki is mounted).
  void WriteControlPlane(ApiServer api = ApiServer::kFake, const std::vector<std::string>& extra_apiserver_flags = {});
  // etcd.local.dataDir of the kubeadm-config ConfigMap ("" when it cannot be read).
  std::string KubeadmDataDir() const;

  void StartKubelet(const std::string& crash_data_dir = "");
  void StopKubelet() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
  }

  // The HTTP status of GET /livez without credentials, as the kubelet's probe (0: no answer
  // within timeout_ms; the real API server takes its etcd check's 2 s to fail it).
  long Livez(long timeout_ms = 1000) const {
    return noderestore::ProbeHttps("127.0.0.1", p_.apiserver, "/livez", timeout_ms);
  }
  bool ApiServerAnswers() const { return Livez() == 200; }
  bool WaitApiServer(int seconds) const;
  // An API request with the admin certificate (curl); the body of a 2xx answer, or "".
  std::string Api(const std::string& method, const std::string& path, const std::string& body = "") const;
  // "start"/"stop" events of the stand-in for `file`, as indices into the whole log.
  std::vector<std::string> Events() const {
    std::vector<std::string> out;
    std::istringstream in(FileContents(R("/kubelet-events.log")));
    std::string line;
    while (std::getline(in, line)) out.push_back(line.substr(line.find(' ') + 1));
    return out;
  }
  std::vector<std::string> ManifestNames() const {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(Manifests())) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
  }
  CommandResult Kubectl(std::vector<std::string> args, const std::map<std::string, std::string>& env = {},
                        int timeout = 240) const {
    args.insert(args.begin(), KubectlEtcd());
    args.push_back("--host-root");
    args.push_back(R());
    return Run(args, env, timeout);
  }
  // The same with the test-hooks binary (a kill at a step, a free-space figure).
  CommandResult KubectlWithHooks(std::vector<std::string> args, const std::map<std::string, std::string>& env,
                                 int timeout = 240) const {
    args.insert(args.begin(), KubectlEtcdTestHooks());
    args.push_back("--host-root");
    args.push_back(R());
    return Run(args, env, timeout);
  }
  // Run dirs (with a state.json) under the node's backup base.
  std::vector<std::string> Runs() const {
    std::vector<std::string> out;
    std::string base = R("/etc/kubernetes/kubectl-etcd-backups");
    if (!std::filesystem::exists(base)) return out;
    for (const auto& e : std::filesystem::directory_iterator(base)) {
      if (std::filesystem::exists(e.path() / "state.json")) out.push_back(e.path().filename().string());
    }
    std::sort(out.begin(), out.end());
    return out;
  }

 private:
  std::string KubeadmConfigMap() const;

  std::string name_;
  TempDir root_;
  Ports p_;
  pid_t pid_ = -1;
  ApiServer api_ = ApiServer::kFake;
  mutable bool kubeadm_config_created_ = false;
};

inline const std::vector<std::string> kAllManifests = {"etcd.yaml", "kube-apiserver.yaml", "kube-controller-manager.yaml",
                                                "kube-scheduler.yaml"};

// A host root whose etcd is a systemd service, run by the systemctl stand-in.
class SystemdNode : public EtcdHost {
 public:
  SystemdNode(const EtcdVersion& v, const TestCerts& certs, const std::string& name)
      : EtcdHost(v, certs), name_(name), client_(FreePort()), peer_(FreePort()) {
    for (auto [from, to] : std::vector<std::pair<std::string, std::string>>{
             {certs.ca_crt, "/etc/etcd/ca.pem"}, {certs.server_crt, "/etc/etcd/kubernetes.pem"},
             {certs.server_key, "/etc/etcd/kubernetes-key.pem"}}) {
      std::filesystem::create_directories(std::filesystem::path(R(to)).parent_path());
      std::filesystem::copy_file(from, R(to));
    }
  }
  ~SystemdNode() { Systemctl({"stop", "etcd"}); }

  std::string R(const std::string& p = "") const { return root_.path() + p; }
  const std::string& name() const { return name_; }
  std::string ClientUrl() const override { return "https://127.0.0.1:" + std::to_string(client_); }
  std::string PeerUrl() const { return "https://127.0.0.1:" + std::to_string(peer_); }
  std::string UnitPath() const { return R("/etc/systemd/system/etcd.service"); }

  // The unit; `service_extra` adds [Service] lines (TimeoutStartSec=...).
  std::string WriteUnit(const std::string& initial_cluster, const std::string& service_extra = "") {
    std::string unit =
        "[Unit]\nDescription=etcd\nDocumentation=https://github.com/etcd-io/etcd\n\n[Service]\nType=notify\n"
        "ExecStart=/usr/local/bin/etcd \\\n  --name " + name_ + " \\\n"
        "  --cert-file=/etc/etcd/kubernetes.pem \\\n  --key-file=/etc/etcd/kubernetes-key.pem \\\n"
        "  --peer-cert-file=/etc/etcd/kubernetes.pem \\\n  --peer-key-file=/etc/etcd/kubernetes-key.pem \\\n"
        "  --trusted-ca-file=/etc/etcd/ca.pem \\\n  --peer-trusted-ca-file=/etc/etcd/ca.pem \\\n"
        "  --peer-client-cert-auth \\\n  --client-cert-auth \\\n"
        "  --initial-advertise-peer-urls " + PeerUrl() + " \\\n  --listen-peer-urls " + PeerUrl() + " \\\n"
        "  --listen-client-urls " + ClientUrl() + " \\\n  --advertise-client-urls " + ClientUrl() + " \\\n"
        "  --initial-cluster-token etcd-cluster-0 \\\n  --initial-cluster " + initial_cluster + " \\\n"
        "  --initial-cluster-state new \\\n  --data-dir=/var/lib/etcd\nRestart=on-failure\nRestartSec=5\n" +
        service_extra + "\n[Install]\nWantedBy=multi-user.target\n";
    Put(UnitPath(), unit);
    return unit;
  }

  std::map<std::string, std::string> Env() const {
    const char* path = std::getenv("PATH");
    return {{"PATH", std::string(KETCD_SOURCE_DIR) + "/tests/kubelet:" + (path ? path : "/usr/bin:/bin")},
            {"KETCD_STANDIN_ROOT", R()},
            {"KETCD_STANDIN_ETCD", v_.etcd()}};
  }
  CommandResult Systemctl(const std::vector<std::string>& args, int timeout = 120) const {
    std::vector<std::string> argv = {Tool("systemctl")};
    argv.insert(argv.end(), args.begin(), args.end());
    return Run(argv, Env(), timeout);
  }
  CommandResult Kubectl(std::vector<std::string> args, int timeout = 240) const {
    args.insert(args.begin(), KubectlEtcd());
    args.push_back("--host-root");
    args.push_back(R());
    return Run(args, Env(), timeout);
  }
  // The same with the test-hooks binary and extra environment (a kill at a step).
  CommandResult KubectlWithHooks(std::vector<std::string> args, const std::map<std::string, std::string>& env,
                                 int timeout = 240) const {
    args.insert(args.begin(), KubectlEtcdTestHooks());
    args.push_back("--host-root");
    args.push_back(R());
    std::map<std::string, std::string> all = Env();
    all.insert(env.begin(), env.end());
    return Run(args, all, timeout);
  }
  std::string SystemctlLog() const { return FileContents(R("/systemctl.log")); }
  std::string EtcdLog() const { return FileContents(R("/etcd.log")); }
  // The lines of systemctl.log from `from` on (calls, and "# " notes of the stand-in).
  std::vector<std::string> LogLines(size_t from = 0) const {
    std::vector<std::string> out;
    std::istringstream in(SystemctlLog());
    for (std::string line; std::getline(in, line);) out.push_back(line);
    if (from > out.size()) from = out.size();
    out.erase(out.begin(), out.begin() + static_cast<long>(from));
    return out;
  }

 private:
  std::string name_;
  TempDir root_;
  int client_, peer_;
};

// A running single-member kubeadm node of `style` with data; `snap` (a path) is taken after
// a=1 and b=2 are written, then c=3 is written and a deleted. `crash`: passed to
// StartKubelet (a data dir name the stand-in crash-loops etcd on). `api`: the fake or the
// real kube-apiserver (WriteControlPlane).
std::unique_ptr<Node> StartNodeWithSnapshot(const Style& style, const EtcdVersion& version, const TestCerts& certs,
                                            const std::string& snap, const std::string& crash = "",
                                            ApiServer api = ApiServer::kFake);

}  // namespace ketcd::e2e
