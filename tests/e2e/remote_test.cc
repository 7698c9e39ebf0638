// The remote path's refusals against the real kube-apiserver: a user whose Role lets it
// list pods but not exec into them gets a refusal naming pods/exec and kube-system (exit 3)
// before any kubectl child runs; an etcd pod that stays Pending is waited for, then named
// (exit 3); a cluster with no etcd pods is a managed control plane (exit 6). Workstation:
// --host-root an empty directory, so no certificate is found here.
#include <gtest/gtest.h>

#include <fstream>

#include "tests/e2e/kube_cluster.h"

namespace ketcd::e2e {
namespace {

constexpr char kTokens[] = "/etc/kubernetes/pki/tokens.csv";
constexpr char kAliceToken[] = "alice-token-6c1f0b9e2d";

// An etcd mirror pod as kubeadm's looks to a lister, on a node that does not exist, and a
// Role that reads pods in kube-system but has no pods/exec or pods/portforward. (No
// controller manager runs here: the ServiceAccount the pod needs is made by hand.)
constexpr char kObjects[] = R"(
apiVersion: v1
kind: ServiceAccount
metadata: {name: default, namespace: kube-system}
---
apiVersion: v1
kind: Pod
metadata:
  name: etcd-cp9
  namespace: kube-system
  labels: {component: etcd, tier: control-plane}
spec:
  nodeName: cp9
  hostNetwork: true
  containers:
  - name: etcd
    image: registry.k8s.io/etcd:3.6.8-0
    command: [etcd, --trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt,
              --cert-file=/etc/kubernetes/pki/etcd/server.crt, --key-file=/etc/kubernetes/pki/etcd/server.key,
              --listen-client-urls=https://127.0.0.1:2379,https://10.0.0.9:2379]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: pod-reader, namespace: kube-system}
rules:
- apiGroups: [""]
  resources: [pods]
  verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: alice-reads-pods, namespace: kube-system}
subjects:
- {kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}
roleRef: {kind: Role, name: pod-reader, apiGroup: rbac.authorization.k8s.io}
)";

class RemoteE2e : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster_.Start({std::string("--token-auth-file=") + kTokens},
                   {{kTokens, std::string(kAliceToken) + ",alice,1001\n"}});
    empty_root_ = cluster_.dir().Sub("workstation-root");
    ASSERT_EQ(e2e::Run({"/bin/mkdir", "-p", empty_root_}).exit_code, 0);
  }

  // admin.conf with alice's token as its user.
  std::string AliceKubeconfig() {
    std::string path = cluster_.dir().Sub("alice.conf");
    EXPECT_EQ(e2e::Run({"/bin/cp", cluster_.node().R("/etc/kubernetes/admin.conf"), path}).exit_code, 0);
    for (std::vector<std::string> args : {std::vector<std::string>{"config", "set-credentials", "alice",
                                                                   std::string("--token=") + kAliceToken},
                                          {"config", "set-context", "--current", "--user=alice"}}) {
      args.insert(args.begin(), {KubectlBinary(), "--kubeconfig", path});
      CommandResult r = e2e::Run(args);
      EXPECT_EQ(r.exit_code, 0) << r.err;
    }
    return path;
  }

  KubeCluster cluster_;
  std::string empty_root_;
};

TEST_F(RemoteE2e, NoEtcdPodsIsAManagedControlPlane) {
  CommandResult r = RunKubectlEtcd({"backup", cluster_.dir().Sub("x.db"), "--remote", "--kubeconfig",
                                    cluster_.node().R("/etc/kubernetes/admin.conf"), "--host-root", empty_root_});
  EXPECT_EQ(r.exit_code, 6) << r.err;
  EXPECT_NE(r.err.find("managed control plane"), std::string::npos) << r.err;
}

TEST_F(RemoteE2e, WithoutPodsExecTheRefusalNamesVerbAndNamespace) {
  cluster_.Apply(kObjects);
  const std::string alice = AliceKubeconfig();
  // Alice reaches the API server and lists the etcd pod...
  CommandResult listed = cluster_.Live({"--token", kAliceToken, "get", "pods", "-n", "kube-system"});
  EXPECT_EQ(listed.exit_code, 0) << listed.err;
  // ...but may not exec: refused before anything runs, naming what is missing.
  for (const char* command : {"backup", "discover", "status"}) {
    std::vector<std::string> args = {command, "--kubeconfig", alice, "--host-root", empty_root_};
    if (std::string(command) == "backup") args.insert(args.begin() + 1, cluster_.dir().Sub("alice.db"));
    CommandResult r = RunKubectlEtcd(args);
    EXPECT_EQ(r.exit_code, 3) << command << ": " << r.out << r.err;
    const std::string& text = std::string(command) == "backup" ? r.err : r.out + r.err;
    EXPECT_NE(text.find("not allowed to create pods/exec in namespace kube-system"), std::string::npos) << text;
    EXPECT_NE(text.find("alice"), std::string::npos) << text;
  }
  std::ifstream written(cluster_.dir().Sub("alice.db"));
  EXPECT_FALSE(written.good()) << "no snapshot file after a refusal";

  // The admin may exec: the same run gets past the review, so the review is what refused
  // alice. The pod's node does not exist, so it stays Pending: the run waits for it to run
  // (as for a pod the kubelet recreates), lists it again, and gives up after 30 s.
  CommandResult admin = RunKubectlEtcd({"backup", cluster_.dir().Sub("admin.db"), "--kubeconfig",
                                        cluster_.node().R("/etc/kubernetes/admin.conf"), "--host-root", empty_root_},
                                       180);
  EXPECT_EQ(admin.exit_code, 3) << admin.err;
  EXPECT_EQ(admin.err.find("not allowed to"), std::string::npos) << admin.err;
  EXPECT_NE(admin.err.find("remote: etcd-cp9 Pending: waiting up to 30 s for etcd to run\nerror: "), std::string::npos)
      << admin.err;
  EXPECT_NE(admin.err.find("no etcd pod is Running after 30 s (etcd-cp9 Pending)"), std::string::npos) << admin.err;
  EXPECT_EQ(admin.err.find("reading the etcd client certificate"), std::string::npos) << admin.err;
}

}  // namespace
}  // namespace ketcd::e2e
