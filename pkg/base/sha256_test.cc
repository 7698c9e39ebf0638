#include "pkg/base/sha256.h"

#include <gtest/gtest.h>

namespace ketcd {
namespace {

TEST(Sha256, KnownVector) {
  Sha256 h;
  h.Update("abc");
  EXPECT_EQ(DigestHex(h.Final()), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256, DigestWithSuffixLeavesTheHashUntouched) {
  Sha256 whole, part;
  whole.Update("image bytes and trailer");
  part.Update("image bytes");
  EXPECT_EQ(part.DigestWithSuffix(" and trailer", 12), whole.Final());
  Sha256 image;
  image.Update("image bytes");
  EXPECT_EQ(part.Final(), image.Final());
}

}  // namespace
}  // namespace ketcd
