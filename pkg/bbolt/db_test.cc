#include "pkg/bbolt/db.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <random>

#include "pkg/bbolt/check.h"
#include "pkg/bbolt/test_util.h"
#include "pkg/bbolt/trailer.h"

namespace ketcd::bbolt {
namespace {

using testing::FixMetaChecksum;
using testing::FixturePath;
using testing::OpenBytes;
using testing::ReadAll;
using testing::ReadBytes;

class FixtureTest : public ::testing::TestWithParam<std::string> {};

TEST_P(FixtureTest, OpensChecksAndIterates) {
  auto db = Db::Open(FixturePath("etcd-" + GetParam() + ".db"));
  ASSERT_TRUE(db.ok()) << db.status();
  EXPECT_EQ((*db)->page_size(), 4096u);
  EXPECT_EQ((*db)->file_size(), (*db)->db_size() + 32);
  CheckReport report = Check(**db);
  EXPECT_TRUE(report.ok()) << (report.problems.empty() ? "" : report.problems[0]);
  EXPECT_FALSE(report.freelist_persisted);
  auto all = ReadAll(**db);
  ASSERT_TRUE(all.ok()) << all.status();
  for (const char* b : {"alarm", "auth", "authRoles", "authUsers", "cluster", "key", "lease", "members",
                        "members_removed", "meta"}) {
    EXPECT_EQ(all->count(b), 1u) << b;
  }
  auto meta = (*db)->FindBucket((*db)->root(), "meta");
  ASSERT_TRUE(meta.ok() && meta->has_value());
  auto ci = (*db)->Find(**meta, "consistent_index");
  ASSERT_TRUE(ci.ok() && ci->has_value());
  EXPECT_EQ((*ci)->value.size(), 8u);
  auto missing = (*db)->Find(**meta, "no-such-key");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
  EXPECT_EQ(CheckSha256Trailer((*db)->data()).state, TrailerState::kMatch);
}

INSTANTIATE_TEST_SUITE_P(AllVersions, FixtureTest, ::testing::Values("3.4", "3.5", "3.6", "3.7"));

TEST(DbTest, MissingFileIsNotFound) {
  EXPECT_EQ(Db::Open("/nonexistent/db").status().code(), absl::StatusCode::kNotFound);
}

TEST(DbTest, ZeroLengthFileIsDataLoss) {
  std::string path = testing::TempPath("empty.db");
  testing::WriteBytes(path, "");
  EXPECT_EQ(Db::Open(path).status().code(), absl::StatusCode::kDataLoss);
  ::unlink(path.c_str());
  EXPECT_EQ(OpenBytes("").status().code(), absl::StatusCode::kDataLoss);
}

TEST(DbTest, TruncatedFileIsDataLoss) {
  std::string bytes = ReadBytes(FixturePath("etcd-3.5.db"));
  for (size_t n : {size_t{10}, size_t{100}, size_t{4096}, size_t{8192}, bytes.size() / 2, bytes.size() - 4096}) {
    auto db = OpenBytes(bytes.substr(0, n));
    EXPECT_EQ(db.status().code(), absl::StatusCode::kDataLoss) << n;
  }
}

TEST(DbTest, RandomBytesAreDataLoss) {
  std::mt19937 rng(42);
  for (size_t n : {size_t{1}, size_t{80}, size_t{4096}, size_t{65536}}) {
    std::string bytes(n, '\0');
    for (auto& c : bytes) c = static_cast<char>(rng());
    EXPECT_EQ(OpenBytes(bytes).status().code(), absl::StatusCode::kDataLoss) << n;
  }
}

TEST(DbTest, OneBadMetaFallsBackToTheOther) {
  std::string bytes = ReadBytes(FixturePath("etcd-3.4.db"));
  bytes[4096 + 70] ^= 0x40;  // meta 1 checksum area
  bytes[20] ^= 0x01;         // meta 0 version
  auto db = OpenBytes(bytes);
  EXPECT_EQ(db.status().code(), absl::StatusCode::kDataLoss);
  bytes[20] ^= 0x01;
  db = OpenBytes(bytes);
  ASSERT_TRUE(db.ok()) << db.status();
  EXPECT_EQ((*db)->meta_index(), 0);
  ASSERT_EQ((*db)->meta_warnings().size(), 1u);
  EXPECT_NE((*db)->meta_warnings()[0].find("meta page 1"), std::string::npos);
}

TEST(DbTest, RootPastHighWaterMarkIsDataLoss) {
  std::string bytes = ReadBytes(FixturePath("etcd-3.6.db"));
  for (int which : {0, 1}) {
    StoreLE64(bytes.data() + which * 4096 + 32, 1u << 30);  // root
    FixMetaChecksum(bytes, which);
  }
  auto db = OpenBytes(bytes);
  EXPECT_EQ(db.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(db.status().message().find("root page"), std::string::npos);
}

TEST(DbTest, HighWaterMarkPastEndIsDataLoss) {
  std::string bytes = ReadBytes(FixturePath("etcd-3.6.db"));
  for (int which : {0, 1}) {
    StoreLE64(bytes.data() + which * 4096 + 56, 1000);  // pgid
    FixMetaChecksum(bytes, which);
  }
  auto db = OpenBytes(bytes);
  EXPECT_EQ(db.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(db.status().message().find("truncated"), std::string::npos);
}

TEST(DbTest, FlippedTrailerByteIsMismatch) {
  std::string bytes = ReadBytes(FixturePath("etcd-3.7.db"));
  bytes[bytes.size() - 1] ^= 1;
  auto db = OpenBytes(bytes);
  ASSERT_TRUE(db.ok());
  EXPECT_EQ(CheckSha256Trailer((*db)->data()).state, TrailerState::kMismatch);
  EXPECT_EQ(CheckSha256Trailer((*db)->data().subspan(0, (*db)->db_size())).state, TrailerState::kAbsent);
}

TEST(DbTest, CorruptLeafElementIsDataLossNamingThePage) {
  std::string bytes = ReadBytes(FixturePath("etcd-3.4.db"));
  auto db = OpenBytes(bytes);
  ASSERT_TRUE(db.ok());
  auto key = (*db)->FindBucket((*db)->root(), "key");
  ASSERT_TRUE(key.ok() && key->has_value());
  ASSERT_FALSE((*key)->is_inline());
  uint64_t leaf = (*key)->root;
  StoreLE32(bytes.data() + leaf * 4096 + 16 + 4, 0x7FFFFFF0);  // pos of element 0
  db = OpenBytes(bytes);
  ASSERT_TRUE(db.ok());
  auto all = ReadAll(**db);
  EXPECT_EQ(all.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(all.status().message().find("page " + std::to_string(leaf)), std::string::npos) << all.status();
  EXPECT_FALSE(Check(**db).ok());
}

}  // namespace
}  // namespace ketcd::bbolt
