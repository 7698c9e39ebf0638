#include "pkg/noderestore/manifest_patch.h"

#include <gtest/gtest.h>

#include "pkg/fsutil/file.h"
namespace ketcd::noderestore {
namespace {

std::string Fixture(const std::string& name) {
  auto bytes = fsutil::ReadFile(std::string(KETCD_NODERESTORE_TESTDATA) + "/" + name);
  EXPECT_TRUE(bytes.ok()) << bytes.status();
  return bytes.ok() ? *bytes : "";
}

class KubeadmManifestTest : public ::testing::TestWithParam<std::string> {};

TEST_P(KubeadmManifestTest, OnlyTheDataHostPathChanges) {
  std::string text = Fixture(GetParam());
  ASSERT_FALSE(text.empty());
  auto dv = FindDataVolume(text, GetParam());
  ASSERT_TRUE(dv.ok()) << dv.status();
  EXPECT_EQ(dv->container_dir, "/var/lib/etcd");
  EXPECT_EQ(dv->volume_name, "etcd-data");
  EXPECT_EQ(dv->host_path, "/var/lib/etcd");
  auto out = PatchHostPath(text, dv->volume_name, "/var/lib/etcd-restored-20260101T000000Z");
  ASSERT_TRUE(out.ok()) << out.status();
  std::vector<std::string> diff = LineDiff(text, *out);
  ASSERT_EQ(diff.size(), 2u);
  EXPECT_EQ(diff[0], "-      path: /var/lib/etcd");
  EXPECT_EQ(diff[1], "+      path: /var/lib/etcd-restored-20260101T000000Z");
  EXPECT_EQ(out->size(), text.size() + std::string("-restored-20260101T000000Z").size());
  // --data-dir and the mount are untouched.
  EXPECT_NE(out->find("--data-dir=/var/lib/etcd\n"), std::string::npos);
  EXPECT_NE(out->find("- mountPath: /var/lib/etcd\n"), std::string::npos);
  // Patching back gives the original bytes.
  auto back = PatchHostPath(*out, "etcd-data", "/var/lib/etcd");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, text);
}

INSTANTIATE_TEST_SUITE_P(Kubeadm, KubeadmManifestTest,
                         ::testing::Values("kubeadm-1.30.yaml", "kubeadm-1.33.yaml", "kubeadm-1.35.yaml"),
                         [](const auto& param_info) {
                           const std::string& file = param_info.param;
                           std::string n = file.substr(0, file.size() - 5);
                           for (char& c : n) {
                             if (c == '.' || c == '-') c = '_';
                           }
                           return n;
                         });

TEST(ManifestPatchTest, HandEditedFlowStyleAndSeparateFlagValue) {
  std::string text = Fixture("hand-edited.yaml");
  auto dv = FindDataVolume(text, "hand-edited.yaml");
  ASSERT_TRUE(dv.ok()) << dv.status();
  EXPECT_EQ(dv->volume_name, "data");
  auto out = PatchHostPath(text, dv->volume_name, "/srv/new dir");
  ASSERT_TRUE(out.ok()) << out.status();
  std::vector<std::string> diff = LineDiff(text, *out);
  ASSERT_EQ(diff.size(), 2u) << text;
  EXPECT_NE(diff[1].find("\"/srv/new dir\""), std::string::npos) << diff[1];
}

TEST(ManifestPatchTest, QuotedValuesStayQuotedAndCommentsStay) {
  std::string text =
      "kind: Pod  # a comment\nspec:\n  containers:\n  - name: etcd\n    command: [etcd, \"--data-dir=/d\"]\n"
      "    volumeMounts:\n    - {mountPath: /d, name: v}\n  volumes:\n  - name: v\n    hostPath:\n"
      "      path: '/old'   # where the data is\n";
  auto dv = FindDataVolume(text, "t");
  ASSERT_TRUE(dv.ok()) << dv.status();
  EXPECT_EQ(dv->host_path, "/old");
  auto out = PatchHostPath(text, "v", "/new");
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_NE(out->find("      path: /new   # where the data is\n"), std::string::npos) << *out;
  EXPECT_NE(out->find("kind: Pod  # a comment\n"), std::string::npos);
}

TEST(ManifestPatchTest, MalformedIsRefused) {
  auto dv = FindDataVolume(Fixture("bad-yaml.yaml"), "bad-yaml.yaml");
  EXPECT_EQ(dv.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FindDataVolume("kind: Deployment\n", "x").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ManifestPatchTest, DataDirWithoutVolumeIsRefused) {
  std::string text = "kind: Pod\nspec:\n  containers:\n  - name: etcd\n    command: [etcd, --data-dir=/d]\n";
  auto dv = FindDataVolume(text, "x");
  EXPECT_EQ(dv.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(dv.status().message().find("no volume is mounted"), std::string::npos);
}

TEST(ManifestPatchTest, ReplaceScalarChecksTheResult) {
  auto out = ReplaceScalar("a:\n  b: x\n  c: [1, 2]\n", {"a", "b"}, "y: z");
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, "a:\n  b: \"y: z\"\n  c: [1, 2]\n");
  EXPECT_FALSE(ReplaceScalar("a: |\n  text\n", {"a"}, "x").ok());
  EXPECT_FALSE(ReplaceScalar("a: 1\n", {"b"}, "x").ok());
}

TEST(ManifestPatchTest, WalVolumeFoundBesideTheDataVolume) {
  std::string m =
      "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - command:\n    - etcd\n    - --data-dir=/var/lib/etcd\n"
      "    - --wal-dir=/var/lib/etcd-wal\n    name: etcd\n    volumeMounts:\n    - mountPath: /var/lib/etcd\n"
      "      name: etcd-data\n    - mountPath: /var/lib/etcd-wal\n      name: etcd-wal\n  volumes:\n"
      "  - hostPath:\n      path: /data/etcd\n    name: etcd-data\n  - hostPath:\n      path: /fast/wal\n    name: etcd-wal\n";
  auto wal = FindWalVolume(m, "etcd.yaml");
  ASSERT_TRUE(wal.ok()) << wal.status();
  EXPECT_EQ(wal->container_dir, "/var/lib/etcd-wal");
  EXPECT_EQ(wal->volume_name, "etcd-wal");
  EXPECT_EQ(wal->host_path, "/fast/wal");
  auto data = FindDataVolume(m, "etcd.yaml");
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_EQ(data->host_path, "/data/etcd");
  std::string no_wal = m;
  no_wal.erase(no_wal.find("    - --wal-dir=/var/lib/etcd-wal\n"), std::string("    - --wal-dir=/var/lib/etcd-wal\n").size());
  EXPECT_EQ(FindWalVolume(no_wal, "etcd.yaml").status().code(), absl::StatusCode::kNotFound);
  std::string unmounted = m;
  unmounted.replace(unmounted.find("mountPath: /var/lib/etcd-wal"), 28, "mountPath: /elsewhere");
  EXPECT_EQ(FindWalVolume(unmounted, "etcd.yaml").status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ketcd::noderestore
