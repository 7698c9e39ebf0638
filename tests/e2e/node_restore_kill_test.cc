// A node restore killed (SIGKILL) at every step boundary on a kubeadm node and under
// systemd (tests/kubelet/systemctl) with real etcd 3.4 and 3.7 (kubectl-etcd-test-hooks kills itself once the journal records the step),
// then recovered with --undo or --resume: each step gets both ways out across the two
// versions. Whatever the step, the node ends serving the old data (undo) or the snapshot
// (resume), with the three control-plane manifests back in place, and a new restore
// refuses while the killed run is unfinished.
#include <nlohmann/json.hpp>

#include <tuple>

#include "tests/e2e/harness.h"
#include "tests/e2e/node.h"

namespace ketcd::e2e {
namespace {

// The steps of a kubeadm node restore, in order (pkg/noderestore/steps.cc).
const char* const kSteps[] = {"stop-control-plane", "wait-apiserver-stopped", "restore-data", "patch-definition",
                              "wait-etcd", "start-control-plane", "wait-apiserver", "update-kubeadm-config"};
constexpr int kStyle34 = 0, kStyle37 = 3;  // kStyles: kubeadm 1.30 + etcd 3.4, kubeadm 1.35 + etcd 3.7

// (style, step index): undo on even (step + style) sums, resume on odd ones.
class NodeRestoreKillTest : public ::testing::TestWithParam<std::tuple<int, int>> {
 protected:
  void SetUp() override {
    style_ = kStyles[std::get<0>(GetParam())];
    version_ = VersionByName(style_.etcd);
    certs_ = MakeCerts(dir_.Sub("certs"));
  }
  bool Undo() const { return (std::get<0>(GetParam()) + std::get<1>(GetParam())) % 2 == 0; }

  Style style_;
  EtcdVersion version_;
  TempDir dir_;
  TestCerts certs_;
};

std::string RestoredDir(const std::string& manifest) {
  size_t at = manifest.find("path: /var/lib/etcd-restored-");
  if (at == std::string::npos) return "";
  return manifest.substr(at + 6, manifest.find('\n', at) - at - 6);
}

void ExpectOldData(const Node& node, const std::string& original, const std::string& context) {
  EXPECT_EQ(FileContents(node.Manifests() + "/etcd.yaml"), original) << context;
  EXPECT_EQ(node.ManifestNames(), kAllManifests) << context;
  ASSERT_TRUE(node.WaitEtcd(30)) << context;
  EXPECT_EQ(node.Get("c"), "3\n") << context;
  EXPECT_EQ(node.Get("a"), "") << context;
  EXPECT_TRUE(node.ApiServerAnswers()) << context;
  EXPECT_EQ(node.KubeadmDataDir(), "/var/lib/etcd") << context;
}

void ExpectSnapshotData(const Node& node, const std::string& context) {
  std::string manifest = FileContents(node.Manifests() + "/etcd.yaml");
  std::string restored = RestoredDir(manifest);
  EXPECT_NE(restored, "") << manifest << context;
  EXPECT_EQ(node.ManifestNames(), kAllManifests) << context;
  ASSERT_TRUE(node.WaitEtcd(30)) << context;
  EXPECT_EQ(node.Get("a"), "1\n") << context;
  EXPECT_EQ(node.Get("c"), "") << context;
  EXPECT_TRUE(node.ApiServerAnswers()) << context;
  EXPECT_EQ(node.KubeadmDataDir(), restored) << context;
}

TEST_P(NodeRestoreKillTest, KilledAtStepThenRecovered) {
  std::string step = kSteps[std::get<1>(GetParam())];
  std::string snap = dir_.Sub("snap.db");
  auto node = StartNodeWithSnapshot(style_, version_, certs_, snap);
  ASSERT_FALSE(HasFailure());
  std::string original = FileContents(node->Manifests() + "/etcd.yaml");

  CommandResult killed = node->KubectlWithHooks({"restore", snap, "--yes", "--wait-timeout", "60"},
                                                {{"KETCD_TEST_KILL_AT", step}});
  ASSERT_EQ(killed.exit_code, -9) << killed.out << killed.err;
  std::string context = "killed at " + step + "\n" + killed.err;

  // The run is recorded as stopped at that step; a new restore refuses and names both ways out.
  CommandResult list = node->Kubectl({"restore", "--list-runs", "-o", "json"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  auto runs = nlohmann::json::parse(list.out);
  ASSERT_EQ(runs.size(), 1u) << list.out;
  EXPECT_EQ(runs[0]["phase"], "running") << list.out;
  EXPECT_EQ(runs[0]["step"], step) << list.out;
  CommandResult again = node->Kubectl({"restore", snap, "--yes"});
  EXPECT_EQ(again.exit_code, 5) << again.out << again.err;
  EXPECT_NE(again.err.find("--resume"), std::string::npos) << again.err;
  EXPECT_NE(again.err.find("--undo"), std::string::npos) << again.err;

  if (Undo()) {
    CommandResult u = node->Kubectl({"restore", "--undo", "--yes"});
    ASSERT_EQ(u.exit_code, 0) << context << u.out << u.err;
    ExpectOldData(*node, original, context + u.out);
  } else {
    CommandResult r = node->Kubectl({"restore", "--resume", "--yes", "--wait-timeout", "60"});
    ASSERT_EQ(r.exit_code, 0) << context << r.out << r.err;
    ExpectSnapshotData(*node, context + r.out);
  }
  CommandResult after = node->Kubectl({"restore", "--list-runs", "-o", "json"});
  EXPECT_EQ(nlohmann::json::parse(after.out)[0]["phase"], Undo() ? "undone" : "done") << after.out;
}

std::string KillName(const ::testing::TestParamInfo<std::tuple<int, int>>& param_info) {
  auto [style, step] = param_info.param;
  std::string n = std::string("etcd") + kStyles[style].etcd + "_" + kSteps[step] +
                  ((style + step) % 2 == 0 ? "_undo" : "_resume");
  for (char& c : n) {
    if (c == '.' || c == '-') c = '_';
  }
  return n;
}

INSTANTIATE_TEST_SUITE_P(Steps, NodeRestoreKillTest,
                         ::testing::Combine(::testing::Values(kStyle34, kStyle37),
                                            ::testing::Range(0, static_cast<int>(std::size(kSteps)))),
                         KillName);

// An undo killed half-way (after the original manifest is back, before etcd served it)
// is finished by running --undo again.
TEST(NodeRestoreKillUndoTest, UndoKilledThenUndoneAgain) {
  TempDir dir;
  TestCerts certs = MakeCerts(dir.Sub("certs"));
  std::string snap = dir.Sub("snap.db");
  auto node = StartNodeWithSnapshot(kStyles[2], VersionByName("3.6"), certs, snap);
  ASSERT_FALSE(::testing::Test::HasFailure());
  std::string original = FileContents(node->Manifests() + "/etcd.yaml");
  CommandResult r = node->Kubectl({"restore", snap, "--yes"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  CommandResult killed =
      node->KubectlWithHooks({"restore", "--undo", "--yes"}, {{"KETCD_TEST_KILL_AT", "undo:stop-control-plane"}});
  ASSERT_EQ(killed.exit_code, -9) << killed.out << killed.err;
  CommandResult u = node->Kubectl({"restore", "--undo", "--yes"});
  ASSERT_EQ(u.exit_code, 0) << u.out << u.err;
  ExpectOldData(*node, original, u.out);
}

// ---- etcd under systemd (tests/kubelet/systemctl first on PATH runs the real etcd).

const char* const kSystemdSteps[] = {"stop-etcd", "restore-data", "patch-definition", "start-etcd", "wait-etcd"};

class SystemdKillTest : public ::testing::TestWithParam<std::tuple<std::string, int>> {};

TEST_P(SystemdKillTest, KilledAtStepThenRecovered) {
  auto [version, index] = GetParam();
  bool undo = (index + (version == "3.4" ? 0 : 1)) % 2 == 0;
  std::string step = kSystemdSteps[index];
  TempDir dir;
  TestCerts certs = MakeCerts(dir.Sub("certs"));
  SystemdNode node(VersionByName(version), certs, "cp1");
  std::string unit = node.WriteUnit("cp1=" + node.PeerUrl());
  ASSERT_EQ(node.Systemctl({"start", "etcd"}).exit_code, 0) << node.EtcdLog();
  ASSERT_TRUE(node.WaitEtcd(30)) << node.EtcdLog();
  ASSERT_EQ(node.Etcdctl({"put", "a", "1"}).exit_code, 0);
  std::string snap = dir.Sub("snap.db");
  CommandResult b = node.Kubectl({"backup", snap});
  ASSERT_EQ(b.exit_code, 0) << b.err;
  ASSERT_EQ(node.Etcdctl({"put", "c", "3"}).exit_code, 0);

  CommandResult killed =
      node.KubectlWithHooks({"restore", snap, "--yes", "--wait-timeout", "60"}, {{"KETCD_TEST_KILL_AT", step}});
  ASSERT_EQ(killed.exit_code, -9) << killed.out << killed.err;
  CommandResult again = node.Kubectl({"restore", snap, "--yes"});
  EXPECT_EQ(again.exit_code, 5) << again.out << again.err;
  CommandResult r = undo ? node.Kubectl({"restore", "--undo", "--yes"})
                         : node.Kubectl({"restore", "--resume", "--yes", "--wait-timeout", "60"});
  ASSERT_EQ(r.exit_code, 0) << "killed at " << step << "\n" << killed.err << r.out << r.err;
  ASSERT_TRUE(node.WaitEtcd(30)) << node.EtcdLog();
  std::string now = FileContents(node.UnitPath());
  if (undo) {
    EXPECT_EQ(now, unit);
    EXPECT_EQ(node.Get("c"), "3\n");
  } else {
    EXPECT_NE(now.find("--data-dir=/var/lib/etcd-restored-"), std::string::npos) << now;
    EXPECT_EQ(node.Get("c"), "");
  }
  EXPECT_EQ(node.Get("a"), "1\n");
}

std::string SystemdKillName(const ::testing::TestParamInfo<std::tuple<std::string, int>>& param_info) {
  auto [version, index] = param_info.param;
  bool undo = (index + (version == "3.4" ? 0 : 1)) % 2 == 0;
  std::string n = "etcd" + version + "_" + kSystemdSteps[index] + (undo ? "_undo" : "_resume");
  for (char& c : n) {
    if (c == '.' || c == '-') c = '_';
  }
  return n;
}

INSTANTIATE_TEST_SUITE_P(Steps, SystemdKillTest,
                         ::testing::Combine(::testing::Values("3.4", "3.7"),
                                            ::testing::Range(0, static_cast<int>(std::size(kSystemdSteps)))),
                         SystemdKillName);

}  // namespace
}  // namespace ketcd::e2e
