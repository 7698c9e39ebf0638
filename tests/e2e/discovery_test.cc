// Zero-flag discovery against real etcd 3.4-3.7: a host root laid out as a kubeadm,
// RKE2 or systemd node whose files point at a test server; `kubectl etcd backup
// --host-root R` and `kubectl etcd discover --host-root R` must need nothing else.
#include <sys/stat.h>

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
