#include "pkg/catalog/metadata.h"

#include <gtest/gtest.h>

namespace ketcd::catalog {
namespace {

// As backup::MetadataJson writes it for a zstd-compressed snapshot.
constexpr char kWritten[] = R"({
  "file": "etcd-snapshot-m1-20260315T120500Z.db.zst",
  "size": 2121760,
  "sha256": "0f6b5d1c8e7a2a3f4b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a",
  "compression": "zstd",
  "encryption": "none",
  "fileSize": 41237,
  "dbSha256": "aa",
  "etcdVersion": "3.5.21",
  "clusterID": "cdf818194e3a8c32",
  "memberID": "8e9e05c52164694d",
  "memberName": "m1",
  "endpoint": "https://127.0.0.1:2379",
  "nodeName": "cp-1",
  "createdAt": "2026-03-15T12:05:00Z",
  "tool": "kubectl-etcd",
  "toolVersion": "0.1.0"
})";

TEST(MetadataTest, ReadsWhatBackupWrites) {
  auto m = ParseMetadata(kWritten);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->file, "etcd-snapshot-m1-20260315T120500Z.db.zst");
  EXPECT_EQ(m->size, 2121760u);
  EXPECT_EQ(m->file_size, 41237u);
  EXPECT_EQ(m->ExpectedFileSize(), 41237u);
  EXPECT_EQ(m->compression, "zstd");
  EXPECT_EQ(m->encryption, "none");
  EXPECT_FALSE(m->revision.has_value());
  EXPECT_EQ(m->etcd_version, "3.5.21");
  EXPECT_EQ(m->cluster_id, "cdf818194e3a8c32");
  EXPECT_EQ(m->member_name, "m1");
  EXPECT_EQ(m->node_name, "cp-1");
  EXPECT_EQ(m->created_at, 1773576300);
}

TEST(MetadataTest, PlainSnapshotHasRevisionAndNoFileSize) {
  auto m = ParseMetadata(R"({"size": 20480, "revision": 42, "sha256": ")" + std::string(64, 'a') + R"("})");
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->revision, 42);
  EXPECT_EQ(m->ExpectedFileSize(), 20480u);
  EXPECT_FALSE(m->created_at.has_value());
}

TEST(MetadataTest, UnknownFieldsAndNullsAreIgnored) {
  auto m = ParseMetadata(R"({"future": [1, {"x": 2}], "revision": null, "memberName": null})");
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_FALSE(m->revision.has_value());
  EXPECT_EQ(m->member_name, "");
}

TEST(MetadataTest, RejectsWrongTypesAndForms) {
  for (const char* bad : {
           "",
           "[]",
           "\"x\"",
           "{",
           "{\"size\": -1}",
           "{\"size\": 1.5}",
           "{\"size\": \"12\"}",
           "{\"revision\": 18446744073709551615}",
           "{\"sha256\": \"abc\"}",
           "{\"sha256\": 12}",
           "{\"createdAt\": \"yesterday\"}",
           "{\"createdAt\": \"2026-13-01T00:00:00Z\"}",
           "{\"clusterID\": 5}",
           "{\"a\": 1} trailing",
       }) {
    EXPECT_TRUE(absl::IsInvalidArgument(ParseMetadata(bad).status())) << bad;
  }
  EXPECT_FALSE(ParseMetadata(R"({"sha256": ")" + std::string(64, 'A') + R"("})").ok());  // sha256sum prints lower case
}

TEST(MetadataTest, RejectsTooLargeAndDeepInput) {
  std::string big = "{\"pad\": \"" + std::string(kMaxMetadataBytes, 'x') + "\"}";
  EXPECT_FALSE(ParseMetadata(big).ok());
  std::string deep = std::string(20000, '[') + std::string(20000, ']');
  EXPECT_FALSE(ParseMetadata(deep).ok());  // not an object; and no stack overflow on the way
}

TEST(MetadataTest, TimeZoneOffsetsAreUnderstood) {
  auto m = ParseMetadata(R"({"createdAt": "2026-03-15T13:05:00+01:00"})");
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->created_at, 1773576300);
}

}  // namespace
}  // namespace ketcd::catalog
