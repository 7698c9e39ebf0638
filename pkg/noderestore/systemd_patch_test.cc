#include "pkg/noderestore/systemd_patch.h"

#include <gtest/gtest.h>

#include "pkg/fsutil/file.h"
#include "pkg/noderestore/manifest_patch.h"

namespace ketcd::noderestore {
namespace {

std::string Fixture(const std::string& name) {
  auto bytes = fsutil::ReadFile(std::string(KETCD_NODERESTORE_TESTDATA) + "/" + name);
  EXPECT_TRUE(bytes.ok()) << bytes.status();
  return bytes.ok() ? *bytes : "";
}

void ExpectOneLineChanged(const std::string& before, const std::string& after, const std::string& new_line) {
  std::vector<std::string> diff = LineDiff(before, after);
  ASSERT_EQ(diff.size(), 2u) << after;
  EXPECT_EQ(diff[1], "+" + new_line);
}

TEST(SystemdPatchTest, ExecStartFlagWithEquals) {
  std::string text = Fixture("kthw.service");
  auto out = PatchDataDirSetting(text, "--data-dir", "/var/lib/etcd-restored-1");
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectOneLineChanged(text, *out, "  --data-dir=/var/lib/etcd-restored-1");
}

TEST(SystemdPatchTest, ExecStartFlagWithSpaceAndContinuation) {
  std::string text = "[Service]\nExecStart=/usr/bin/etcd --name a \\\n  --data-dir /var/lib/etcd \\\n  --data-dir-x=1\n";
  auto out = PatchDataDirSetting(text, "--data-dir", "/new");
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, "[Service]\nExecStart=/usr/bin/etcd --name a \\\n  --data-dir /new \\\n  --data-dir-x=1\n");
}

TEST(SystemdPatchTest, QuotedEnvironmentInDropIn) {
  std::string text = Fixture("deb-dropin.conf");
  auto out = PatchDataDirSetting(text, "ETCD_DATA_DIR", "/srv/etcd/data-restored-1");
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectOneLineChanged(text, *out, "Environment=\"ETCD_DATA_DIR=/srv/etcd/data-restored-1\"");
}

TEST(SystemdPatchTest, EnvironmentFileLine) {
  std::string text = "# ETCD_DATA_DIR_OLD=/x\nETCD_NAME=a\nETCD_DATA_DIR=\"/var/lib/etcd/default\"\n";
  auto out = PatchDataDirSetting(text, "ETCD_DATA_DIR", "/var/lib/etcd/default-restored-1");
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, "# ETCD_DATA_DIR_OLD=/x\nETCD_NAME=a\nETCD_DATA_DIR=\"/var/lib/etcd/default-restored-1\"\n");
}

TEST(SystemdPatchTest, ConfigFileKey) {
  std::string text = Fixture("etcd.conf.yml");
  auto out = PatchDataDirSetting(text, "data-dir", "/var/lib/etcd/infra1.etcd-restored-1");
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectOneLineChanged(text, *out, "data-dir: /var/lib/etcd/infra1.etcd-restored-1");
}

TEST(SystemdPatchTest, VariablesAndMissingSettingsAreRefused) {
  EXPECT_EQ(PatchDataDirSetting("ExecStart=/bin/etcd --data-dir=${DIR}\n", "--data-dir", "/n").status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(PatchDataDirSetting("ExecStart=/bin/etcd\n", "--data-dir", "/n").status().code(),
            absl::StatusCode::kNotFound);
}

TEST(SystemdPatchTest, WalDirSettingsPatchedLikeTheDataDir) {
  std::string unit = "[Service]\nExecStart=/usr/bin/etcd --data-dir=/var/lib/etcd --wal-dir /var/lib/etcd-wal\n";
  auto out = PatchDataDirSetting(unit, "--wal-dir", "/var/lib/etcd-wal-restored-x");
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, "[Service]\nExecStart=/usr/bin/etcd --data-dir=/var/lib/etcd --wal-dir /var/lib/etcd-wal-restored-x\n");
  auto env = PatchDataDirSetting("ETCD_WAL_DIR=/w\nETCD_DATA_DIR=/d\n", "ETCD_WAL_DIR", "/w2");
  ASSERT_TRUE(env.ok()) << env.status();
  EXPECT_EQ(*env, "ETCD_WAL_DIR=/w2\nETCD_DATA_DIR=/d\n");
  auto yaml = PatchDataDirSetting("data-dir: /d\nwal-dir: /w\n", "wal-dir", "/w2");
  ASSERT_TRUE(yaml.ok()) << yaml.status();
  EXPECT_EQ(*yaml, "data-dir: /d\nwal-dir: /w2\n");
}

}  // namespace
}  // namespace ketcd::noderestore
