#include "pkg/base/crc32c.h"

#include <gtest/gtest.h>

#include <string>

namespace ketcd {
namespace {

TEST(Crc32c, KnownVectors) {
  EXPECT_EQ(Crc32c(""), 0u);
  EXPECT_EQ(Crc32c("123456789"), 0xE3069283u);  // the standard CRC-32C check value
  EXPECT_EQ(Crc32c(std::string(32, '\0')), 0x8A9136AAu);  // RFC 3720 B.4
}

TEST(Crc32c, ExtendEqualsWhole) {
  std::string s;
  for (int i = 0; i < 1000; i++) s.push_back(static_cast<char>(i * 7));
  EXPECT_EQ(Crc32cExtend(Crc32c(s.substr(0, 333)), s.substr(333)), Crc32c(s));
}

// Inputs of 768 bytes and more take the three-stream paths (4 KiB and 256-byte stripes);
// they must agree with the byte-at-a-time table.
TEST(Crc32c, LongInputsMatchBytewise) {
  std::string s;
  for (int i = 0; i < 3 * 4096 * 5 + 77; i++) s.push_back(static_cast<char>(i * 131 + 7));
  for (size_t len : {767ul, 768ul, 769ul, 5000ul, 12287ul, 12288ul, 12289ul, 13057ul, 40000ul, s.size()}) {
    uint32_t slow = 0;
    for (size_t i = 0; i < len; i++) slow = Crc32cExtend(slow, s.data() + i, 1);
    EXPECT_EQ(Crc32cExtend(0, s.data(), len), slow) << len;
    EXPECT_EQ(Crc32cExtend(Crc32c(s.substr(0, 5)), s.data() + 5, len - 5), slow) << len;
  }
}

TEST(Crc32c, CombineEqualsWhole) {
  std::string s;
  for (int i = 0; i < 100000; i++) s.push_back(static_cast<char>(i * 31 + 5));
  for (size_t cut : {0ul, 1ul, 7ul, 4096ul, 99999ul, 100000ul}) {
    std::string a = s.substr(0, cut), b = s.substr(cut);
    EXPECT_EQ(Crc32cCombine(Crc32c(a), Crc32c(b), b.size()), Crc32c(s)) << "cut " << cut;
  }
}

}  // namespace
}  // namespace ketcd
