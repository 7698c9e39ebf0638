#include "pkg/age/bech32.h"

#include <gtest/gtest.h>

#include "absl/strings/ascii.h"
#include "pkg/age/keys.h"

namespace ketcd::age {
namespace {

// BIP-173, "Test vectors": valid Bech32 strings.
TEST(Bech32Test, Bip173ValidStrings) {
  for (const char* s : {"A12UEL5L", "a12uel5l",
                        "an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs",
                        "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
                        "11qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqc8247j",
                        "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w", "?1ezyfcl"}) {
    auto d = Bech32Decode(s);
    ASSERT_TRUE(d.ok()) << s << ": " << d.status();
    // Re-encoding gives the lower-case string back.
    EXPECT_EQ(Bech32Encode(d->hrp, d->data), absl::AsciiStrToLower(s)) << s;
  }
}

// BIP-173, "Test vectors": invalid Bech32 strings (the length limit aside, which age drops).
TEST(Bech32Test, Bip173InvalidStrings) {
  for (const std::string& s : {std::string("\x20") + "1nwldj5", std::string("\x7f") + "1axkwrx",
                        std::string("\x80") + "1eym55h", std::string("pzry9x0s0muk"), std::string("1pzry9x0s0muk"),
                        std::string("x1b4n0q5v"), std::string("li1dgmt3"), std::string("de1lg7wt\xff"),
                        std::string("A1G7SGD8"), std::string("10a06t8"), std::string("1qzzfhee"),
                        std::string("a12UEL5L")}) {
    EXPECT_FALSE(Bech32Decode(s).ok()) << s;
  }
}

// The key pair in the age spec (c2sp.org/age, "The X25519 recipient type").
TEST(Bech32Test, SpecKeyPair) {
  auto ids = ParseIdentityFile(
      "# created: 2026\nAGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX\n", "key.txt");
  ASSERT_TRUE(ids.ok()) << ids.status();
  ASSERT_EQ(ids->size(), 1u);
  EXPECT_EQ((*ids)[0].key, std::string(32, 0x42));
  auto pub = PublicKeyOf((*ids)[0]);
  ASSERT_TRUE(pub.ok());
  EXPECT_EQ(EncodeRecipient(*pub), "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj");
  EXPECT_EQ(EncodeIdentity((*ids)[0].key),
            "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX");
  auto r = ParseRecipient("age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->key, *pub);
}

TEST(Bech32Test, KeyErrorsDoNotRepeatTheKey) {
  const std::string secret = "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEY";  // bad checksum
  auto ids = ParseIdentityFile("\n" + secret + "\n", "key.txt");
  ASSERT_FALSE(ids.ok());
  EXPECT_EQ(ids.status().message().find("GFPYY"), std::string::npos) << ids.status();
  EXPECT_NE(ids.status().message().find("key.txt line 2"), std::string::npos) << ids.status();
  // A recipient where an identity belongs, and the other way round.
  EXPECT_FALSE(ParseIdentityFile("age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj", "k").ok());
  EXPECT_FALSE(ParseRecipient("AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX").ok());
  EXPECT_FALSE(ParseRecipient("ssh-ed25519 AAAA").ok());
  EXPECT_FALSE(ParseIdentityFile("# only a comment\n", "k").ok());
  EXPECT_FALSE(ParseRecipientsFile("\n\n", "r").ok());
}

}  // namespace
}  // namespace ketcd::age
