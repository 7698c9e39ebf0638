#include "pkg/bbolt/check.h"

#include <gtest/gtest.h>

#include "pkg/bbolt/test_util.h"

namespace ketcd::bbolt {
namespace {

using testing::BuildDb;
using testing::FindPage;
using testing::ManyKeys;
using testing::OpenBytes;
using testing::ReadAll;

constexpr size_t kPs = 4096;

std::string Joined(const CheckReport& r) {
  std::string s;
  for (const auto& p : r.problems) s += p + "\n";
  return s;
}

class CheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    bytes_ = BuildDb(ManyKeys(3000, 40));
    branch_ = FindPage(bytes_, kBranchPageFlag);
    leaf_ = FindPage(bytes_, kLeafPageFlag);
    ASSERT_NE(branch_, 0u);
    ASSERT_NE(leaf_, 0u);
  }
  // Report of the damaged copy; also asserts that iteration fails or succeeds cleanly.
  CheckReport Damaged() {
    auto db = OpenBytes(bytes_);
    EXPECT_TRUE(db.ok()) << db.status();
    if (!db.ok()) return {};
    (void)ReadAll(**db);
    return Check(**db);
  }
  char* At(uint64_t page, size_t off) { return bytes_.data() + page * kPs + off; }

  std::string bytes_;
  uint64_t branch_ = 0, leaf_ = 0;
};

TEST_F(CheckTest, WriterOutputIsClean) {
  CheckReport r = Damaged();
  EXPECT_TRUE(r.ok()) << Joined(r);
  EXPECT_EQ(r.keys, 3000u);
  EXPECT_EQ(r.buckets, 1u);
  EXPECT_GT(r.branch_pages, 0u);
}

TEST_F(CheckTest, CycleBetweenPagesIsReportedNotFollowed) {
  StoreLE64(At(branch_, 16 + 8), branch_);  // element 0 points back at its own page
  auto db = OpenBytes(bytes_);
  ASSERT_TRUE(db.ok());
  auto all = ReadAll(**db);
  EXPECT_EQ(all.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(all.status().message().find("referenced twice"), std::string::npos) << all.status();
  CheckReport r = Check(**db);
  EXPECT_NE(Joined(r).find("multiple references"), std::string::npos) << Joined(r);
}

TEST_F(CheckTest, ChildPastHighWaterMark) {
  StoreLE64(At(branch_, 16 + 8), 1u << 20);
  CheckReport r = Damaged();
  EXPECT_NE(Joined(r).find("out of bounds"), std::string::npos) << Joined(r);
}

TEST_F(CheckTest, OverflowPastEnd) {
  StoreLE32(At(leaf_, 12), 0xFFFFFFF0);
  CheckReport r = Damaged();
  EXPECT_NE(Joined(r).find("overflow"), std::string::npos) << Joined(r);
}

TEST_F(CheckTest, FlippedHeaderIdIsReported) {
  At(leaf_, 0)[0] ^= 0x10;
  CheckReport r = Damaged();
  EXPECT_NE(Joined(r).find("header says page id"), std::string::npos) << Joined(r);
}

TEST_F(CheckTest, BadPageType) {
  StoreLE16(At(leaf_, 8), kMetaPageFlag);
  CheckReport r = Damaged();
  EXPECT_NE(Joined(r).find("invalid type"), std::string::npos) << Joined(r);
  EXPECT_NE(Joined(r).find("page " + std::to_string(leaf_)), std::string::npos);
}

TEST_F(CheckTest, ElementCountPastPage) {
  StoreLE16(At(leaf_, 10), 0xFFF0);
  CheckReport r = Damaged();
  EXPECT_NE(Joined(r).find("element count"), std::string::npos) << Joined(r);
}

TEST_F(CheckTest, UnsortedKeysWithinAPage) {
  // Keys are "key%08d": make element 1's key sort before element 0's.
  uint32_t pos = LoadLE32(At(leaf_, 16 + 16 + 4));
  At(leaf_, 16 + 16 + pos)[0] = 'a';
  CheckReport r = Damaged();
  EXPECT_NE(Joined(r).find("below the previous key"), std::string::npos) << Joined(r);
}

TEST_F(CheckTest, KeyOutsideParentRange) {
  // The last key of the first leaf becomes larger than every other key.
  PageHeader h = DecodePageHeader(reinterpret_cast<const uint8_t*>(At(leaf_, 0)));
  uint32_t i = h.count - 1;
  uint32_t pos = LoadLE32(At(leaf_, 16 + 16 * i + 4));
  At(leaf_, 16 + 16 * i + pos)[0] = 'z';
  CheckReport r = Damaged();
  EXPECT_NE(Joined(r).find("next key in the parent"), std::string::npos) << Joined(r);
}

TEST_F(CheckTest, FlippedBytesNeverCrash) {
  const std::string good = bytes_;
  for (size_t off = 0; off < good.size(); off += 97) {
    bytes_ = good;
    bytes_[off] ^= 0x5A;
    auto db = OpenBytes(bytes_);
    if (!db.ok()) continue;
    (void)ReadAll(**db);
    (void)Check(**db);
  }
}

TEST(CheckFreelistTest, PersistedFreelistAccountsForEveryPage) {
  std::string bytes = BuildDb(ManyKeys(10, 10));
  auto db = OpenBytes(bytes);
  ASSERT_TRUE(db.ok());
  const uint64_t hwm = (*db)->meta().pgid;
  // Append a freelist page listing nothing, then check that "unreachable unfreed" shows.
  bytes.resize((hwm + 2) * kPs, '\0');
  EncodePageHeader(reinterpret_cast<uint8_t*>(bytes.data()) + hwm * kPs, PageHeader{hwm, kFreelistPageFlag, 1, 0});
  StoreLE64(bytes.data() + hwm * kPs + 16, hwm);  // frees itself: reachable freed? no: freelist page
  for (int which : {0, 1}) {
    StoreLE64(bytes.data() + which * kPs + 48, hwm);      // freelist
    StoreLE64(bytes.data() + which * kPs + 56, hwm + 2);  // pgid
    testing::FixMetaChecksum(bytes, which);
  }
  db = OpenBytes(bytes);
  ASSERT_TRUE(db.ok()) << db.status();
  CheckReport r = Check(**db);
  EXPECT_TRUE(r.freelist_persisted);
  EXPECT_NE(Joined(r).find("page " + std::to_string(hwm + 1) + ": unreachable unfreed"), std::string::npos)
      << Joined(r);
}

}  // namespace
}  // namespace ketcd::bbolt
