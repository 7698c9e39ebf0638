#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "pkg/noderestore/kubeadm_config.h"
#include "pkg/noderestore/plan.h"
#include "pkg/noderestore/preflight.h"
#include "pkg/noderestore/journal.h"

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
  // Read offline (etcd stopped): the same revision as the full status.
  auto rev = LatestRevision(good);
  ASSERT_TRUE(rev.ok()) << rev.status();
  EXPECT_EQ(*rev, info->revision);
  EXPECT_FALSE(LatestRevision("/nonexistent.db").ok());
}

TEST(PlanTest, FreeSpaceOverrideAndNeed) {
  OverrideFreeBytes(1234);
  bool overridden = false;
  auto free = FreeBytes("/", &overridden);
  OverrideFreeBytes(std::nullopt);
  ASSERT_TRUE(free.ok());
  EXPECT_EQ(*free, 1234u);
  EXPECT_TRUE(overridden);
  EXPECT_GT(NeededBytes(1 << 20), 64'000'000u + (1u << 20));
}

TEST(PlanTest, JournalRoundTripAndTypeChecks) {
  Journal j;
  j.run_id = "20260102T030405Z";
  j.layout = Layout::kSystemd;
  j.phase = Phase::kRollingBack;
  j.undo_next = 4;
  j.backup_dir = "/b/20260102T030405Z";
  j.definition_file = "/etc/systemd/system/etcd.service";
  j.definition_original = "/b/20260102T030405Z/etcd.service";
  j.control_plane = {"kube-apiserver.yaml"};
  j.old_data_dir = "/var/lib/etcd";
  j.old_etcd = {0xabcdefULL, 0x1234ULL, 42};
  j.new_cluster_id = 0xffffffffffffffffULL;
  auto back = JournalFromJson(JournalToJson(j));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->layout, Layout::kSystemd);
  EXPECT_EQ(back->phase, Phase::kRollingBack);
  EXPECT_EQ(back->undo_next, 4);
  EXPECT_EQ(back->control_plane, j.control_plane);
  EXPECT_EQ(back->old_etcd.cluster_id, j.old_etcd.cluster_id);
  EXPECT_EQ(back->old_etcd.member_id, j.old_etcd.member_id);
  EXPECT_EQ(back->old_etcd.revision, 42);
  EXPECT_EQ(back->new_cluster_id, j.new_cluster_id);
  EXPECT_EQ(JournalFromJson("[]").status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(JournalFromJson("{not json").status().code(), absl::StatusCode::kDataLoss);
  // Every field's type is checked: nothing throws, the file is refused.
  for (const char* field : {"phase", "controlPlane", "apiServerPort", "oldClusterID", "quorumAfter", "members"}) {
    nlohmann::json o = nlohmann::json::parse(JournalToJson(j));
    o[field] = nlohmann::json::object({{"x", 1}});
    EXPECT_EQ(JournalFromJson(o.dump()).status().code(), absl::StatusCode::kDataLoss) << field;
  }
  nlohmann::json o = nlohmann::json::parse(JournalToJson(j));
  o["phase"] = "half-done";
  EXPECT_EQ(JournalFromJson(o.dump()).status().code(), absl::StatusCode::kDataLoss);
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
