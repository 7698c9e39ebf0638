#include "pkg/bbolt/writer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "pkg/bbolt/check.h"
#include "pkg/bbolt/copy.h"
#include "pkg/bbolt/test_util.h"

namespace ketcd::bbolt {
namespace {

using testing::BuildDb;
using testing::Buckets;
using testing::OpenBytes;
using testing::ReadAll;

void ExpectRoundTrip(const Buckets& in, uint32_t page_size = 4096) {
  std::string bytes = BuildDb(in, page_size);
  auto db = OpenBytes(bytes);
  ASSERT_TRUE(db.ok()) << db.status();
  EXPECT_EQ(bytes.size(), (*db)->db_size());
  CheckReport r = Check(**db);
  EXPECT_TRUE(r.ok()) << (r.problems.empty() ? "" : r.problems[0]);
  auto out = ReadAll(**db);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, in);
}

TEST(WriterTest, EmptyDatabase) { ExpectRoundTrip({}); }

TEST(WriterTest, EmptyAndSmallBucketsAreInline) {
  Buckets in = {{"a", {}}, {"b", {{"k", "v"}}}};
  ExpectRoundTrip(in);
  std::string bytes = BuildDb(in);
  EXPECT_EQ(bytes.size(), 3u * 4096);  // two metas and the root leaf
}

TEST(WriterTest, InlineThresholdIsQuarterPage) {
  // 16 + (16 + 1 + 991) = 1024 stays inline; one more byte does not.
  ExpectRoundTrip({{"x", {{"k", std::string(991, 'v')}}}});
  EXPECT_EQ(BuildDb({{"x", {{"k", std::string(991, 'v')}}}}).size(), 3u * 4096);
  EXPECT_EQ(BuildDb({{"x", {{"k", std::string(992, 'v')}}}}).size(), 4u * 4096);
}

TEST(WriterTest, ValuesLargerThanAPage) {
  ExpectRoundTrip({{"big", {{"a", std::string(10000, 'x')}, {"b", "small"}, {"c", std::string(70000, 'y')}}}});
}

TEST(WriterTest, ManyKeysBuildBranchLevels) {
  ExpectRoundTrip(testing::ManyKeys(50000, 20));
  ExpectRoundTrip(testing::ManyKeys(2000, 100), 1024);
}

TEST(WriterTest, RejectsOutOfOrderInput) {
  std::string path = testing::TempPath("order.db");
  auto w = BulkWriter::Create(path);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->BeginBucket("b").ok());
  ASSERT_TRUE((*w)->Put("k2", "v").ok());
  EXPECT_EQ((*w)->Put("k1", "v").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE((*w)->EndBucket().ok());  // unusable after an error
  ::unlink(path.c_str());
  auto w2 = BulkWriter::Create(testing::TempPath("order2.db"));
  ASSERT_TRUE((*w2)->BeginBucket("b").ok());
  ASSERT_TRUE((*w2)->EndBucket().ok());
  EXPECT_EQ((*w2)->BeginBucket("a").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ((*w2)->Put("", "v").code(), absl::StatusCode::kInvalidArgument);
}

TEST(WriterTest, CreateRefusesExistingFile) {
  std::string path = testing::TempPath("exists.db");
  testing::WriteBytes(path, "x");
  EXPECT_EQ(BulkWriter::Create(path).status().code(), absl::StatusCode::kAlreadyExists);
  ::unlink(path.c_str());
}

TEST(CopyTest, CopiesAFixtureWithEdits) {
  auto src = Db::Open(testing::FixturePath("etcd-3.5.db"));
  ASSERT_TRUE(src.ok());
  auto before = ReadAll(**src);
  ASSERT_TRUE(before.ok());
  CopyEdits edits;
  edits["members"].replace = true;
  edits["members"].set["8e9e05c52164694d"] = "{\"id\":1}";
  edits["members_removed"].replace = true;
  edits["meta"].set["consistent_index"] = std::string("\0\0\0\0\0\0\0\x03", 8);
  edits["meta"].erase.insert("confState");
  edits["zz_new"].set["k"] = "v";
  std::string path = testing::TempPath("copy.db");
  auto w = BulkWriter::Create(path);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE(CopyDb(**src, edits, **w).ok());
  ASSERT_TRUE((*w)->Finish().ok());
  auto dst = Db::Open(path);
  ASSERT_TRUE(dst.ok()) << dst.status();
  EXPECT_TRUE(Check(**dst).ok());
  auto after = ReadAll(**dst);
  ASSERT_TRUE(after.ok());
  Buckets want = *before;
  want["members"] = {{"8e9e05c52164694d", "{\"id\":1}"}};
  want["members_removed"] = {};
  auto& meta = want["meta"];
  for (auto it = meta.begin(); it != meta.end();) {
    if (it->first == "confState") {
      it = meta.erase(it);
    } else {
      if (it->first == "consistent_index") it->second = std::string("\0\0\0\0\0\0\0\x03", 8);
      ++it;
    }
  }
  want["zz_new"] = {{"k", "v"}};
  EXPECT_EQ(*after, want);
  ::unlink(path.c_str());
}

}  // namespace
}  // namespace ketcd::bbolt
