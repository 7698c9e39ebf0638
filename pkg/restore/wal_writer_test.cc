#include "pkg/restore/wal_writer.h"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include "pkg/base/crc32c.h"
#include "pkg/fsutil/file.h"
#include "pkg/restore/golden_configs.h"

namespace ketcd::restore {
namespace {

std::string Testdata(const std::string& name) {
  auto s = fsutil::ReadFile(std::string(KETCD_RESTORE_TESTDATA) + "/" + name);
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? *s : "";
}

TEST(WalEncoderTest, FramesPadToEightBytes) {
  WalEncoder enc;
  enc.AppendCrc();
  // CRC record: len 4, pad 4 -> length field 0x84 << 56 | 4; record 08 04 10 00.
  EXPECT_EQ(enc.bytes(), std::string("\x04\0\0\0\0\0\0\x84\x08\x04\x10\0\0\0\0\0", 16));
}

TEST(WalEncoderTest, CrcChainsOverRecordData) {
  WalEncoder a;
  a.Append(WalRecordType::kEntry, "ab");
  WalEncoder b;
  b.Append(WalRecordType::kEntry, "a");
  WalEncoder c(Crc32cExtend(0, "a"));
  c.Append(WalRecordType::kEntry, "b");
  // The crc field of "ab" in one go equals the chained crc of "b" after "a".
  EXPECT_EQ(a.bytes().substr(8 + 2, 5), c.bytes().substr(8 + 2, 5));
}

TEST(WalWriterTest, MatchesEtcdGolden) {
  for (const auto& cfg : testing::GoldenConfigs()) {
    auto plan = PlanRestore(cfg.opts);
    ASSERT_TRUE(plan.ok()) << cfg.name << ": " << plan.status();
    for (const auto& v : cfg.versions) {
      std::string got = BuildRestoreWal(*plan, *ParseFormat(v));
      EXPECT_EQ(got, Testdata(v + "-" + cfg.name + ".wal")) << v << " " << cfg.name;
    }
  }
}

TEST(WalWriterTest, SegmentIsPreallocatedAndSynced) {
  std::string dir = ::testing::TempDir() + "/walseg";
  ASSERT_TRUE(fsutil::RemoveAll(dir).ok());
  ASSERT_TRUE(fsutil::MkdirAll(dir, 0700).ok());
  ASSERT_TRUE(WriteWalSegment(dir, "hello").ok());
  std::string path = dir + "/" + kFirstWalName;
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(static_cast<uint64_t>(st.st_size), kWalSegmentBytes);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto content = fsutil::ReadFile(path);
  ASSERT_TRUE(content.ok());
  EXPECT_EQ(content->substr(0, 5), "hello");
  EXPECT_EQ(content->find_first_not_of('\0', 5), std::string::npos);
  // Never over an existing segment.
  EXPECT_FALSE(WriteWalSegment(dir, "again").ok());
  ASSERT_TRUE(fsutil::RemoveAll(dir).ok());
}

}  // namespace
}  // namespace ketcd::restore
