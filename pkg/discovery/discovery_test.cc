// Discovery from host files: one test per fixture shape (kubeadm 1.29-1.36 single and
// joined, extraArgs, hand-edited, RKE2, systemd units), the order of sources, and
// errors for malformed files.
#include "pkg/discovery/discovery.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include "absl/strings/str_cat.h"
#include "pkg/discovery/apiserver_flags.h"
#include "pkg/discovery/test_root.h"
#include "pkg/fsutil/file.h"

namespace ketcd::discovery {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class DiscoveryTest : public ::testing::Test {
 protected:
  absl::StatusOr<EtcdTarget> Find() {
    Options o;
    o.host_root = root_.path();
    o.use_kubeconfig = false;
    o.node_name = "db1";
    return Discover(o);
  }
  std::string P(const std::string& host_path) { return root_.path() + host_path; }
  TestRoot root_;
};

void ExpectKubeadmPki(const EtcdTarget& t, const std::string& root) {
  EXPECT_EQ(t.ca_file, root + "/etc/kubernetes/pki/etcd/ca.crt");
  EXPECT_EQ(t.cert_file, root + "/etc/kubernetes/pki/etcd/healthcheck-client.crt");
  EXPECT_EQ(t.key_file, root + "/etc/kubernetes/pki/etcd/healthcheck-client.key");
}

TEST_F(DiscoveryTest, Kubeadm129SingleNode) {
  root_.Copy("kubeadm-1.29-single.yaml", "/etc/kubernetes/manifests/etcd.yaml");
  root_.Touch("/etc/kubernetes/pki/etcd/healthcheck-client.crt");
  root_.Touch("/etc/kubernetes/pki/etcd/healthcheck-client.key");
  auto t = Find();
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->kind, "kubeadm");
  EXPECT_EQ(t->defined_in, P("/etc/kubernetes/manifests/etcd.yaml"));
  EXPECT_THAT(t->endpoints, ElementsAre("https://127.0.0.1:2379", "https://10.0.0.11:2379"));
  ExpectKubeadmPki(*t, root_.path());
  EXPECT_EQ(t->data_dir, P("/var/lib/etcd"));
  EXPECT_EQ(t->data_dir_file, P("/etc/kubernetes/manifests/etcd.yaml"));
  EXPECT_EQ(t->data_dir_key, "hostPath of volume etcd-data");
  EXPECT_EQ(t->name, "cp1");
  EXPECT_THAT(t->peer_urls, ElementsAre("https://10.0.0.11:2380"));
  EXPECT_EQ(t->initial_cluster, "cp1=https://10.0.0.11:2380");
  EXPECT_EQ(t->initial_cluster_token, "etcd-cluster");
  EXPECT_EQ(t->origin["initial_cluster_token"], "etcd default");
  EXPECT_EQ(t->image, "registry.k8s.io/etcd:3.5.10-0");
}

TEST_F(DiscoveryTest, Kubeadm131JoinedMember) {
  root_.Copy("kubeadm-1.31-join.yaml", "/etc/kubernetes/manifests/etcd.yaml");
  root_.Touch("/etc/kubernetes/pki/etcd/healthcheck-client.crt");
  root_.Touch("/etc/kubernetes/pki/etcd/healthcheck-client.key");
  auto t = Find();
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_THAT(t->endpoints, ElementsAre("https://127.0.0.1:2379", "https://10.0.0.12:2379"));
  ExpectKubeadmPki(*t, root_.path());
  EXPECT_EQ(t->name, "cp2");
  EXPECT_THAT(t->peer_urls, ElementsAre("https://10.0.0.12:2380"));
  EXPECT_EQ(t->initial_cluster, "cp1=https://10.0.0.11:2380,cp2=https://10.0.0.12:2380");
  EXPECT_EQ(t->data_dir, P("/var/lib/etcd"));
}

TEST_F(DiscoveryTest, Kubeadm135SingleNode) {
  root_.Copy("kubeadm-1.35-single.yaml", "/etc/kubernetes/manifests/etcd.yaml");
  root_.Touch("/etc/kubernetes/pki/etcd/healthcheck-client.crt");
  root_.Touch("/etc/kubernetes/pki/etcd/healthcheck-client.key");
  auto t = Find();
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_THAT(t->endpoints, ElementsAre("https://127.0.0.1:2379", "https://10.0.0.11:2379"));
  ExpectKubeadmPki(*t, root_.path());
  EXPECT_EQ(t->name, "cp1");
  EXPECT_EQ(t->initial_cluster, "cp1=https://10.0.0.11:2380");
  EXPECT_EQ(t->container_data_dir, "/var/lib/etcd");
}

TEST_F(DiscoveryTest, Kubeadm136ThirdMember) {
  root_.Copy("kubeadm-1.36-join.yaml", "/etc/kubernetes/manifests/etcd.yaml");
  auto t = Find();
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->name, "cp3");
  EXPECT_THAT(t->endpoints, ElementsAre("https://127.0.0.1:2379", "https://10.0.0.13:2379"));
  EXPECT_EQ(t->initial_cluster,
            "cp1=https://10.0.0.11:2380,cp2=https://10.0.0.12:2380,cp3=https://10.0.0.13:2380");
  // Without healthcheck-client files on the host, the server's own cert is the fallback.
  EXPECT_EQ(t->cert_file, P("/etc/kubernetes/pki/etcd/server.crt"));
  EXPECT_EQ(t->key_file, P("/etc/kubernetes/pki/etcd/server.key"));
}

TEST_F(DiscoveryTest, KubeadmExtraArgsAndCustomDirs) {
  root_.Copy("kubeadm-extraargs.yaml", "/etc/kubernetes/manifests/etcd.yaml");
  root_.Touch("/srv/pki/etcd/healthcheck-client.crt");
  root_.Touch("/srv/pki/etcd/healthcheck-client.key");
  auto t = Find();
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_THAT(t->endpoints, ElementsAre("https://127.0.0.1:2379", "https://192.168.50.4:2379"));
  EXPECT_EQ(t->ca_file, P("/srv/pki/etcd/ca.crt"));
  EXPECT_EQ(t->cert_file, P("/srv/pki/etcd/healthcheck-client.crt"));
  EXPECT_EQ(t->data_dir, P("/data/etcd"));
  EXPECT_EQ(t->name, "master-a");
  EXPECT_EQ(t->initial_cluster_token, "prod-etcd-7");
}

TEST_F(DiscoveryTest, HandEditedManifest) {
  root_.Copy("hand-edited.yaml", "/etc/kubernetes/manifests/etcd.yaml");
  auto t = Find();
  ASSERT_TRUE(t.ok()) << t.status();
  // 0.0.0.0 becomes loopback and comes first; the advertised URL follows.
  EXPECT_THAT(t->endpoints, ElementsAre("https://127.0.0.1:2379", "https://10.1.2.3:2379"));
  EXPECT_EQ(t->ca_file, P("/etc/kubernetes/pki/etcd/ca.crt"));  // /certs mounted from the host's pki
  EXPECT_EQ(t->cert_file, P("/etc/kubernetes/pki/etcd/server.crt"));
  EXPECT_EQ(t->data_dir, P("/var/lib/etcd-restore-20260105"));  // the volume, not --data-dir
  EXPECT_EQ(t->container_data_dir, "/var/lib/etcd");
  EXPECT_EQ(t->data_dir_key, "hostPath of volume data");
  EXPECT_EQ(t->name, "node-b");
  EXPECT_THAT(t->peer_urls, ElementsAre("https://10.1.2.3:2380"));
  EXPECT_EQ(t->initial_cluster, "node-a=https://10.1.2.2:2380,node-b=https://10.1.2.3:2380");
  EXPECT_EQ(t->initial_cluster_token, "restored-2026-01");
}

TEST_F(DiscoveryTest, Rke2ManifestWithConfigFile) {
  root_.Copy("rke2/etcd.yaml", "/var/lib/rancher/rke2/agent/pod-manifests/etcd.yaml");
  root_.Copy("rke2/config", "/var/lib/rancher/rke2/server/db/etcd/config");
  root_.Touch("/var/lib/rancher/rke2/server/tls/etcd/client.crt");
  root_.Touch("/var/lib/rancher/rke2/server/tls/etcd/client.key");
  auto t = Find();
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->kind, "rke2");
  EXPECT_EQ(t->config_file, P("/var/lib/rancher/rke2/server/db/etcd/config"));
  EXPECT_THAT(t->endpoints, ElementsAre("https://127.0.0.1:2379", "https://10.0.0.21:2379"));
  EXPECT_EQ(t->ca_file, P("/var/lib/rancher/rke2/server/tls/etcd/server-ca.crt"));
  EXPECT_EQ(t->cert_file, P("/var/lib/rancher/rke2/server/tls/etcd/client.crt"));
  EXPECT_EQ(t->key_file, P("/var/lib/rancher/rke2/server/tls/etcd/client.key"));
  EXPECT_EQ(t->data_dir, P("/var/lib/rancher/rke2/server/db/etcd"));
  EXPECT_EQ(t->name, "srv1-edb7e47e");
  EXPECT_THAT(t->peer_urls, ElementsAre("https://10.0.0.21:2380"));
  EXPECT_EQ(t->initial_cluster, "srv1-edb7e47e=https://10.0.0.21:2380");
  EXPECT_THAT(t->origin["name"], HasSubstr("db/etcd/config"));
}

TEST_F(DiscoveryTest, Rke2MissingConfigFileNamesIt) {
  root_.Copy("rke2/etcd.yaml", "/var/lib/rancher/rke2/agent/pod-manifests/etcd.yaml");
  auto t = Find();
  ASSERT_FALSE(t.ok());
  EXPECT_THAT(std::string(t.status().message()), HasSubstr("db/etcd/config"));
}

TEST_F(DiscoveryTest, SystemdKthwPlainHttp) {
  root_.Copy("systemd/kthw.service", "/etc/systemd/system/etcd.service");
  auto t = Find();
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->kind, "systemd");
  EXPECT_EQ(t->defined_in, P("/etc/systemd/system/etcd.service"));
  EXPECT_THAT(t->endpoints, ElementsAre("http://127.0.0.1:2379"));
  EXPECT_EQ(t->ca_file, "");
  EXPECT_EQ(t->cert_file, "");
  EXPECT_EQ(t->data_dir, P("/var/lib/etcd"));
  EXPECT_EQ(t->data_dir_file, P("/etc/systemd/system/etcd.service"));
  EXPECT_EQ(t->data_dir_key, "--data-dir");
  EXPECT_EQ(t->name, "controller");
  EXPECT_THAT(t->peer_urls, ElementsAre("http://127.0.0.1:2380"));
  EXPECT_EQ(t->initial_cluster, "controller=http://127.0.0.1:2380");
  EXPECT_EQ(t->initial_cluster_token, "etcd-cluster-0");
  EXPECT_EQ(t->user, "root");
}

TEST_F(DiscoveryTest, SystemdClassicTlsWithVariablesAndBareBooleans) {
  root_.Copy("systemd/kthw-classic.service", "/lib/systemd/system/etcd.service");
  auto t = Find();
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->defined_in, P("/lib/systemd/system/etcd.service"));
  EXPECT_THAT(t->endpoints, ElementsAre("https://127.0.0.1:2379", "https://10.240.0.10:2379"));
  EXPECT_EQ(t->ca_file, P("/etc/etcd/ca.pem"));
  EXPECT_EQ(t->cert_file, P("/etc/etcd/kubernetes.pem"));
  EXPECT_EQ(t->key_file, P("/etc/etcd/kubernetes-key.pem"));
  EXPECT_EQ(t->name, "controller-0");
  EXPECT_THAT(t->peer_urls, ElementsAre("https://10.240.0.10:2380"));
  EXPECT_THAT(t->initial_cluster, HasSubstr("controller-2=https://10.240.0.12:2380"));
  EXPECT_EQ(t->data_dir, P("/var/lib/etcd"));
}

TEST_F(DiscoveryTest, SystemdEnvironmentFileAndDropIn) {
  root_.Copy("systemd/deb.service", "/lib/systemd/system/etcd.service");
  root_.Copy("systemd/deb-default", "/etc/default/etcd");
  root_.Copy("systemd/deb-dropin.conf", "/etc/systemd/system/etcd.service.d/10-data.conf");
  auto t = Find();
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_THAT(t->endpoints, ElementsAre("https://127.0.0.1:2379", "https://192.168.7.5:2379"));
  EXPECT_EQ(t->ca_file, P("/etc/etcd/pki/ca.crt"));
  EXPECT_EQ(t->cert_file, P("/etc/etcd/pki/server.crt"));
  EXPECT_EQ(t->name, "db1");  // Environment=ETCD_NAME=%H
  EXPECT_EQ(t->data_dir, P("/srv/etcd/data"));
  EXPECT_EQ(t->data_dir_file, P("/etc/systemd/system/etcd.service.d/10-data.conf"));
  EXPECT_EQ(t->data_dir_key, "ETCD_DATA_DIR");
  EXPECT_EQ(t->initial_cluster, "db1=https://192.168.7.5:2380");
  EXPECT_EQ(t->initial_cluster_token, "deb-cluster");
  EXPECT_THAT(t->origin["initial_cluster_token"], HasSubstr("/etc/default/etcd"));
  EXPECT_EQ(t->user, "etcd");
}

TEST_F(DiscoveryTest, SystemdConfigFileThroughShellWrapperDropIn) {
  root_.Copy("systemd/config.service", "/usr/lib/systemd/system/etcd.service");
  root_.Copy("systemd/config-dropin.conf", "/etc/systemd/system/etcd.service.d/override.conf");
  root_.Copy("systemd/etcd.conf.yml", "/etc/etcd/etcd.conf.yml");
  auto t = Find();
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->config_file, P("/etc/etcd/etcd.conf.yml"));
  EXPECT_THAT(t->endpoints, ElementsAre("https://127.0.0.1:2379", "https://10.0.1.10:2379"));
  EXPECT_EQ(t->ca_file, P("/etc/etcd/ca.crt"));
  EXPECT_EQ(t->cert_file, P("/etc/etcd/infra1.crt"));
  EXPECT_EQ(t->key_file, P("/etc/etcd/infra1.key"));
  EXPECT_EQ(t->data_dir, P("/var/lib/etcd/infra1.etcd"));
  EXPECT_EQ(t->data_dir_file, P("/etc/etcd/etcd.conf.yml"));
  EXPECT_EQ(t->data_dir_key, "data-dir");
  EXPECT_EQ(t->name, "infra1");
  EXPECT_EQ(t->initial_cluster, "infra0=https://10.0.1.9:2380,infra1=https://10.0.1.10:2380");
  EXPECT_EQ(t->initial_cluster_token, "etcd-cluster-1");
}

TEST_F(DiscoveryTest, MaskedUnitIsIgnored) {
  root_.Touch("/etc/systemd/system/etcd.service");
  root_.Copy("systemd/kthw.service", "/lib/systemd/system/etcd.service");
  auto t = Find();
  EXPECT_EQ(t.status().code(), absl::StatusCode::kNotFound) << t.status();
}

TEST_F(DiscoveryTest, ApiServerFlagsAreTheFallback) {
  root_.Copy("apiserver-kubeadm.yaml", "/etc/kubernetes/manifests/kube-apiserver.yaml");
  auto t = Find();
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->kind, "apiserver-flags");
  EXPECT_THAT(t->endpoints, ElementsAre("https://10.0.0.50:2379", "https://10.0.0.51:2379"));
  EXPECT_EQ(t->ca_file, P("/etc/kubernetes/pki/etcd/ca.crt"));
  EXPECT_EQ(t->cert_file, P("/etc/kubernetes/pki/apiserver-etcd-client.crt"));
  EXPECT_EQ(t->data_dir, "");
}

TEST_F(DiscoveryTest, ApiServerSystemdUnitFlags) {
  root_.Write("/etc/systemd/system/kube-apiserver.service",
              "[Service]\nExecStart=/usr/local/bin/kube-apiserver \\\n  --allow-privileged=true \\\n"
              "  --etcd-servers=http://127.0.0.1:2379 \\\n  --service-cluster-ip-range=10.32.0.0/24\n");
  auto t = Find();
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->kind, "apiserver-flags");
  EXPECT_THAT(t->endpoints, ElementsAre("http://127.0.0.1:2379"));
  EXPECT_EQ(t->defined_in, P("/etc/systemd/system/kube-apiserver.service"));
}

TEST_F(DiscoveryTest, EncryptionProviderConfigThroughTheMount) {
  EXPECT_FALSE(FindEncryptionConfig(root_.path()));
  root_.Copy("apiserver-kubeadm.yaml", "/etc/kubernetes/manifests/kube-apiserver.yaml");
  EXPECT_FALSE(FindEncryptionConfig(root_.path()));  // no flag
  root_.Write("/etc/kubernetes/manifests/kube-apiserver.yaml",
              "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: kube-apiserver\n"
              "    command: [kube-apiserver, --encryption-provider-config=/etc/kubernetes/enc/enc.yaml]\n"
              "    volumeMounts: [{name: enc, mountPath: /etc/kubernetes/enc, readOnly: true}]\n"
              "  volumes: [{name: enc, hostPath: {path: /srv/enc, type: DirectoryOrCreate}}]\n");
  auto ref = FindEncryptionConfig(root_.path());
  ASSERT_TRUE(ref);
  EXPECT_EQ(ref->path, P("/srv/enc/enc.yaml"));
  EXPECT_EQ(ref->manifest, P("/etc/kubernetes/manifests/kube-apiserver.yaml"));
}

TEST_F(DiscoveryTest, KineSocketIsNotAnEtcd) {
  root_.Write("/var/lib/rancher/rke2/agent/pod-manifests/kube-apiserver.yaml",
              "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: kube-apiserver\n    command: [kube-apiserver]\n"
              "    args: [--etcd-servers=unixs:///var/lib/rancher/rke2/server/kine.sock]\n");
  auto t = Find();
  ASSERT_EQ(t.status().code(), absl::StatusCode::kNotFound) << t.status();
}

TEST_F(DiscoveryTest, StaticPodWinsOverSystemdAndReportRecordsOrder) {
  root_.Copy("kubeadm-1.35-single.yaml", "/etc/kubernetes/manifests/etcd.yaml");
  root_.Copy("systemd/kthw.service", "/etc/systemd/system/etcd.service");
  Options o;
  o.host_root = root_.path();
  o.use_kubeconfig = false;
  auto r = DiscoverReport(o);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_TRUE(r->target);
  EXPECT_EQ(r->target->kind, "kubeadm");
  ASSERT_GE(r->steps.size(), 3u);
  EXPECT_EQ(r->steps[0].source, "kubeadm manifest");
  EXPECT_EQ(r->steps[0].outcome, "found");
  EXPECT_EQ(r->steps[1].outcome, "skipped");
  EXPECT_EQ(r->steps[2].source, "systemd unit");
  EXPECT_EQ(r->steps[2].outcome, "skipped");
}

TEST_F(DiscoveryTest, SystemdLoneContinuationBeforeAnEmptyLine) {
  root_.Write("/etc/systemd/system/etcd.service",
              "[Service]\n\\\n\nExecStart=/usr/bin/etcd --name lone \\\n  # comment\n\n");
  auto t = Find();
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->name, "lone");
}

// Files saved by Windows editors start with a UTF-8 byte order mark; etcd, the kubelet and
// systemd accept them.
TEST_F(DiscoveryTest, FilesWithUtf8ByteOrderMark) {
  const std::string bom = "\xEF\xBB\xBF";
  root_.Write("/etc/kubernetes/manifests/etcd.yaml", bom + *fsutil::ReadFile(TestData("kubeadm-1.35-single.yaml")));
  auto t = Find();
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->kind, "kubeadm");
  EXPECT_EQ(t->data_dir, P("/var/lib/etcd"));

  std::filesystem::remove(P("/etc/kubernetes/manifests/etcd.yaml"));
  root_.Write("/etc/systemd/system/etcd.service",
              bom + "[Service]\nEnvironmentFile=/etc/etcd.env\nExecStart=/usr/bin/etcd\n");
  root_.Write("/etc/etcd.env", bom + "ETCD_NAME=bom\n");
  t = Find();
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->kind, "systemd");
  EXPECT_EQ(t->name, "bom");
}

TEST_F(DiscoveryTest, ExplicitManifestFlag) {
  root_.Copy("hand-edited.yaml", "/root/etcd-copy.yaml");
  Options o;
  o.host_root = root_.path();
  o.manifest = UnderRoot(root_.path(), "/root/etcd-copy.yaml");
  o.use_kubeconfig = false;
  auto t = Discover(o);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->name, "node-b");
  EXPECT_EQ(t->kind, "static-pod");
}

TEST_F(DiscoveryTest, NothingFoundIsNotFound) {
  auto t = Find();
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(t.status().message()), HasSubstr("etc/kubernetes/manifests/etcd.yaml"));
}

struct MalformedCase {
  const char* fixture;
  const char* host_path;
  const char* want;  // in the message, besides the file name
};

class MalformedTest : public DiscoveryTest, public ::testing::WithParamInterface<MalformedCase> {};

TEST_P(MalformedTest, ErrorNamesFileAndProblem) {
  const MalformedCase& c = GetParam();
  root_.Copy(c.fixture, c.host_path);
  if (std::string(c.fixture) == "malformed/bad-envfile") {
    root_.Write("/etc/systemd/system/etcd.service", "[Service]\nEnvironmentFile=/etc/etcd.env\nExecStart=/usr/bin/etcd\n");
  }
  if (std::string(c.fixture) == "malformed/bad-config.yml") {
    root_.Write("/etc/systemd/system/etcd.service", "[Service]\nExecStart=/usr/bin/etcd --config-file /etc/etcd/c.yml\n");
  }
  auto t = Find();
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument) << t.status();
  std::string msg(t.status().message());
  EXPECT_THAT(msg, HasSubstr(P(c.host_path)));
  EXPECT_THAT(msg, HasSubstr(c.want));
}

INSTANTIATE_TEST_SUITE_P(
    Files, MalformedTest,
    ::testing::Values(
        MalformedCase{"malformed/bad-yaml.yaml", "/etc/kubernetes/manifests/etcd.yaml", "not valid YAML: line"},
        MalformedCase{"malformed/no-etcd.yaml", "/etc/kubernetes/manifests/etcd.yaml", "no etcd container"},
        MalformedCase{"malformed/deployment.yaml", "/etc/kubernetes/manifests/etcd.yaml", "expected Pod"},
        MalformedCase{"malformed/unbalanced.service", "/etc/systemd/system/etcd.service", "line 2: ExecStart: unbalanced quotes"},
        MalformedCase{"malformed/bad-envfile", "/etc/etcd.env", "line 2: expected VAR=value"},
        MalformedCase{"malformed/bad-config.yml", "/etc/etcd/c.yml", "not valid YAML"}));

}  // namespace
}  // namespace ketcd::discovery
