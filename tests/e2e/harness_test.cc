// The harness itself: what every child of an end-to-end test gets.
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "tests/e2e/harness.h"
#include "tests/e2e/node.h"

namespace ketcd::e2e {
namespace {

// A developer's own cluster must not be reachable from a test: children get a scratch
// HOME (no ~/.kube/config) and no KUBECONFIG, whatever the runner has, unless the test
// passes them.
TEST(HarnessE2e, ChildrenGetAScratchHomeAndNoKubeconfig) {
  ::setenv("KUBECONFIG", "/root/.kube/config", 1);
  CommandResult r = e2e::Run({"/usr/bin/env"});
  ::unsetenv("KUBECONFIG");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r.out = "\n" + r.out;  // every entry starts a line
  EXPECT_EQ(r.out.find("KUBECONFIG="), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\nHOME=" + ScratchHome() + "\n"), std::string::npos) << r.out;
  EXPECT_TRUE(std::filesystem::is_directory(ScratchHome()));
  EXPECT_TRUE(std::filesystem::is_empty(ScratchHome()));
  EXPECT_EQ(ScratchHome().rfind(std::filesystem::temp_directory_path().string(), 0), 0u) << ScratchHome();

  r = e2e::Run({"/usr/bin/env"}, {{"KUBECONFIG", "/x/kubeconfig"}, {"HOME", "/x"}});
  r.out = "\n" + r.out;
  EXPECT_NE(r.out.find("\nKUBECONFIG=/x/kubeconfig\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\nHOME=/x\n"), std::string::npos) << r.out;
}

// The node fixture with the real kube-apiserver: kubeadm-config is an object stored in the
// node's etcd, and /livez fails while etcd is down (the fake API server answers 200 always),
// which is what makes "wait for the API server" of a restore mean something.
TEST(NodeFixtureE2e, RealApiServerStoresInEtcdAndIsNotLiveWithoutIt) {
  EtcdVersion v = VersionByName("3.7");
  TempDir dir;
  TestCerts certs = MakeCerts(dir.Sub("certs"));
  Node node(v, certs, "cp1");
  node.WriteEtcd("1.35", "cp1=" + node.PeerUrl());
  node.WriteControlPlane(ApiServer::kReal);
  node.StartKubelet();
  ASSERT_TRUE(node.WaitEtcd(30)) << FileContents(node.R("/var/log/pods/etcd.yaml.log"));
  ASSERT_TRUE(node.WaitApiServer(60)) << FileContents(node.R("/var/log/pods/kube-apiserver.yaml.log"));
  EXPECT_EQ(node.KubeadmDataDir(), "/var/lib/etcd");
  CommandResult key = node.Etcdctl({"get", "/registry/configmaps/kube-system/kubeadm-config", "--keys-only"});
  EXPECT_EQ(key.out, "/registry/configmaps/kube-system/kubeadm-config\n\n") << key.err;

  // etcd stopped (its manifest moved away): the API server runs on but is not live.
  std::filesystem::rename(node.Manifests() + "/etcd.yaml", node.R("/etc/kubernetes/etcd.yaml"));
  long livez = 200;
  for (int i = 0; i < 60 && livez == 200; i++) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    livez = node.Livez(10000);
  }
  EXPECT_NE(livez, 200) << "/livez still 200 without etcd";
  EXPECT_NE(livez, 0) << "the API server stopped answering";
  std::filesystem::rename(node.R("/etc/kubernetes/etcd.yaml"), node.Manifests() + "/etcd.yaml");
  EXPECT_TRUE(node.WaitApiServer(60));
}

}  // namespace
}  // namespace ketcd::e2e
