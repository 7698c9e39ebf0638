#include "pkg/stream/stream.h"

#include <gtest/gtest.h>

#include <string>

namespace ketcd::stream {
namespace {

class StringReader : public Reader {
 public:
  explicit StringReader(std::string s) : s_(std::move(s)) {}
  absl::StatusOr<size_t> Read(void* data, size_t n) override {
    size_t k = std::min({n, s_.size() - pos_, size_t{3}});  // short reads on purpose
    std::memcpy(data, s_.data() + pos_, k);
    pos_ += k;
    return k;
  }

 private:
  std::string s_;
  size_t pos_ = 0;
};

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
  StringReader rest("world");
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
