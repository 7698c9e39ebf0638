// The orchestrated restore of a three-member kubeadm cluster: three scratch host roots
// (tests/e2e/node.h), each with its kubelet stand-in running etcd from an etcd.yaml
// written as kubeadm writes it, peers included (https peer URLs, peer.crt signed by the
// etcd CA, --peer-client-cert-auth=true). `kubectl etcd restore FILE --yes --host-root R`
// runs on every node, one after another or all at once; the three must form a healthy
// cluster serving the snapshot's data. A member restored before a quorum is can only be
// checked on its TLS peer port, the path the tool took over HTTP/2 before (etcd answers
// h2 there with a broken stream).
#include <barrier>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "tests/e2e/harness.h"
#include "tests/e2e/node.h"

namespace ketcd::e2e {
namespace {

class NodeRestoreHaTest : public ::testing::TestWithParam<int> {
 protected:
  void SetUp() override {
    style_ = kStyles[GetParam()];
    version_ = VersionByName(style_.etcd);
    certs_ = MakeCerts(dir_.Sub("certs"));
  }

  // Three kubeadm nodes forming one cluster over TLS peers, with the fake control plane;
  // `snap_` is taken on cp1 after a=1, then c=3 is written.
  void StartCluster() {
    for (const char* name : {"cp1", "cp2", "cp3"}) {
      nodes_.push_back(std::make_unique<Node>(version_, certs_, name));
      cluster_ += (cluster_.empty() ? "" : ",") + std::string(name) + "=" + nodes_.back()->PeerUrl();
    }
    for (auto& n : nodes_) {
      n->WriteEtcd(style_.kubeadm, cluster_);
      n->WriteControlPlane();
      n->StartKubelet();
    }
    for (auto& n : nodes_) {
      ASSERT_TRUE(n->WaitEtcd(60)) << n->name() << FileContents(n->R("/var/log/pods/etcd.yaml.log"));
      ASSERT_TRUE(n->WaitApiServer(20)) << n->name();
    }
    // The members talk TLS to each other: every peer URL the cluster knows is https.
    CommandResult ml = nodes_[0]->Etcdctl({"member", "list", "-w", "json"});
    ASSERT_EQ(ml.exit_code, 0) << ml.err;
    auto members = nlohmann::json::parse(ml.out)["members"];
    ASSERT_EQ(members.size(), 3u) << ml.out;
    for (const auto& m : members) {
      ASSERT_EQ(m["peerURLs"].size(), 1u) << ml.out;
      EXPECT_EQ(m["peerURLs"][0].get<std::string>().rfind("https://127.0.0.1:", 0), 0u) << ml.out;
    }
    // The old cluster's data; the snapshot has a, not c.
    ASSERT_EQ(nodes_[0]->Etcdctl({"put", "a", "1"}).exit_code, 0);
    snap_ = dir_.Sub("snap.db");
    CommandResult b = nodes_[0]->Kubectl({"backup", snap_});
    ASSERT_EQ(b.exit_code, 0) << b.out << b.err;
    ASSERT_EQ(nodes_[1]->Etcdctl({"put", "c", "3"}).exit_code, 0);
  }

  // Every node serves the snapshot's data in one healthy three-member cluster with TLS
  // peers: one cluster ID and one leader seen from every member, and a write through one
  // member is read through the others.
  void ExpectRestoredCluster() {
    std::set<uint64_t> cluster_ids, leaders;
    for (auto& n : nodes_) {
      ASSERT_TRUE(n->WaitEtcd(60)) << n->name() << FileContents(n->R("/var/log/pods/etcd.yaml.log"));
      EXPECT_EQ(n->Get("a"), "1\n") << n->name();
      EXPECT_EQ(n->Get("c"), "") << n->name();
      CommandResult st = n->Etcdctl({"endpoint", "status", "-w", "json"});
      ASSERT_EQ(st.exit_code, 0) << st.err;
      auto sj = nlohmann::json::parse(st.out)[0]["Status"];
      cluster_ids.insert(sj["header"]["cluster_id"].get<uint64_t>());
      leaders.insert(sj["leader"].get<uint64_t>());
      EXPECT_GT(sj["header"]["revision"].get<int64_t>(), 1'000'000'000) << n->name();
      EXPECT_TRUE(n->WaitApiServer(20)) << n->name();
    }
    EXPECT_EQ(cluster_ids.size(), 1u);
    EXPECT_EQ(leaders.size(), 1u);
    EXPECT_EQ(leaders.count(0), 0u);
    CommandResult ml = nodes_[2]->Etcdctl({"member", "list", "-w", "json"});
    ASSERT_EQ(ml.exit_code, 0) << ml.err;
    auto members = nlohmann::json::parse(ml.out)["members"];
    ASSERT_EQ(members.size(), 3u) << ml.out;
    for (const auto& m : members) {
      EXPECT_EQ(m["peerURLs"][0].get<std::string>().rfind("https://127.0.0.1:", 0), 0u) << ml.out;
      EXPECT_TRUE(m.contains("name") && !m["name"].get<std::string>().empty()) << "member not started: " << ml.out;
    }
    ASSERT_EQ(nodes_[0]->Etcdctl({"put", "after", "restore"}).exit_code, 0);
    for (auto& n : nodes_) {
      bool seen = false;
      for (int i = 0; i < 50 && !seen; i++) {
        seen = n->Etcdctl({"get", "after", "--print-value-only", "--consistency=s"}).out == "restore\n";
        if (!seen) std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      EXPECT_TRUE(seen) << n->name() << " does not replicate";
    }
    // etcd on the restored dir of every node, the manifest pointing at it.
    for (auto& n : nodes_) {
      std::string manifest = FileContents(n->Manifests() + "/etcd.yaml");
      EXPECT_NE(manifest.find("      path: /var/lib/etcd-restored-"), std::string::npos) << n->name() << manifest;
      EXPECT_EQ(n->ManifestNames(), kAllManifests) << n->name();
    }
  }

  Style style_;
  EtcdVersion version_;
  TempDir dir_;
  TestCerts certs_;
  std::vector<std::unique_ptr<Node>> nodes_;
  std::string cluster_;
  std::string snap_;
};

// Node by node: the first restored member waits on its TLS peer port (no quorum yet); a
// node given another snapshot is refused (the tool read the restored member's cluster ID
// from its TLS peer port); the second brings the quorum back, the third joins.
TEST_P(NodeRestoreHaTest, ThreeMembersRestoredNodeByNode) {
  StartCluster();
  ASSERT_FALSE(HasFailure());
  std::string other = dir_.Sub("other.db");
  CommandResult b = nodes_[1]->Kubectl({"backup", other});
  ASSERT_EQ(b.exit_code, 0) << b.err;

  CommandResult dry = nodes_[0]->Kubectl({"restore", snap_, "--dry-run", "-o", "json"});
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  auto plan = nlohmann::json::parse(dry.out);
  ASSERT_EQ(plan["members"].size(), 3u) << dry.out;
  auto sorted = [](const std::string& list) {
    std::vector<std::string> items;
    std::stringstream ss(list);
    for (std::string item; std::getline(ss, item, ',');) items.push_back(item);
    std::sort(items.begin(), items.end());
    return items;
  };
  EXPECT_EQ(sorted(plan["initialCluster"].get<std::string>()), sorted(cluster_));

  CommandResult r1 = nodes_[0]->Kubectl({"restore", snap_, "--yes", "--wait-timeout", "60"});
  ASSERT_EQ(r1.exit_code, 0) << r1.out << r1.err;
  EXPECT_NE(r1.out.find("members are restored"), std::string::npos) << r1.out;

  CommandResult wrong = nodes_[1]->Kubectl({"restore", other, "--yes"});
  EXPECT_EQ(wrong.exit_code, 5) << wrong.out << wrong.err;
  EXPECT_NE(wrong.err.find("another snapshot"), std::string::npos) << wrong.err;

  for (int i = 1; i < 3; i++) {
    CommandResult r = nodes_[i]->Kubectl({"restore", snap_, "--yes", "--wait-timeout", "60"});
    ASSERT_EQ(r.exit_code, 0) << nodes_[i]->name() << r.out << r.err;
  }
  ExpectRestoredCluster();
}

// All three at once, as an operator with a terminal per node would: three
// `kubectl etcd restore FILE --yes` started together. Each waits for its member on the
// restored dir while the others restore theirs.
TEST_P(NodeRestoreHaTest, ThreeMembersRestoredAtOnce) {
  StartCluster();
  ASSERT_FALSE(HasFailure());
  std::vector<CommandResult> results(nodes_.size());
  std::barrier start(static_cast<std::ptrdiff_t>(nodes_.size()));
  std::vector<std::thread> threads;
  for (size_t i = 0; i < nodes_.size(); i++) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      results[i] = nodes_[i]->Kubectl({"restore", snap_, "--yes", "--wait-timeout", "90"});
    });
  }
  for (auto& t : threads) t.join();
  for (size_t i = 0; i < nodes_.size(); i++) {
    EXPECT_EQ(results[i].exit_code, 0) << nodes_[i]->name() << "\n" << results[i].out << results[i].err;
  }
  ASSERT_FALSE(HasFailure());
  ExpectRestoredCluster();
}

std::string StyleName(const ::testing::TestParamInfo<int>& info) {
  std::string n = std::string("kubeadm") + kStyles[info.param].kubeadm + "_etcd" + kStyles[info.param].etcd;
  for (char& c : n) {
    if (c == '.') c = '_';
  }
  return n;
}

INSTANTIATE_TEST_SUITE_P(Styles, NodeRestoreHaTest, ::testing::Range(0, 4), StyleName);

}  // namespace
}  // namespace ketcd::e2e
