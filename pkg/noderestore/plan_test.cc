#include <gtest/gtest.h>

#include "pkg/noderestore/kubeadm_config.h"
#include "pkg/noderestore/plan.h"
#include "pkg/noderestore/preflight.h"
#include "pkg/noderestore/state.h"

namespace ketcd::noderestore {
namespace {

TEST(PlanTest, NewDataDirSitsBesideTheOld) {
  EXPECT_EQ(NewDataDirBeside("/var/lib/etcd", "T1"), "/var/lib/etcd-restored-T1");
  EXPECT_EQ(NewDataDirBeside("/var/lib/etcd/", "T1"), "/var/lib/etcd-restored-T1");
  EXPECT_EQ(NewDataDirBeside("/var/lib/etcd-restored-T1", "T2"), "/var/lib/etcd-restored-T2");
  EXPECT_EQ(UtcTimestamp().size(), 16u);
}

TEST(PlanTest, SnapshotChecks) {
  std::string good = std::string(KETCD_BBOLT_TESTDATA) + "/etcd-3.6.db";
  auto info = CheckSnapshot(good, true);
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_GT(info->revision, 0);
  EXPECT_EQ(info->sha256.size(), 64u);
  EXPECT_EQ(CheckSnapshot("/nonexistent.db", false).status().code(), absl::StatusCode::kNotFound);
}

TEST(PlanTest, FreeSpaceOverrideAndNeed) {
  ::setenv("KETCD_TEST_FREE_BYTES", "1234", 1);
  bool overridden = false;
  auto free = FreeBytes("/", &overridden);
  ::unsetenv("KETCD_TEST_FREE_BYTES");
  ASSERT_TRUE(free.ok());
  EXPECT_EQ(*free, 1234u);
  EXPECT_TRUE(overridden);
  EXPECT_GT(NeededBytes(1 << 20), 64'000'000u + (1u << 20));
}

TEST(PlanTest, StateRoundTrip) {
  State s;
  s.kind = "kubeadm";
  s.phase = "done";
  s.definition_file = "/etc/kubernetes/manifests/etcd.yaml";
  s.definition_backup = "/b/etcd.yaml";
  s.moved = {"kube-apiserver.yaml"};
  s.old_data_dir = "/var/lib/etcd";
  auto back = StateFromJson(StateToJson(s));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->moved, s.moved);
  EXPECT_EQ(back->old_data_dir, s.old_data_dir);
  EXPECT_FALSE(StateFromJson("[]").ok());
}

TEST(PlanTest, KubeadmClusterConfigurationDataDir) {
  std::string cc =
      "apiServer: {}\napiVersion: kubeadm.k8s.io/v1beta4\netcd:\n  local:\n    dataDir: /var/lib/etcd\n"
      "    extraArgs: []\nkind: ClusterConfiguration\n";
  auto out = PatchClusterConfiguration(cc, "/var/lib/etcd-restored-T");
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out,
            "apiServer: {}\napiVersion: kubeadm.k8s.io/v1beta4\netcd:\n  local:\n    dataDir: /var/lib/etcd-restored-T\n"
            "    extraArgs: []\nkind: ClusterConfiguration\n");
  EXPECT_EQ(PatchClusterConfiguration("etcd:\n  external: {}\n", "/x").status().code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace ketcd::noderestore
