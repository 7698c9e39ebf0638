#include "pkg/bbolt/patch.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "pkg/bbolt/check.h"
#include "pkg/bbolt/test_util.h"

namespace ketcd::bbolt {
namespace {

using testing::BuildDb;
using testing::Buckets;
using testing::OpenBytes;
using testing::ReadAll;

using KVs = std::vector<std::pair<std::string, std::string>>;

// The patched image, assembled in memory.
std::string Apply(const std::string& bytes, const Patch& p) {
  const uint64_t ps = p.meta.page_size;
  std::string out = bytes.substr(0, p.first_new * ps);
  out.resize(p.file_size(), '\0');
  std::memcpy(out.data() + p.first_new * ps, p.pages.data(), p.pages.size());
  std::memcpy(out.data(), p.meta_pages.data(), p.meta_pages.size());
  return out;
}

// Patches `in` with `changes`, checks the result and returns its content.
Buckets PatchAndRead(const Buckets& in, const std::vector<BucketChange>& changes, uint32_t page_size = 4096) {
  std::string bytes = BuildDb(in, page_size);
  auto db = OpenBytes(bytes);
  EXPECT_TRUE(db.ok()) << db.status();
  auto p = PlanPatch(**db, changes);
  EXPECT_TRUE(p.ok()) << p.status();
  if (!p.ok()) return {};
  EXPECT_EQ(p->meta.txid, (*db)->meta().txid + 1);
  std::string out = Apply(bytes, *p);
  auto patched = OpenBytes(out);
  EXPECT_TRUE(patched.ok()) << patched.status();
  EXPECT_EQ((*patched)->meta().txid, p->meta.txid);
  EXPECT_TRUE((*patched)->meta_warnings().empty());
  CheckReport r = Check(**patched);
  EXPECT_TRUE(r.ok()) << (r.problems.empty() ? "" : r.problems[0]);
  auto all = ReadAll(**patched);
  EXPECT_TRUE(all.ok()) << all.status();
  return all.ok() ? *all : Buckets{};
}

std::string Key(int i) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "key%08d", i);
  return buf;
}

TEST(PatchTest, ReplaceCreateAndAppend) {
  Buckets in = testing::ManyKeys(5000, 100);
  in["members"] = {{"a", "1"}, {"b", "2"}};
  in["meta"] = {{"consistent_index", "x"}, {"term", "y"}};
  KVs added = {{Key(5000), ""}, {Key(5001), "v"}};
  std::vector<BucketChange> changes = {
      {"b", BucketChange::kAppend, added},
      {"members", BucketChange::kReplace, {{"c", "3"}}},
      {"meta", BucketChange::kReplace, {{"consistent_index", "1"}, {"term", "2"}, {"z", "3"}}},
      {"cluster", BucketChange::kReplace, {}},
  };
  Buckets want = in;
  want["b"].insert(want["b"].end(), added.begin(), added.end());
  want["members"] = {{"c", "3"}};
  want["meta"] = {{"consistent_index", "1"}, {"term", "2"}, {"z", "3"}};
  want["cluster"] = {};
  EXPECT_EQ(PatchAndRead(in, changes), want);
}

TEST(PatchTest, AppendSplitsAFullLeaf) {
  Buckets in = testing::ManyKeys(2000, 300);
  KVs added = {{Key(2000), std::string(3000, 'x')}};
  Buckets want = in;
  want["b"].push_back(added[0]);
  EXPECT_EQ(PatchAndRead(in, {{"b", BucketChange::kAppend, added}}), want);
}

TEST(PatchTest, AppendManySplitsBranches) {
  Buckets in = testing::ManyKeys(3000, 20);
  KVs added;
  for (int i = 3000; i < 6000; i++) added.push_back({Key(i), "v"});
  Buckets want = in;
  want["b"].insert(want["b"].end(), added.begin(), added.end());
  EXPECT_EQ(PatchAndRead(in, {{"b", BucketChange::kAppend, added}}, 512), want);
}

TEST(PatchTest, AppendToInlineAndSingleLeafBuckets) {
  Buckets in = {{"small", {{"a", "1"}}}, {"leaf", {{"a", std::string(2000, 'y')}}}};
  std::vector<BucketChange> changes = {
      {"small", BucketChange::kAppend, {{"b", std::string(1500, 'z')}}},
      {"leaf", BucketChange::kAppend, {{"b", "2"}}},
  };
  Buckets want = in;
  want["small"].push_back({"b", std::string(1500, 'z')});
  want["leaf"].push_back({"b", "2"});
  EXPECT_EQ(PatchAndRead(in, changes), want);
}

TEST(PatchTest, BigReplaceGetsPagesAndEmptyReplaceIsInline) {
  Buckets in = {{"a", {{"k", "v"}}}, {"z", testing::ManyKeys(500, 50)["b"]}};
  KVs big;
  for (int i = 0; i < 300; i++) big.push_back({Key(i), std::string(40, 'q')});
  Buckets want = {{"a", big}, {"z", {}}};
  EXPECT_EQ(PatchAndRead(in, {{"a", BucketChange::kReplace, big}, {"z", BucketChange::kReplace, {}}}), want);
}

TEST(PatchTest, RejectsBadInput) {
  std::string bytes = BuildDb(testing::ManyKeys(100, 10));
  auto db = OpenBytes(bytes);
  ASSERT_TRUE(db.ok());
  EXPECT_EQ(PlanPatch(**db, {{"b", BucketChange::kAppend, {{Key(5), ""}}}}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(PlanPatch(**db, {{"c", BucketChange::kReplace, {{"b", ""}, {"a", ""}}}}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(PatchTest, PatchesRealSnapshotsThroughAFile) {
  for (const char* name : {"etcd-3.4.db", "etcd-3.5.db", "etcd-3.6.db", "etcd-3.7.db"}) {
    SCOPED_TRACE(name);
    std::string bytes = testing::ReadBytes(testing::FixturePath(name));
    auto db = OpenBytes(bytes);
    ASSERT_TRUE(db.ok()) << db.status();
    auto before = ReadAll(**db);
    ASSERT_TRUE(before.ok());
    auto p = PlanPatch(**db, {{"members", BucketChange::kReplace, {{"1", "m"}}},
                              {"key", BucketChange::kAppend, {{std::string(17, '\x7f'), ""}}}});
    ASSERT_TRUE(p.ok()) << p.status();
    std::string path = testing::TempPath("patch.db");
    testing::WriteBytes(path, bytes.substr(0, (*db)->db_size()));
    int fd = ::open(path.c_str(), O_RDWR);
    ASSERT_GE(fd, 0);
    ASSERT_TRUE(WritePatch(fd, *p).ok());
    ::close(fd);
    auto out = Db::Open(path);
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_EQ((*out)->file_size(), p->file_size());
    CheckReport r = Check(**out);
    EXPECT_TRUE(r.ok()) << (r.problems.empty() ? "" : r.problems[0]);
    auto after = ReadAll(**out);
    ASSERT_TRUE(after.ok());
    Buckets want = *before;
    want["members"] = {{"1", "m"}};
    want["key"].push_back({std::string(17, '\x7f'), ""});
    EXPECT_EQ(*after, want);
    auto key = (*out)->FindBucket((*out)->root(), "key");
    ASSERT_TRUE(key.ok() && key->has_value());
    auto n = CountEntries(**out, **key);
    ASSERT_TRUE(n.ok());
    EXPECT_EQ(*n, want["key"].size());
    std::remove(path.c_str());
  }
}

}  // namespace
}  // namespace ketcd::bbolt
