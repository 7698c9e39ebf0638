// Zero-flag discovery against real etcd 3.4-3.7: a host root laid out as a kubeadm,
// RKE2 or systemd node whose files point at a test server; `kubectl etcd backup
// --host-root R` and `kubectl etcd discover --host-root R` must need nothing else.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/e2e/harness.h"

namespace ketcd::e2e {
namespace {

namespace fs = std::filesystem;

void Put(const std::string& root, const std::string& host_path, const std::string& text) {
  fs::path p = root + host_path;
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

void CopyTo(const std::string& root, const std::string& from, const std::string& host_path) {
  fs::path p = root + host_path;
  fs::create_directories(p.parent_path());
  fs::copy_file(from, p, fs::copy_options::overwrite_existing);
}

// Lays out R like a kubeadm control-plane node: pki under /etc/kubernetes/pki/etcd and
// the etcd manifest as kubeadm 1.35 writes it.
void KubeadmNode(const std::string& r, const EtcdServer& s) {
  const TestCerts& c = s.certs();
  CopyTo(r, c.ca_crt, "/etc/kubernetes/pki/etcd/ca.crt");
  CopyTo(r, c.server_crt, "/etc/kubernetes/pki/etcd/server.crt");
  CopyTo(r, c.server_key, "/etc/kubernetes/pki/etcd/server.key");
  CopyTo(r, c.client_crt, "/etc/kubernetes/pki/etcd/healthcheck-client.crt");
  CopyTo(r, c.client_key, "/etc/kubernetes/pki/etcd/healthcheck-client.key");
  std::string url = s.client_url(), peer = s.peer_url();
  Put(r, "/etc/kubernetes/manifests/etcd.yaml",
      "apiVersion: v1\nkind: Pod\nmetadata:\n  annotations:\n"
      "    kubeadm.kubernetes.io/etcd.advertise-client-urls: " + url + "\n"
      "  labels:\n    component: etcd\n    tier: control-plane\n  name: etcd\n  namespace: kube-system\n"
      "spec:\n  containers:\n  - command:\n    - etcd\n"
      "    - --advertise-client-urls=" + url + "\n"
      "    - --cert-file=/etc/kubernetes/pki/etcd/server.crt\n    - --client-cert-auth=true\n"
      "    - --data-dir=/var/lib/etcd\n"
      "    - --initial-advertise-peer-urls=" + peer + "\n"
      "    - --initial-cluster=" + s.options().name + "=" + peer + "\n"
      "    - --key-file=/etc/kubernetes/pki/etcd/server.key\n"
      "    - --listen-client-urls=" + url + "\n"
      "    - --name=" + s.options().name + "\n"
      "    - --trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt\n"
      "    image: registry.k8s.io/etcd:3.6.8-0\n    name: etcd\n"
      "    volumeMounts:\n    - mountPath: /var/lib/etcd\n      name: etcd-data\n"
      "    - mountPath: /etc/kubernetes/pki/etcd\n      name: etcd-certs\n"
      "  hostNetwork: true\n  volumes:\n"
      "  - hostPath:\n      path: /etc/kubernetes/pki/etcd\n      type: DirectoryOrCreate\n    name: etcd-certs\n"
      "  - hostPath:\n      path: /var/lib/etcd\n      type: DirectoryOrCreate\n    name: etcd-data\nstatus: {}\n");
}

// RKE2: the manifest only names --config-file; the config YAML holds the settings.
void Rke2Node(const std::string& r, const EtcdServer& s) {
  const std::string tls = "/var/lib/rancher/rke2/server/tls/etcd";
  const TestCerts& c = s.certs();
  CopyTo(r, c.ca_crt, tls + "/server-ca.crt");
  CopyTo(r, c.server_crt, tls + "/server-client.crt");
  CopyTo(r, c.server_key, tls + "/server-client.key");
  CopyTo(r, c.client_crt, tls + "/client.crt");
  CopyTo(r, c.client_key, tls + "/client.key");
  const std::string db = "/var/lib/rancher/rke2/server/db/etcd";
  Put(r, db + "/config",
      "client-transport-security:\n  cert-file: " + tls + "/server-client.crt\n  client-cert-auth: true\n"
      "  key-file: " + tls + "/server-client.key\n  trusted-ca-file: " + tls + "/server-ca.crt\n"
      "data-dir: " + db + "\nname: " + s.options().name + "\n"
      "listen-client-urls: " + s.client_url() + "\nadvertise-client-urls: " + s.client_url() + "\n"
      "initial-advertise-peer-urls: " + s.peer_url() + "\nlog-outputs: [stderr]\n");
  std::string mounts, volumes;
  int i = 0;
  for (const std::string& f : {tls + "/server-client.crt", tls + "/server-client.key", tls + "/server-ca.crt",
                               db + "/config"}) {
    std::string n = "file" + std::to_string(i++);
    mounts += "    - mountPath: " + f + "\n      name: " + n + "\n      readOnly: true\n";
    volumes += "  - hostPath:\n      path: " + f + "\n      type: File\n    name: " + n + "\n";
  }
  Put(r, "/var/lib/rancher/rke2/agent/pod-manifests/etcd.yaml",
      "apiVersion: v1\nkind: Pod\nmetadata:\n  labels:\n    component: etcd\n    tier: control-plane\n"
      "  name: etcd\n  namespace: kube-system\nspec:\n  containers:\n  - args:\n"
      "    - --config-file=" + db + "/config\n    command:\n    - etcd\n"
      "    image: index.docker.io/rancher/hardened-etcd:v3.5.26-k3s1-build20260126\n    name: etcd\n"
      "    volumeMounts:\n    - mountPath: " + db + "\n      name: dir0\n" + mounts +
      "  hostNetwork: true\n  volumes:\n  - hostPath:\n      path: " + db + "\n      type: DirectoryOrCreate\n"
      "    name: dir0\n" + volumes + "status: {}\n");
}

// A systemd unit with "--flag value" pairs and the TLS settings in an EnvironmentFile.
void SystemdNode(const std::string& r, const EtcdServer& s) {
  const TestCerts& c = s.certs();
  CopyTo(r, c.ca_crt, "/etc/etcd/ca.pem");
  CopyTo(r, c.server_crt, "/etc/etcd/kubernetes.pem");
  CopyTo(r, c.server_key, "/etc/etcd/kubernetes-key.pem");
  Put(r, "/etc/etcd/etcd.env",
      "ETCD_TRUSTED_CA_FILE=/etc/etcd/ca.pem\nETCD_CERT_FILE=/etc/etcd/kubernetes.pem\n"
      "ETCD_KEY_FILE=\"/etc/etcd/kubernetes-key.pem\"\nETCD_CLIENT_CERT_AUTH=true\n");
  Put(r, "/etc/systemd/system/etcd.service",
      "[Unit]\nDescription=etcd\n\n[Service]\nType=notify\nEnvironmentFile=/etc/etcd/etcd.env\n"
      "Environment=CLIENT_URL=" + s.client_url() + "\n"
      "ExecStart=/usr/local/bin/etcd \\\n  --name " + s.options().name + " \\\n"
      "  --listen-client-urls ${CLIENT_URL} \\\n  --advertise-client-urls ${CLIENT_URL} \\\n"
      "  --initial-advertise-peer-urls " + s.peer_url() + " \\\n  --data-dir=/var/lib/etcd\n"
      "Restart=on-failure\n\n[Install]\nWantedBy=multi-user.target\n");
}

// Kubernetes the hard way today: plain HTTP on loopback.
void SystemdHttpNode(const std::string& r, const EtcdServer& s) {
  Put(r, "/etc/systemd/system/etcd.service",
      "[Service]\nExecStart=/usr/local/bin/etcd --name " + s.options().name +
      " --listen-client-urls " + s.client_url() + " --advertise-client-urls " + s.client_url() +
      " --data-dir=/var/lib/etcd\n");
}

struct Shape {
  const char* name;
  bool tls;
  void (*layout)(const std::string&, const EtcdServer&);
};

const Shape kShapes[] = {
    {"kubeadm", true, KubeadmNode},
    {"rke2", true, Rke2Node},
    {"systemd", true, SystemdNode},
    {"systemdhttp", false, SystemdHttpNode},
};

class DiscoveryE2eTest : public ::testing::TestWithParam<std::tuple<std::string, int>> {};

TEST_P(DiscoveryE2eTest, BackupAndDiscoverNeedOnlyTheHostRoot) {
  EtcdVersion v = VersionByName(std::get<0>(GetParam()));
  const Shape& shape = kShapes[std::get<1>(GetParam())];
  ServerOptions o;
  o.name = "cp1";
  o.tls = shape.tls;
  o.client_cert_auth = shape.tls;
  auto server = EtcdServer::Start(v, o);
  ASSERT_NE(server, nullptr);
  TempDir root;
  shape.layout(root.path(), *server);

  std::string snap = root.Sub("snap.db");
  CommandResult b = RunKubectlEtcd({"backup", snap, "--host-root", root.path()});
  ASSERT_EQ(b.exit_code, 0) << b.out << b.err;
  struct stat st;
  ASSERT_EQ(::stat(snap.c_str(), &st), 0);
  EXPECT_GT(st.st_size, 4096);

  CommandResult d = RunKubectlEtcd({"discover", "--host-root", root.path(), "-o", "json"});
  ASSERT_EQ(d.exit_code, 0) << d.out << d.err;
  nlohmann::json j = nlohmann::json::parse(d.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << d.out;
  std::string kind = shape.name == std::string("systemdhttp") ? "systemd" : shape.name;
  EXPECT_EQ(j["target"]["kind"], kind);
  EXPECT_EQ(j["target"]["endpoints"][0], server->client_url());
  EXPECT_EQ(j["target"]["name"], "cp1");
  ASSERT_EQ(j["etcd"]["members"].size(), 1u) << d.out;
  EXPECT_EQ(j["etcd"]["members"][0]["name"], "cp1");
  ASSERT_EQ(j["etcd"]["status"].size(), 1u) << d.out;
  std::string version = j["etcd"]["status"][0].value("version", "");
  EXPECT_EQ(version.rfind(v.name + ".", 0), 0u) << version;
  EXPECT_EQ(j["etcd"]["status"][0]["isLeader"], true);
  EXPECT_TRUE(j["etcd"]["alarms"].empty());

  CommandResult table = RunKubectlEtcd({"discover", "--host-root", root.path()});
  EXPECT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("Members"), std::string::npos) << table.out;

  // The live status, as on the node: the same files, every member at its client URL.
  CommandResult live = RunKubectlEtcd({"status", "--host-root", root.path(), "-o", "json"});
  ASSERT_EQ(live.exit_code, 0) << live.out << live.err;
  nlohmann::json s = nlohmann::json::parse(live.out, nullptr, false);
  ASSERT_FALSE(s.is_discarded()) << live.out;
  ASSERT_EQ(s["members"].size(), 1u) << live.out;
  EXPECT_EQ(s["members"][0]["name"], "cp1");
  EXPECT_EQ(s["members"][0]["endpoint"], server->client_url());
  EXPECT_EQ(s["members"][0]["health"], "healthy");
  EXPECT_EQ(s["members"][0]["version"], version);
}

TEST(DiscoveryE2e, NoEtcdAnywhereExitsNotFound) {
  TempDir root;
  CommandResult r = e2e::Run({KubectlEtcd(), "backup", root.Sub("x.db"), "--host-root", root.path(), "--kubeconfig",
                         root.Sub("missing-kubeconfig")});
  EXPECT_EQ(r.exit_code, 6) << r.err;
  EXPECT_NE(r.err.find("does not exist"), std::string::npos) << r.err;
  r = e2e::Run({KubectlEtcd(), "backup", root.Sub("x.db"), "--host-root", root.path()}, {{"KUBECONFIG", root.Sub("none")}});
  EXPECT_EQ(r.exit_code, 6) << r.err;
  EXPECT_NE(r.err.find("no etcd found"), std::string::npos) << r.err;
}


// tests/discovery/fake_apiserver.py on a free port, serving `pods` as the etcd pod list.
class FakeApiServer {
 public:
  FakeApiServer(const TempDir& dir, const nlohmann::json& pods) {
    std::string certs = dir.Sub("apiserver-pki");
    CommandResult r = Run({"/bin/bash", std::string(KETCD_SOURCE_DIR) + "/tests/discovery/make-certs.sh", certs});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::string pods_file = dir.Sub("pods.json");
    std::ofstream(pods_file) << pods.dump();
    int out[2];
    if (::pipe(out) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(out[1], 1);
      ::close(out[0]);
      std::string script = std::string(KETCD_SOURCE_DIR) + "/tests/discovery/fake_apiserver.py";
      std::string cert = certs + "/server.crt", key = certs + "/server.key", ca = certs + "/ca.crt";
      ::execlp("python3", "python3", script.c_str(), "--cert", cert.c_str(), "--key", key.c_str(), "--client-ca",
               ca.c_str(), "--pods", pods_file.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    ::close(out[1]);
    FILE* f = ::fdopen(out[0], "r");
    int port = 0;
    EXPECT_EQ(std::fscanf(f, "PORT %d", &port), 1) << "fake API server did not start";
    std::fclose(f);
    kubeconfig_ = dir.Sub("kubeconfig");
    std::ofstream(kubeconfig_) << "apiVersion: v1\nkind: Config\nclusters:\n- name: k\n  cluster:\n"
                               << "    server: https://127.0.0.1:" << port << "\n    certificate-authority: " << certs
                               << "/ca.crt\nusers:\n- name: admin\n  user:\n    client-certificate: " << certs
                               << "/client.crt\n    client-key: " << certs << "/client.key\n"
                               << "contexts:\n- name: admin@k\n  context: {cluster: k, user: admin}\n"
                               << "current-context: admin@k\n";
  }
  ~FakeApiServer() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  const std::string& kubeconfig() const { return kubeconfig_; }

 private:
  pid_t pid_ = -1;
  std::string kubeconfig_;
};

// A kubeadm mirror pod for `server` on node `node`, as the API server lists it.
nlohmann::json MirrorPod(const EtcdServer& s, const std::string& node) {
  nlohmann::json cmd = {"etcd", "--advertise-client-urls=" + s.client_url(),
                        "--cert-file=/etc/kubernetes/pki/etcd/server.crt", "--client-cert-auth=true",
                        "--data-dir=/var/lib/etcd", "--initial-advertise-peer-urls=" + s.peer_url(),
                        "--initial-cluster=" + node + "=" + s.peer_url(),
                        "--key-file=/etc/kubernetes/pki/etcd/server.key", "--listen-client-urls=" + s.client_url(),
                        "--name=" + node, "--trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt"};
  return {{"metadata", {{"name", "etcd-" + node}, {"namespace", "kube-system"},
                        {"labels", {{"component", "etcd"}, {"tier", "control-plane"}}},
                        {"annotations", {{"kubeadm.kubernetes.io/etcd.advertise-client-urls", s.client_url()}}}}},
          {"spec", {{"nodeName", node}, {"hostNetwork", true},
                    {"volumes", {{{"name", "etcd-certs"}, {"hostPath", {{"path", "/etc/kubernetes/pki/etcd"}}}},
                                 {{"name", "etcd-data"}, {"hostPath", {{"path", "/var/lib/etcd"}}}}}},
                    {"containers", {{{"name", "etcd"}, {"image", "registry.k8s.io/etcd:3.6.8-0"}, {"command", cmd},
                                     {"volumeMounts", {{{"name", "etcd-data"}, {"mountPath", "/var/lib/etcd"}},
                                                       {{"name", "etcd-certs"},
                                                        {"mountPath", "/etc/kubernetes/pki/etcd"}}}}}}}}},
          {"status", {{"phase", "Running"}, {"hostIP", "127.0.0.1"},
                      {"conditions", {{{"type", "Ready"}, {"status", "True"}}}}}}};
}

class KubeconfigE2eTest : public ::testing::TestWithParam<std::string> {};

// No manifest or unit on the host, only the kubeconfig: the pod of this node (named in
// R/etc/hostname) gives the endpoint, and its certificate paths exist under R.
TEST_P(KubeconfigE2eTest, BackupThroughTheEtcdPodOfThisNode) {
  EtcdVersion v = VersionByName(GetParam());
  ServerOptions o;
  o.name = "cp1";
  auto server = EtcdServer::Start(v, o);
  ASSERT_NE(server, nullptr);
  TempDir root;
  const TestCerts& c = server->certs();
  CopyTo(root.path(), c.ca_crt, "/etc/kubernetes/pki/etcd/ca.crt");
  CopyTo(root.path(), c.client_crt, "/etc/kubernetes/pki/etcd/healthcheck-client.crt");
  CopyTo(root.path(), c.client_key, "/etc/kubernetes/pki/etcd/healthcheck-client.key");
  Put(root.path(), "/etc/hostname", "cp1\n");
  nlohmann::json pods = {{"kind", "PodList"}, {"apiVersion", "v1"}, {"metadata", {{"resourceVersion", "1"}}},
                         {"items", {MirrorPod(*server, "cp1")}}};
  FakeApiServer api(root, pods);

  std::string snap = root.Sub("snap.db");
  CommandResult b = RunKubectlEtcd({"backup", snap, "--host-root", root.path(), "--kubeconfig", api.kubeconfig()});
  ASSERT_EQ(b.exit_code, 0) << b.out << b.err;

  CommandResult d = RunKubectlEtcd({"discover", "--host-root", root.path(), "--kubeconfig", api.kubeconfig(), "-o", "json"});
  ASSERT_EQ(d.exit_code, 0) << d.out << d.err;
  nlohmann::json j = nlohmann::json::parse(d.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << d.out;
  EXPECT_EQ(j["target"]["kind"], "kubeconfig");
  ASSERT_EQ(j["pods"].size(), 1u);
  EXPECT_EQ(j["pods"][0]["thisHost"], true);
  EXPECT_EQ(j["pods"][0]["version"], "3.6.8");
  EXPECT_EQ(j["etcd"]["members"][0]["name"], "cp1");
}

INSTANTIATE_TEST_SUITE_P(Etcd, KubeconfigE2eTest, ::testing::ValuesIn(VersionNames()),
                         [](const auto& param_info) {
                           std::string n = "etcd" + param_info.param;
                           for (char& ch : n) {
                             if (ch == '.') ch = '_';
                           }
                           return n;
                         });

TEST(DiscoveryE2e, ManagedControlPlaneExitsNotFound) {
  TempDir root;
  nlohmann::json empty = {{"kind", "PodList"}, {"apiVersion", "v1"}, {"metadata", nlohmann::json::object()},
                          {"items", nlohmann::json::array()}};
  FakeApiServer api(root, empty);
  CommandResult r = RunKubectlEtcd({"backup", root.Sub("x.db"), "--host-root", root.path(), "--kubeconfig", api.kubeconfig()});
  EXPECT_EQ(r.exit_code, 6) << r.err;
  EXPECT_NE(r.err.find("managed control plane"), std::string::npos) << r.err;
  r = RunKubectlEtcd({"discover", "--host-root", root.path(), "--kubeconfig", api.kubeconfig()});
  EXPECT_EQ(r.exit_code, 6) << r.err;
  EXPECT_NE(r.out.find("no etcd pods"), std::string::npos) << r.out;
}

// A real kube-apiserver (tests/discovery/build-kube-apiserver.sh builds one from the
// k8s.io/kubernetes module; KETCD_KUBE_APISERVER names the binary) storing its data in the
// test etcd over TLS, client-certificate authentication only. The etcd pod is created
// through the API as a kubelet would create the mirror pod (it stays Pending).
TEST(KubeApiServerE2e, BackupThroughARealApiServer) {
  const char* bin = std::getenv("KETCD_KUBE_APISERVER");
  if (bin == nullptr || *bin == '\0') {
    FAIL() << "KETCD_KUBE_APISERVER is not set: run through `make test`, which builds one with "
              "tests/discovery/build-kube-apiserver.sh";
  }
  std::vector<std::string> names = VersionNames();
  ASSERT_FALSE(names.empty());
  EtcdVersion v = VersionByName(names.back());
  ServerOptions o;
  o.name = "cp1";
  auto server = EtcdServer::Start(v, o);
  ASSERT_NE(server, nullptr);
  TempDir root;
  const TestCerts& c = server->certs();
  std::string pki = root.Sub("apiserver-pki");
  ASSERT_EQ(e2e::Run({"/bin/bash", std::string(KETCD_SOURCE_DIR) + "/tests/discovery/make-certs.sh", pki}).exit_code, 0);
  ASSERT_EQ(e2e::Run({"/usr/bin/openssl", "genrsa", "-out", pki + "/sa.key", "2048"}).exit_code, 0);
  ASSERT_EQ(e2e::Run({"/usr/bin/openssl", "rsa", "-in", pki + "/sa.key", "-pubout", "-out", pki + "/sa.pub"}).exit_code, 0);
  int port = FreePort();
  std::string url = "https://127.0.0.1:" + std::to_string(port);
  std::string log = root.Sub("kube-apiserver.log");
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    std::vector<std::string> args = {
        bin, "--bind-address=127.0.0.1", "--advertise-address=127.0.0.1", "--secure-port=" + std::to_string(port),
        "--cert-dir=" + root.Sub("apiserver-run"), "--tls-cert-file=" + pki + "/server.crt",
        "--tls-private-key-file=" + pki + "/server.key", "--client-ca-file=" + pki + "/ca.crt",
        "--anonymous-auth=false", "--authorization-mode=AlwaysAllow",
        "--etcd-servers=" + server->client_url(), "--etcd-cafile=" + c.ca_crt, "--etcd-certfile=" + c.client_crt,
        "--etcd-keyfile=" + c.client_key, "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
        "--service-account-key-file=" + pki + "/sa.pub", "--service-account-signing-key-file=" + pki + "/sa.key",
        "--service-cluster-ip-range=10.96.0.0/24", "--disable-admission-plugins=ServiceAccount"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(bin, argv.data());
    _exit(127);
  }
  struct Reaper {
    pid_t pid;
    ~Reaper() {
      ::kill(pid, SIGTERM);
      ::waitpid(pid, nullptr, 0);
    }
  } reaper{pid};
  std::vector<std::string> curl = {"/usr/bin/curl", "-sS", "--cacert", pki + "/ca.crt", "--cert", pki + "/client.crt",
                                   "--key", pki + "/client.key"};
  bool ready = false;
  for (int i = 0; i < 120 && !ready; i++) {
    std::vector<std::string> a = curl;
    a.push_back(url + "/api/v1/namespaces/kube-system");
    CommandResult r = e2e::Run(a, {}, 10);
    ready = r.exit_code == 0 && r.out.find("\"kind\": \"Namespace\"") != std::string::npos;
    if (!ready) ::usleep(500 * 1000);
  }
  ASSERT_TRUE(ready) << "kube-apiserver did not become ready; log " << log;

  nlohmann::json pod = MirrorPod(*server, "cp1");
  pod.erase("status");
  pod["apiVersion"] = "v1";
  pod["kind"] = "Pod";
  std::ofstream(root.Sub("pod.json")) << pod.dump();
  std::vector<std::string> post = curl;
  for (const char* a : {"-X", "POST", "-H", "Content-Type: application/json", "--data-binary"}) post.push_back(a);
  post.push_back("@" + root.Sub("pod.json"));
  post.push_back(url + "/api/v1/namespaces/kube-system/pods");
  CommandResult created = e2e::Run(post);
  ASSERT_EQ(created.exit_code, 0) << created.err;
  ASSERT_NE(created.out.find("\"name\": \"etcd-cp1\""), std::string::npos) << created.out;

  std::string host = root.Sub("host");
  CopyTo(host, c.ca_crt, "/etc/kubernetes/pki/etcd/ca.crt");
  CopyTo(host, c.client_crt, "/etc/kubernetes/pki/etcd/healthcheck-client.crt");
  CopyTo(host, c.client_key, "/etc/kubernetes/pki/etcd/healthcheck-client.key");
  Put(host, "/etc/hostname", "cp1\n");
  std::string kubeconfig = root.Sub("kubeconfig");
  std::ofstream(kubeconfig) << "apiVersion: v1\nkind: Config\nclusters:\n- name: k\n  cluster:\n    server: " << url
                            << "\n    certificate-authority: " << pki << "/ca.crt\nusers:\n- name: admin\n  user:\n"
                            << "    client-certificate: " << pki << "/client.crt\n    client-key: " << pki
                            << "/client.key\ncontexts:\n- name: admin@k\n  context: {cluster: k, user: admin}\n"
                            << "current-context: admin@k\n";

  CommandResult b = RunKubectlEtcd({"backup", root.Sub("snap.db"), "--host-root", host, "--kubeconfig", kubeconfig});
  ASSERT_EQ(b.exit_code, 0) << b.out << b.err;
  CommandResult d = RunKubectlEtcd({"discover", "--host-root", host, "--kubeconfig", kubeconfig, "-o", "json"});
  ASSERT_EQ(d.exit_code, 0) << d.out << d.err;
  nlohmann::json j = nlohmann::json::parse(d.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << d.out;
  EXPECT_EQ(j["target"]["kind"], "kubeconfig");
  ASSERT_EQ(j["pods"].size(), 1u) << d.out;
  EXPECT_EQ(j["pods"][0]["node"], "cp1");
  EXPECT_EQ(j["pods"][0]["thisHost"], true);
  EXPECT_EQ(j["pods"][0]["version"], "3.6.8");
  EXPECT_EQ(j["etcd"]["members"][0]["name"], "cp1");

  // Without a client certificate the real API server refuses; discovery says so (exit 3).
  std::ofstream(kubeconfig) << "apiVersion: v1\nkind: Config\nclusters:\n- name: k\n  cluster:\n    server: " << url
                            << "\n    certificate-authority: " << pki << "/ca.crt\nusers:\n- name: nobody\n  user: {}\n"
                            << "contexts:\n- name: c\n  context: {cluster: k, user: nobody}\ncurrent-context: c\n";
  CommandResult refused = RunKubectlEtcd({"backup", root.Sub("x.db"), "--host-root", root.Sub("empty"), "--kubeconfig", kubeconfig});
  EXPECT_EQ(refused.exit_code, 3) << refused.err;
  EXPECT_NE(refused.err.find("HTTP 401"), std::string::npos) << refused.err;
}

std::string ParamName(const ::testing::TestParamInfo<std::tuple<std::string, int>>& info) {
  std::string v = std::get<0>(info.param);
  for (char& c : v) {
    if (c == '.') c = '_';
  }
  return std::string(kShapes[std::get<1>(info.param)].name) + "_etcd" + v;
}

INSTANTIATE_TEST_SUITE_P(Etcd, DiscoveryE2eTest,
                         ::testing::Combine(::testing::ValuesIn(VersionNames()), ::testing::Range(0, 4)), ParamName);

}  // namespace
}  // namespace ketcd::e2e
