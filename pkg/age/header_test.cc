#include "pkg/age/header.h"

#include <gtest/gtest.h>

namespace ketcd::age {
namespace {

constexpr std::string_view kHeader =
    "age-encryption.org/v1\n"
    "-> X25519 TEiF0ypqr+bpvcqXNyCVJpL7OuwPdVwPL7KQEbFDOCc\n"
    "hjabGXwSLQ9c3S6Lw2i+S2Tu2fiwQHHslbBN6B41FLE\n"
    "--- WyJp9F/9FOZh7gJdheq2WIJcwHgYc8NIVh3ddwhrcNg\n";

TEST(HeaderTest, ParsesAndReencodes) {
  auto h = ParseHeader(std::string(kHeader) + "payload");
  ASSERT_TRUE(h.ok()) << h.status();
  ASSERT_EQ(h->stanzas.size(), 1u);
  EXPECT_EQ(h->stanzas[0].args, (std::vector<std::string>{"X25519", "TEiF0ypqr+bpvcqXNyCVJpL7OuwPdVwPL7KQEbFDOCc"}));
  EXPECT_EQ(h->stanzas[0].body.size(), 32u);
  EXPECT_EQ(h->size, kHeader.size());
  EXPECT_EQ(kHeader.substr(h->mac_input, 4), " WyJ");
  EXPECT_EQ(EncodeHeaderWithoutMac(h->stanzas), kHeader.substr(0, h->mac_input));
}

TEST(HeaderTest, IncompleteIsOutOfRange) {
  for (size_t n : {size_t{0}, size_t{5}, size_t{30}, kHeader.size() - 1}) {
    EXPECT_TRUE(absl::IsOutOfRange(ParseHeader(kHeader.substr(0, n)).status())) << n;
  }
}

TEST(HeaderTest, BodyWrapsAt64ColumnsWithAShorterLastLine) {
  Stanza s{{"test"}, std::string(48, 'x')};  // exactly 64 base64 characters: an empty last line
  std::string text = EncodeHeaderWithoutMac({s});
  EXPECT_NE(text.find("\n" + Base64Encode(s.body) + "\n\n---"), std::string::npos);
  auto h = ParseHeader(text + " " + std::string(43, 'A') + "\n");
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_EQ(h->stanzas[0].body, s.body);
}

TEST(HeaderTest, RejectsMalformedHeaders) {
  const std::string mac = "--- WyJp9F/9FOZh7gJdheq2WIJcwHgYc8NIVh3ddwhrcNg\n";
  for (const std::string& bad : {
           std::string("age-encryption.org/v2\n-> a\n\n") + mac,
           std::string("age-encryption.org/v1\n") + mac,                        // no stanza
           std::string("age-encryption.org/v1\n->  a\n\n") + mac,               // empty argument
           std::string("age-encryption.org/v1\n-> \n\n") + mac,                 // no argument
           std::string("age-encryption.org/v1\n-> a\nQUE=\n") + mac,            // padding
           std::string("age-encryption.org/v1\n-> a\nQUF\n") + mac,             // not canonical
           std::string("age-encryption.org/v1\n-> a\n") + std::string(65, 'A') + "\n\n" + mac,
           std::string("age-encryption.org/v1\n-> a\n\n---\n"),                 // no MAC
           std::string("age-encryption.org/v1\n-> a\n\n--- WyJp9F/9FOZh7gJdheq2WIJcwHgYc8NIVh3ddwhrcNh\n"),
           std::string("age-encryption.org/v1\r\n-> a\n\n") + mac,
           std::string("hello\n"),
       }) {
    auto h = ParseHeader(bad);
    EXPECT_TRUE(absl::IsInvalidArgument(h.status())) << bad << " -> " << h.status();
  }
}

TEST(HeaderTest, Base64IsStrict) {
  for (std::string_view s : {"", "Zg", "Zm8", "Zm9v", "Zm9vYg"}) {
    auto d = Base64Decode(s);
    ASSERT_TRUE(d.ok()) << s;
    EXPECT_EQ(Base64Encode(*d), s);
  }
  EXPECT_FALSE(Base64Decode("Zh").ok());    // non-zero trailing bits
  EXPECT_FALSE(Base64Decode("Zg==").ok());  // padding
  EXPECT_FALSE(Base64Decode("Z").ok());
  EXPECT_FALSE(Base64Decode("Zm9v\n").ok());
  EXPECT_FALSE(Base64Decode("Zm-v").ok());  // URL alphabet
}

}  // namespace
}  // namespace ketcd::age
