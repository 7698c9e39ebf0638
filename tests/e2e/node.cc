#include "tests/e2e/node.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace ketcd::e2e {

namespace fs = std::filesystem;

void Put(const std::string& path, const std::string& text) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

std::string Tool(const std::string& name) { return std::string(KETCD_SOURCE_DIR) + "/tests/kubelet/" + name; }

std::string EtcdManifest(const std::string& kubeadm, const std::string& name, const Ports& p,
                         const std::string& initial_cluster) {
  std::string c = "https://127.0.0.1:" + std::to_string(p.client);
  std::string peer = "https://127.0.0.1:" + std::to_string(p.peer);
  bool new_flags = kubeadm == "1.35";
  std::string probe_port = new_flags ? "probe-port" : std::to_string(p.metrics);
  std::string live = kubeadm == "1.30" ? "/health?exclude=NOSPACE&serializable=true" : "/livez";
  std::string t =
      "apiVersion: v1\nkind: Pod\nmetadata:\n  annotations:\n    kubeadm.kubernetes.io/etcd.advertise-client-urls: " +
      c + "\n" + (kubeadm == "1.30" ? "  creationTimestamp: null\n" : "") +
      "  labels:\n    component: etcd\n    tier: control-plane\n  name: etcd\n  namespace: kube-system\n"
      "spec:\n  containers:\n  - command:\n    - etcd\n    - --advertise-client-urls=" + c + "\n"
      "    - --cert-file=/etc/kubernetes/pki/etcd/server.crt\n    - --client-cert-auth=true\n"
      "    - --data-dir=/var/lib/etcd\n" +
      (new_flags ? "" : "    - --experimental-initial-corrupt-check=true\n"
                        "    - --experimental-watch-progress-notify-interval=5s\n") +
      (new_flags ? "    - --feature-gates=InitialCorruptCheck=true\n" : "") +
      "    - --initial-advertise-peer-urls=" + peer + "\n    - --initial-cluster=" + initial_cluster + "\n" +
      "    - --key-file=/etc/kubernetes/pki/etcd/server.key\n    - --listen-client-urls=" + c + "\n"
      "    - --listen-metrics-urls=http://127.0.0.1:" + std::to_string(p.metrics) + "\n"
      "    - --listen-peer-urls=" + peer + "\n    - --name=" + name + "\n"
      "    - --peer-cert-file=/etc/kubernetes/pki/etcd/peer.crt\n    - --peer-client-cert-auth=true\n"
      "    - --peer-key-file=/etc/kubernetes/pki/etcd/peer.key\n"
      "    - --peer-trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt\n    - --snapshot-count=10000\n"
      "    - --trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt\n" +
      (new_flags ? "    - --watch-progress-notify-interval=5s\n" : "") +
      "    image: registry.k8s.io/etcd:3.6.8-0\n    imagePullPolicy: IfNotPresent\n"
      "    livenessProbe:\n      failureThreshold: 8\n      httpGet:\n        host: 127.0.0.1\n        path: " + live +
      "\n        port: " + probe_port + "\n        scheme: HTTP\n      initialDelaySeconds: 10\n"
      "      periodSeconds: 10\n      timeoutSeconds: 15\n    name: etcd\n" +
      (new_flags ? "    ports:\n    - containerPort: " + std::to_string(p.metrics) +
                       "\n      name: probe-port\n      protocol: TCP\n"
                 : "") +
      "    resources:\n      requests:\n        cpu: 100m\n        memory: 100Mi\n"
      "    volumeMounts:\n    - mountPath: /var/lib/etcd\n      name: etcd-data\n"
      "    - mountPath: /etc/kubernetes/pki/etcd\n      name: etcd-certs\n"
      "  hostNetwork: true\n  priority: 2000001000\n  priorityClassName: system-node-critical\n"
      "  securityContext:\n    seccompProfile:\n      type: RuntimeDefault\n  volumes:\n"
      "  - hostPath:\n      path: /etc/kubernetes/pki/etcd\n      type: DirectoryOrCreate\n    name: etcd-certs\n"
      "  - hostPath:\n      path: /var/lib/etcd\n      type: DirectoryOrCreate\n    name: etcd-data\nstatus: {}\n";
  return t;
}

std::string ControlPlaneManifest(const std::string& component, const std::vector<std::string>& flags) {
  std::string t = "apiVersion: v1\nkind: Pod\nmetadata:\n  labels:\n    component: " + component +
                  "\n    tier: control-plane\n  name: " + component + "\n  namespace: kube-system\nspec:\n"
                  "  containers:\n  - command:\n    - " + component + "\n";
  for (const auto& f : flags) t += "    - " + f + "\n";
  t += "    image: registry.k8s.io/" + component + ":v1.35.0\n    name: " + component +
       "\n    volumeMounts:\n    - mountPath: /etc/kubernetes/pki\n      name: k8s-certs\n      readOnly: true\n"
       "  hostNetwork: true\n  volumes:\n  - hostPath:\n      path: /etc/kubernetes/pki\n      type: DirectoryOrCreate\n"
       "    name: k8s-certs\nstatus: {}\n";
  return t;
}

std::vector<std::string> KubeApiServerFlags(const Ports& p) {
  std::string port = std::to_string(p.apiserver);
  return {"--advertise-address=127.0.0.1",
          "--allow-privileged=true",
          "--authorization-mode=Node,RBAC",
          "--bind-address=127.0.0.1",
          "--client-ca-file=/etc/kubernetes/pki/ca.crt",
          "--enable-admission-plugins=NodeRestriction",
          "--enable-bootstrap-token-auth=true",
          "--etcd-cafile=/etc/kubernetes/pki/etcd/ca.crt",
          "--etcd-certfile=/etc/kubernetes/pki/apiserver-etcd-client.crt",
          "--etcd-keyfile=/etc/kubernetes/pki/apiserver-etcd-client.key",
          "--etcd-servers=https://127.0.0.1:" + std::to_string(p.client),
          "--secure-port=" + port,
          "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
          "--service-account-key-file=/etc/kubernetes/pki/sa.pub",
          "--service-account-signing-key-file=/etc/kubernetes/pki/sa.key",
          "--service-cluster-ip-range=10.96.0.0/12",
          "--tls-cert-file=/etc/kubernetes/pki/apiserver.crt",
          "--tls-private-key-file=/etc/kubernetes/pki/apiserver.key"};
}

std::string KubeApiServerBinary() {
  const char* bin = std::getenv("KETCD_KUBE_APISERVER");
  if (bin == nullptr || ::access(bin, X_OK) != 0) {
    ADD_FAILURE() << "KETCD_KUBE_APISERVER does not name a kube-apiserver binary: run through `make test`, which "
                     "builds one with tests/discovery/build-kube-apiserver.sh";
    return "/nonexistent/kube-apiserver";
  }
  return bin;
}

std::string Node::KubeadmConfigMap() const {
  nlohmann::json cm = {{"apiVersion", "v1"}, {"kind", "ConfigMap"},
                       {"metadata", {{"name", "kubeadm-config"}, {"namespace", "kube-system"}}},
                       {"data", {{"ClusterConfiguration",
                                  "apiServer: {}\napiVersion: kubeadm.k8s.io/v1beta4\ncertificatesDir: /etc/kubernetes/pki\n"
                                  "etcd:\n  local:\n    dataDir: /var/lib/etcd\nkind: ClusterConfiguration\n"}}}};
  if (api_ == ApiServer::kFake) cm["metadata"]["resourceVersion"] = "7";
  return cm.dump();
}

void Node::WriteControlPlane(ApiServer api, const std::vector<std::string>& extra_apiserver_flags) {
  api_ = api;
  std::vector<std::string> apiserver_flags =
      api == ApiServer::kReal ? KubeApiServerFlags(p_)
                              : std::vector<std::string>{"--client-ca-file=/etc/kubernetes/pki/ca.crt",
                                                         "--etcd-servers=https://127.0.0.1:" + std::to_string(p_.client),
                                                         "--secure-port=" + std::to_string(p_.apiserver),
                                                         "--tls-cert-file=/etc/kubernetes/pki/apiserver.crt",
                                                         "--tls-private-key-file=/etc/kubernetes/pki/apiserver.key"};
  if (api == ApiServer::kReal) {
    apiserver_flags.insert(apiserver_flags.end(), extra_apiserver_flags.begin(), extra_apiserver_flags.end());
    std::string pki = R("/etc/kubernetes/pki");
    CommandResult k = Run({"/usr/bin/openssl", "genrsa", "-out", pki + "/sa.key", "2048"});
    EXPECT_EQ(k.exit_code, 0) << k.err;
    k = Run({"/usr/bin/openssl", "rsa", "-in", pki + "/sa.key", "-pubout", "-out", pki + "/sa.pub"});
    EXPECT_EQ(k.exit_code, 0) << k.err;
  }
  Put(Manifests() + "/kube-apiserver.yaml", ControlPlaneManifest("kube-apiserver", apiserver_flags));
  Put(Manifests() + "/kube-controller-manager.yaml",
      ControlPlaneManifest("kube-controller-manager", {"--kubeconfig=/etc/kubernetes/controller-manager.conf"}));
  Put(Manifests() + "/kube-scheduler.yaml",
      ControlPlaneManifest("kube-scheduler", {"--kubeconfig=/etc/kubernetes/scheduler.conf"}));
  Put(R("/etc/kubernetes/admin.conf"),
      "apiVersion: v1\nkind: Config\nclusters:\n- name: k\n  cluster:\n    server: https://127.0.0.1:" +
          std::to_string(p_.apiserver) + "\n    certificate-authority: " + R("/etc/kubernetes/pki/ca.crt") +
          "\nusers:\n- name: kubernetes-admin\n  user:\n    client-certificate: " + certs_.admin_crt +
          "\n    client-key: " + certs_.admin_key +
          "\ncontexts:\n- name: kubernetes-admin@k\n  context: {cluster: k, user: kubernetes-admin}\n"
          "current-context: kubernetes-admin@k\n");
  if (api == ApiServer::kFake) {
    Put(R("/var/lib/fake-kube-apiserver/kube-system/kubeadm-config.json"), KubeadmConfigMap());
  }
}

std::string Node::KubeadmDataDir() const {
  std::string text = api_ == ApiServer::kFake
                         ? FileContents(R("/var/lib/fake-kube-apiserver/kube-system/kubeadm-config.json"))
                         : Api("GET", "/api/v1/namespaces/kube-system/configmaps/kubeadm-config");
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.contains("data")) return "";
  std::string cc = j["data"].value("ClusterConfiguration", "");
  size_t at = cc.find("dataDir: ");
  if (at == std::string::npos) return "";
  return cc.substr(at + 9, cc.find('\n', at) - at - 9);
}

std::string Node::Api(const std::string& method, const std::string& path, const std::string& body) const {
  std::vector<std::string> argv = {"/usr/bin/curl", "-sS", "--fail", "--max-time", "10", "-X", method,
                                   "--cacert", certs_.ca_crt, "--cert", certs_.admin_crt, "--key", certs_.admin_key,
                                   "-H", "Content-Type: application/json"};
  if (!body.empty()) {
    argv.push_back("--data-binary");
    argv.push_back("@-");
  }
  argv.push_back("https://127.0.0.1:" + std::to_string(p_.apiserver) + path);
  CommandResult r = Run(argv, {}, 20, body);
  return r.exit_code == 0 ? r.out : "";
}

bool Node::WaitApiServer(int seconds) const {
  for (int i = 0; i < seconds * 5; i++) {
    if (ApiServerAnswers()) {
      if (api_ == ApiServer::kReal && !kubeadm_config_created_) {
        std::string made = Api("POST", "/api/v1/namespaces/kube-system/configmaps", KubeadmConfigMap());
        EXPECT_NE(made.find("\"kubeadm-config\""), std::string::npos) << "creating kubeadm-config failed";
        kubeadm_config_created_ = !made.empty();
      }
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return false;
}

void Node::StartKubelet(const std::string& crash_data_dir) {
  std::string kubelet = Tool("kubelet.py"), root = R(), etcd = v_.etcd(), events = R("/kubelet-events.log"),
              logs = R("/var/log/pods");
  std::vector<std::string> args = {"python3", kubelet, "--root", root, "--etcd", etcd, "--events", events,
                                   "--log-dir", logs, "--interval", "0.1"};
  if (!crash_data_dir.empty()) {
    args.push_back("--crash-data-dir");
    args.push_back(crash_data_dir);
  }
  if (api_ == ApiServer::kReal) {
    args.push_back("--kube-apiserver");
    args.push_back(KubeApiServerBinary());
  }
  pid_ = ::fork();
  if (pid_ == 0) {
    IsolateChildEnvironment();
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execvp("python3", argv.data());
    _exit(127);
  }
}

int IndexOf(const std::vector<std::string>& events, const std::string& prefix, int nth) {
  for (int i = 0; i < static_cast<int>(events.size()); i++) {
    if (events[i].rfind(prefix, 0) == 0 && --nth == 0) return i;
  }
  return -1;
}

std::unique_ptr<Node> StartNodeWithSnapshot(const Style& style, const EtcdVersion& version, const TestCerts& certs,
                                            const std::string& snap, const std::string& crash, ApiServer api) {
  auto node = std::make_unique<Node>(version, certs, "cp1");
  node->WriteEtcd(style.kubeadm, "cp1=" + node->PeerUrl());
  node->WriteControlPlane(api);
  node->StartKubelet(crash);
  EXPECT_TRUE(node->WaitEtcd(30)) << FileContents(node->R("/var/log/pods/etcd.yaml.log"));
  EXPECT_TRUE(node->WaitApiServer(api == ApiServer::kReal ? 60 : 20))
      << FileContents(node->R("/var/log/pods/kube-apiserver.yaml.log"));
  EXPECT_EQ(node->Etcdctl({"put", "a", "1"}).exit_code, 0);
  EXPECT_EQ(node->Etcdctl({"put", "b", "2"}).exit_code, 0);
  CommandResult b = node->Kubectl({"backup", snap});
  EXPECT_EQ(b.exit_code, 0) << b.out << b.err;
  EXPECT_EQ(node->Etcdctl({"put", "c", "3"}).exit_code, 0);
  EXPECT_EQ(node->Etcdctl({"del", "a"}).exit_code, 0);
  return node;
}

}  // namespace ketcd::e2e
