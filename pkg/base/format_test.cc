#include "pkg/base/format.h"

#include <gtest/gtest.h>

namespace ketcd {
namespace {

TEST(HumanizeBytes, MatchesGoHumanize) {
  EXPECT_EQ(HumanizeBytes(0), "0 B");
  EXPECT_EQ(HumanizeBytes(9), "9 B");
  EXPECT_EQ(HumanizeBytes(999), "999 B");
  EXPECT_EQ(HumanizeBytes(20480), "20 kB");
  EXPECT_EQ(HumanizeBytes(270336), "270 kB");
  EXPECT_EQ(HumanizeBytes(2240512), "2.2 MB");
  EXPECT_EQ(HumanizeBytes(1000), "1.0 kB");
}

TEST(IdHex, Unpadded) {
  EXPECT_EQ(IdHex(0x3c56f27cd5bed64ull), "3c56f27cd5bed64");
  EXPECT_EQ(IdHex(0x8e9e05c52164694dull), "8e9e05c52164694d");
}

TEST(UtcTime, Forms) {
  EXPECT_EQ(UtcRfc3339(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(UtcCompact(1764089644), "20251125T165404Z");
}

}  // namespace
}  // namespace ketcd
