// The API-server side of discovery against tests/discovery/fake_apiserver.py: an HTTPS
// server that requires a client certificate or bearer token and serves pod lists shaped
// like kube-apiserver's.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "pkg/discovery/cluster_pods.h"
#include "pkg/discovery/discovery.h"
#include "pkg/discovery/test_root.h"
#include "pkg/fsutil/file.h"
#include "pkg/kubeclient/client.h"
#include "pkg/kubeclient/kubeconfig.h"

namespace ketcd::discovery {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string Read(const std::string& path) { return *fsutil::ReadFile(path); }

class ApiServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    certs_ = root_.path() + "/certs";
    std::string cmd = absl::StrCat(KETCD_TESTS_DIR, "/discovery/make-certs.sh ", certs_);
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    pods_ = root_.path() + "/pods.json";
    ServePods("apiserver/pods-kubeadm-ha.json");
    int out[2];
    ASSERT_EQ(::pipe(out), 0);
    pid_ = ::fork();
    ASSERT_GE(pid_, 0);
    if (pid_ == 0) {
      ::dup2(out[1], 1);
      ::close(out[0]);
      std::string script = absl::StrCat(KETCD_TESTS_DIR, "/discovery/fake_apiserver.py");
      std::string cert = certs_ + "/server.crt", key = certs_ + "/server.key", ca = certs_ + "/ca.crt";
      ::execlp("python3", "python3", script.c_str(), "--cert", cert.c_str(), "--key", key.c_str(), "--client-ca",
               ca.c_str(), "--pods", pods_.c_str(), "--token", "s3cret", static_cast<char*>(nullptr));
      _exit(127);
    }
    ::close(out[1]);
    FILE* f = ::fdopen(out[0], "r");
    int port = 0;
    ASSERT_EQ(std::fscanf(f, "PORT %d", &port), 1) << "fake API server did not start";
    std::fclose(f);
    server_ = absl::StrCat("https://127.0.0.1:", port);
  }
  void TearDown() override {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  void ServePods(const std::string& fixture) { root_.Copy(fixture, "/pods.json"); }

  // A kubeconfig with the given user block; returns its path.
  std::string Kubeconfig(const std::string& user, const std::string& cluster_extra = "") {
    std::string text = absl::StrCat("apiVersion: v1\nkind: Config\nclusters:\n- name: k\n  cluster:\n    server: ",
                                    server_, "\n    certificate-authority: ", certs_, "/ca.crt\n", cluster_extra,
                                    "contexts:\n- name: c\n  context: {cluster: k, user: u}\ncurrent-context: c\n",
                                    "users:\n- name: u\n  user:\n", user);
    root_.Write("/kubeconfig", text);
    return root_.path() + "/kubeconfig";
  }

  absl::StatusOr<std::vector<EtcdPod>> List(const std::string& kubeconfig, const std::string& node = "cp2") {
    kubeclient::KubeconfigOptions o;
    o.explicit_path = kubeconfig;
    KETCD_ASSIGN_OR_RETURN(kubeclient::RestConfig rc, kubeclient::LoadKubeconfig(o));
    KETCD_ASSIGN_OR_RETURN(kubeclient::Client api, kubeclient::Client::Create(rc, 10));
    return ListEtcdPods(api, node);
  }

  TestRoot root_;
  std::string certs_, pods_, server_;
  pid_t pid_ = -1;
};

TEST_F(ApiServerTest, ClientCertificateFiles) {
  auto pods = List(Kubeconfig(absl::StrCat("    client-certificate: ", certs_, "/client.crt\n    client-key: ", certs_,
                                           "/client.key\n")));
  ASSERT_TRUE(pods.ok()) << pods.status();
  ASSERT_EQ(pods->size(), 3u);
  const EtcdPod& p = (*pods)[1];
  EXPECT_EQ(p.name, "etcd-cp2");
  EXPECT_EQ(p.node, "cp2");
  EXPECT_EQ(p.host_ip, "10.0.0.12");
  EXPECT_EQ(p.version, "3.6.8");
  EXPECT_TRUE(p.ready);
  EXPECT_TRUE(p.this_host);
  EXPECT_FALSE((*pods)[0].this_host);
  EXPECT_FALSE((*pods)[2].ready);
  EXPECT_EQ((*pods)[2].restarts, 2);
  EXPECT_THAT(p.client_urls, ElementsAre("https://10.0.0.12:2379"));
  EXPECT_EQ(p.data_dir, "/var/lib/etcd");
  EXPECT_EQ(p.flags.at("name"), "cp2");
  EXPECT_EQ(p.flags.at("initial-cluster-state"), "existing");
}

TEST_F(ApiServerTest, ClientCertificateData) {
  auto pods = List(Kubeconfig(absl::StrCat("    client-certificate-data: ", absl::Base64Escape(Read(certs_ + "/client.crt")),
                                           "\n    client-key-data: ", absl::Base64Escape(Read(certs_ + "/client.key")),
                                           "\n")));
  ASSERT_TRUE(pods.ok()) << pods.status();
  EXPECT_EQ(pods->size(), 3u);
}

TEST_F(ApiServerTest, BearerTokenAndTokenFile) {
  EXPECT_TRUE(List(Kubeconfig("    token: s3cret\n")).ok());
  root_.Write("/token", "s3cret\n");
  auto pods = List(Kubeconfig(absl::StrCat("    tokenFile: ", root_.path(), "/token\n")));
  EXPECT_TRUE(pods.ok()) << pods.status();
}

TEST_F(ApiServerTest, ExecPluginToken) {
  root_.Write("/plugin", "#!/bin/sh\necho '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":"
                         "\"ExecCredential\",\"status\":{\"token\":\"s3cret\"}}'\n");
  ::chmod((root_.path() + "/plugin").c_str(), 0755);
  auto pods = List(Kubeconfig(absl::StrCat("    exec:\n      apiVersion: client.authentication.k8s.io/v1\n"
                                           "      command: ", root_.path(), "/plugin\n      interactiveMode: Never\n")));
  EXPECT_TRUE(pods.ok()) << pods.status();
}

TEST_F(ApiServerTest, ExecPluginClientCertificate) {
  nlohmann::json cred = {{"apiVersion", "client.authentication.k8s.io/v1"},
                         {"kind", "ExecCredential"},
                         {"status", {{"clientCertificateData", Read(certs_ + "/client.crt")},
                                     {"clientKeyData", Read(certs_ + "/client.key")}}}};
  root_.Write("/cred.json", cred.dump());
  root_.Write("/plugin", absl::StrCat("#!/bin/sh\ncat ", root_.path(), "/cred.json\n"));
  ::chmod((root_.path() + "/plugin").c_str(), 0755);
  auto pods = List(Kubeconfig(absl::StrCat("    exec:\n      apiVersion: client.authentication.k8s.io/v1\n"
                                           "      command: ", root_.path(), "/plugin\n      interactiveMode: Never\n")));
  EXPECT_TRUE(pods.ok()) << pods.status();
}

TEST_F(ApiServerTest, TlsServerNameIsVerified) {
  auto ok = List(Kubeconfig("    token: s3cret\n", "    tls-server-name: kubernetes.test\n"));
  EXPECT_TRUE(ok.ok()) << ok.status();
  auto bad = List(Kubeconfig("    token: s3cret\n", "    tls-server-name: wrong.test\n"));
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kUnavailable) << bad.status();
}

TEST_F(ApiServerTest, NoCredentialsIsUnauthenticated) {
  auto pods = List(Kubeconfig("    username: \"\"\n"));
  ASSERT_EQ(pods.status().code(), absl::StatusCode::kUnauthenticated) << pods.status();
  EXPECT_THAT(std::string(pods.status().message()), HasSubstr("HTTP 401: Unauthorized"));
}

TEST_F(ApiServerTest, WrongCaIsUnavailable) {
  std::string kc = Kubeconfig("    token: s3cret\n");
  std::string text = Read(kc);
  root_.Write("/kubeconfig", text.replace(text.find("/ca.crt"), 7, "/other-ca.crt"));
  auto pods = List(kc);
  EXPECT_EQ(pods.status().code(), absl::StatusCode::kUnavailable) << pods.status();
  EXPECT_THAT(std::string(pods.status().message()), HasSubstr(server_));
}

TEST_F(ApiServerTest, DiscoverUsesThisHostsPod) {
  std::string kc = Kubeconfig("    token: s3cret\n");
  std::string host = root_.path() + "/host";
  root_.Touch("/host/etc/kubernetes/pki/etcd/ca.crt");
  root_.Touch("/host/etc/kubernetes/pki/etcd/healthcheck-client.crt");
  root_.Touch("/host/etc/kubernetes/pki/etcd/healthcheck-client.key");
  Options o;
  o.host_root = host;
  o.kubeconfig = kc;
  o.node_name = "cp2";
  auto t = Discover(o);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->kind, "kubeconfig");
  EXPECT_THAT(t->endpoints, ElementsAre("https://127.0.0.1:2379", "https://10.0.0.12:2379"));
  EXPECT_EQ(t->ca_file, host + "/etc/kubernetes/pki/etcd/ca.crt");
  EXPECT_EQ(t->cert_file, host + "/etc/kubernetes/pki/etcd/healthcheck-client.crt");
  EXPECT_EQ(t->name, "cp2");
  EXPECT_EQ(t->data_dir, host + "/var/lib/etcd");
  EXPECT_THAT(t->defined_in, HasSubstr("etcd-cp2"));
}

TEST_F(ApiServerTest, DiscoverFromAWorkstationListsEveryMember) {
  Options o;
  o.host_root = root_.path() + "/workstation";
  o.kubeconfig = Kubeconfig("    token: s3cret\n");
  o.node_name = "laptop";
  auto r = DiscoverReport(o);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_TRUE(r->target);
  EXPECT_THAT(r->target->endpoints,
              ElementsAre("https://10.0.0.11:2379", "https://10.0.0.12:2379", "https://10.0.0.13:2379"));
  EXPECT_EQ(r->target->ca_file, "");  // the node's files are not here
  EXPECT_EQ(r->pods.size(), 3u);
}

TEST_F(ApiServerTest, ManagedControlPlaneIsNotFound) {
  ServePods("apiserver/pods-none.json");
  Options o;
  o.host_root = root_.path() + "/workstation";
  o.kubeconfig = Kubeconfig("    token: s3cret\n");
  auto t = Discover(o);
  ASSERT_EQ(t.status().code(), absl::StatusCode::kNotFound) << t.status();
  EXPECT_THAT(std::string(t.status().message()), HasSubstr("managed control plane"));
  EXPECT_THAT(std::string(t.status().message()), HasSubstr(server_));
}

TEST(ClusterPodsTest, HostIpIdentifiesThisHostWhenNamesDiffer) {
  nlohmann::json list = nlohmann::json::parse(Read(TestData("apiserver/pods-kubeadm-ha.json")));
  auto pods = ParseEtcdPods(list, "ip-10-0-0-13.ec2.internal.example", {"192.168.1.1", "10.0.0.13"});
  ASSERT_TRUE(pods.ok());
  EXPECT_FALSE((*pods)[0].this_host);
  EXPECT_TRUE((*pods)[2].this_host);
  EXPECT_EQ(EtcdVersionFromImage("index.docker.io/rancher/hardened-etcd:v3.5.26-k3s1-build20260126"), "3.5.26");
  EXPECT_EQ(EtcdVersionFromImage("localhost:5000/etcd"), "");
}

TEST_F(ApiServerTest, RefusedByTheApiServerKeepsTheAuthError) {
  Options o;
  o.host_root = root_.path() + "/workstation";
  o.kubeconfig = Kubeconfig("    token: wrong\n");
  auto t = Discover(o);
  ASSERT_EQ(t.status().code(), absl::StatusCode::kUnauthenticated) << t.status();
  EXPECT_THAT(std::string(t.status().message()), HasSubstr("no etcd found"));
  EXPECT_THAT(std::string(t.status().message()), HasSubstr("HTTP 401"));
}

// Pod lists come from the API server: a long image tag must not exhaust the stack
// (std::regex recursed per character), nor an odd restartCount overflow an int.
TEST(ClusterPodsTest, HostileImageTagsAndRestartCounts) {
  EXPECT_EQ(EtcdVersionFromImage("registry.k8s.io/etcd:3.5.10-0"), "3.5.10");
  EXPECT_EQ(EtcdVersionFromImage("etcd:v3.6.0"), "3.6.0");
  EXPECT_EQ(EtcdVersionFromImage("etcd:3.5"), "");
  EXPECT_EQ(EtcdVersionFromImage("etcd:" + std::string(200000, '1')), "");
  EXPECT_EQ(EtcdVersionFromImage("etcd:1.2." + std::string(200000, '3')), "1.2." + std::string(200000, '3'));
  nlohmann::json list = nlohmann::json::parse(R"({"items":[
    {"metadata":{"name":"a"},"spec":{"containers":[{"name":"etcd"}]},
     "status":{"containerStatuses":[{"name":"etcd","restartCount":1e300}]}},
    {"metadata":{"name":"b"},"spec":{"containers":[{"name":"etcd"}]},
     "status":{"containerStatuses":[{"name":"etcd","restartCount":18446744073709551615}]}},
    {"metadata":{"name":"c"},"spec":{"containers":[{"name":"etcd"}]},
     "status":{"containerStatuses":[{"name":"etcd","restartCount":-5}]}},
    {"metadata":{"name":"d"},"spec":{"containers":[{"name":"etcd"}]},
     "status":{"containerStatuses":[{"name":"etcd","restartCount":7}]}}]})");
  auto pods = ParseEtcdPods(list, "n", {});
  ASSERT_TRUE(pods.ok()) << pods.status();
  ASSERT_EQ(pods->size(), 4u);
  EXPECT_EQ((*pods)[0].restarts, 0);
  EXPECT_EQ((*pods)[1].restarts, 0);
  EXPECT_EQ((*pods)[2].restarts, 0);
  EXPECT_EQ((*pods)[3].restarts, 7);
}

}  // namespace
}  // namespace ketcd::discovery
