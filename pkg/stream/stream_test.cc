#include "pkg/stream/stream.h"

#include <gtest/gtest.h>

#include <string>

#include "pkg/stream/test_util.h"

namespace ketcd::stream {
namespace {

using testing::StringReader;

TEST(SniffTest, TellsFormatsApart) {
  EXPECT_EQ(Sniff(std::string("\x28\xb5\x2f\xfd\x04\x00", 6)), Format::kZstd);
  EXPECT_EQ(Sniff("age-encryption.org/v1\n-> X25519 abc"), Format::kAge);
  EXPECT_EQ(Sniff(std::string(16, '\0')), Format::kPlain);
  EXPECT_EQ(Sniff("age-encryption.org/v2\n"), Format::kPlain);
  EXPECT_EQ(Sniff(std::string("\x28\xb5\x2f", 3)), Format::kPlain);
  EXPECT_EQ(Sniff(""), Format::kPlain);
  EXPECT_STREQ(FormatName(Format::kZstd), "zstd");
  EXPECT_STREQ(FormatName(Format::kPlain), "none");
}

TEST(PrefixReaderTest, ServesPrefixThenRest) {
  StringReader rest("world", 3);  // short reads on purpose
  PrefixReader r("hello ", &rest);
  std::string out(32, '\0');
  auto n = ReadFull(r, out.data(), out.size());
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(out.substr(0, *n), "hello world");
}

TEST(FnWriterTest, CallsBothFunctions) {
  std::string got;
  bool closed = false;
  FnWriter w([&](const void* p, size_t n) {
    got.append(static_cast<const char*>(p), n);
    return absl::OkStatus();
  }, [&] {
    closed = true;
    return absl::OkStatus();
  });
  ASSERT_TRUE(w.Write("ab", 2).ok());
  ASSERT_TRUE(w.Close().ok());
  EXPECT_EQ(got, "ab");
  EXPECT_TRUE(closed);
}

}  // namespace
}  // namespace ketcd::stream
