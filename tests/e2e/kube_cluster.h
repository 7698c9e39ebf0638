#pragma once
// A one-node control plane for the object tests: etcd 3.6 and the real kube-apiserver
// (kubeadm's flags, plus the test's own) run by the kubelet stand-in, and the real kubectl
// against it. Objects go in with `kubectl apply`; a snapshot is taken with `kubectl etcd backup`.
#include <pwd.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/e2e/node.h"

namespace ketcd::e2e {

// kubectl built from its Go module once (tests/tools/build-kube-tools.sh).
inline std::string KubectlBinary() {
  // The cache of the user running the tests (where `make test-dist` built kubectl), not the
  // scratch HOME every child gets: there it would be built again, with empty Go caches.
  const passwd* user = ::getpwuid(::getuid());
  std::map<std::string, std::string> env;
  if (user != nullptr && user->pw_dir != nullptr) {
    env["KETCD_CACHE"] = std::string(user->pw_dir) + "/.cache/kubectl-etcd";
  }
  CommandResult r = Run({std::string(KETCD_SOURCE_DIR) + "/tests/tools/build-kube-tools.sh"}, env, 1800);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::string dir = r.out.substr(0, r.out.find('\n'));
  return dir + "/kubectl";
}

// name -> item of a `kind: List` JSON document ("namespace/name" when `with_namespace`).
inline std::map<std::string, nlohmann::json> ByName(const std::string& text, bool with_namespace = false) {
  std::map<std::string, nlohmann::json> out;
  nlohmann::json list = nlohmann::json::parse(text, nullptr, false);
  EXPECT_FALSE(list.is_discarded()) << text;
  if (list.is_discarded()) return out;
  EXPECT_EQ(list["kind"], "List");
  for (const nlohmann::json& item : list["items"]) {
    std::string name = item["metadata"]["name"].get<std::string>();
    if (with_namespace) name = item["metadata"].value("namespace", "") + "/" + name;
    out[name] = item;
  }
  return out;
}

class KubeCluster {
 public:
  // `files`: host path under the node root -> content, written before the API server starts.
  void Start(const std::vector<std::string>& apiserver_flags = {},
             const std::map<std::string, std::string>& files = {}) {
    certs_ = MakeCerts(dir_.Sub("certs"));
    node_ = std::make_unique<Node>(VersionByName("3.6"), certs_, "cp1");
    for (const auto& [path, text] : files) Put(node_->R(path), text);
    node_->WriteEtcd("1.35", "cp1=" + node_->PeerUrl());
    node_->WriteControlPlane(ApiServer::kReal, apiserver_flags);
    node_->StartKubelet();
    ASSERT_TRUE(node_->WaitEtcd(30)) << FileContents(node_->R("/var/log/pods/etcd.yaml.log"));
    ASSERT_TRUE(node_->WaitApiServer(90)) << FileContents(node_->R("/var/log/pods/kube-apiserver.yaml.log"));
    kubectl_ = KubectlBinary();
  }

  // The real kubectl against the cluster.
  CommandResult Live(std::vector<std::string> args, const std::string& stdin_text = "") const {
    args.insert(args.begin(), {kubectl_, "--kubeconfig", node_->R("/etc/kubernetes/admin.conf")});
    return Run(args, {}, 60, stdin_text);
  }
  void Apply(const std::string& yaml) const {
    CommandResult r = Live({"apply", "-f", "-"}, yaml);
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }
  // A snapshot of the cluster's etcd in the test's dir.
  std::string Snapshot(const std::string& name) const {
    std::string path = dir_.Sub(name);
    CommandResult r = node_->Kubectl({"backup", path});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    return path;
  }

  Node& node() const { return *node_; }
  const TempDir& dir() const { return dir_; }

 private:
  TempDir dir_;
  TestCerts certs_;
  std::unique_ptr<Node> node_;
  std::string kubectl_;
};

}  // namespace ketcd::e2e
