#include "pkg/age/age.h"

#include <gtest/gtest.h>

#include "pkg/age/crypto.h"
#include "pkg/stream/test_util.h"

namespace ketcd::age {
namespace {

using stream::testing::ReadAll;
using stream::testing::StringReader;
using stream::testing::StringWriter;

Identity NewIdentity() { return Identity{Identity::Type::kX25519, RandomBytes(32)}; }

Recipient RecipientOf(const Identity& id) {
  return Recipient{Recipient::Type::kX25519, *PublicKeyOf(id)};
}

std::string Encrypt(const std::string& plain, const std::vector<Recipient>& rs, size_t piece = 1000) {
  StringWriter out;
  auto w = NewEncryptWriter(&out, rs);
  EXPECT_TRUE(w.ok()) << w.status();
  for (size_t i = 0; i < plain.size(); i += piece) {
    EXPECT_TRUE((*w)->Write(plain.data() + i, std::min(piece, plain.size() - i)).ok());
  }
  EXPECT_TRUE((*w)->Close().ok());
  EXPECT_TRUE(out.closed);
  return out.out;
}

absl::StatusOr<std::string> Decrypt(const std::string& file, const std::vector<Identity>& ids) {
  StringReader in(file, 777);
  KETCD_ASSIGN_OR_RETURN(auto r, NewDecryptReader(&in, ids, "snap.age"));
  absl::Status s;
  std::string out = ReadAll(*r, &s);
  KETCD_RETURN_IF_ERROR(s);
  return out;
}

std::string Plain(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; i++) s[i] = static_cast<char>(i * 7 + i / 256);
  return s;
}

TEST(AgeTest, RoundTripsAtChunkBoundaries) {
  Identity id = NewIdentity();
  for (size_t n : {size_t{0}, size_t{1}, kChunkSize - 1, kChunkSize, kChunkSize + 1, 3 * kChunkSize}) {
    std::string file = Encrypt(Plain(n), {RecipientOf(id)});
    EXPECT_EQ(file.size(), n == 0 ? file.size() : file.size());
    auto back = Decrypt(file, {id});
    ASSERT_TRUE(back.ok()) << n << ": " << back.status();
    EXPECT_TRUE(*back == Plain(n)) << n;
  }
}

TEST(AgeTest, EveryRecipientCanOpenIt) {
  Identity a = NewIdentity(), b = NewIdentity();
  std::string file = Encrypt(Plain(100000), {RecipientOf(a), RecipientOf(b)});
  EXPECT_TRUE(Decrypt(file, {a}).ok());
  EXPECT_TRUE(Decrypt(file, {b}).ok());
  EXPECT_TRUE(Decrypt(file, {NewIdentity(), b}).ok());
}

TEST(AgeTest, WrongIdentityIsInvalidArgument) {
  std::string file = Encrypt(Plain(1000), {RecipientOf(NewIdentity())});
  auto r = Decrypt(file, {NewIdentity()});
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(absl::IsInvalidArgument(r.status())) << r.status();
  EXPECT_NE(r.status().message().find("snap.age: encrypted with age to 1 X25519 recipient"), std::string::npos)
      << r.status();
  EXPECT_TRUE(absl::IsInvalidArgument(Decrypt(file, {PassphraseIdentity("x")}).status()));
}

TEST(AgeTest, PassphraseRoundTripAndWrongPassphrase) {
  Recipient r = PassphraseRecipient("correct horse");
  r.log_n = 10;  // fast; the default 18 is what age -p writes
  std::string file = Encrypt(Plain(70000), {r});
  EXPECT_NE(file.find("-> scrypt "), std::string::npos);
  EXPECT_NE(file.find(" 10\n"), std::string::npos);
  auto ok = Decrypt(file, {PassphraseIdentity("correct horse")});
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_TRUE(*ok == Plain(70000));
  auto bad = Decrypt(file, {PassphraseIdentity("wrong horse")});
  EXPECT_TRUE(absl::IsInvalidArgument(bad.status())) << bad.status();
  EXPECT_NE(bad.status().message().find("a passphrase"), std::string::npos);
  // Never mixed with other recipients.
  StringWriter out;
  EXPECT_FALSE(NewEncryptWriter(&out, {r, RecipientOf(NewIdentity())}).ok());
}

TEST(AgeTest, DamageIsDataLoss) {
  Identity id = NewIdentity();
  const std::string file = Encrypt(Plain(3 * kChunkSize + 5), {RecipientOf(id)});
  const size_t header = file.find("\n---") + 4 + 44 + kNonceSize;
  struct Case {
    std::string name, file;
  };
  std::vector<Case> cases = {
      {"truncated in the header", file.substr(0, 40)},
      {"no payload", file.substr(0, header - 3)},
      {"last chunk cut", file.substr(0, file.size() - 1)},
      {"last chunk gone", file.substr(0, header + 3 * (kChunkSize + kTagSize))},
      {"payload bit flip", [&] {
         std::string f = file;
         f[header + 100] ^= 1;
         return f;
       }()},
      {"header MAC", [&] {
         std::string f = file;
         f[file.find("-> X25519 ") + 3] = 'Y';  // the stanza type: no longer ours
         return f;
       }()},
      {"trailing garbage", file + "x"},
  };
  for (const Case& c : cases) {
    auto r = Decrypt(c.file, {id});
    ASSERT_FALSE(r.ok()) << c.name;
    if (c.name == "header MAC") {
      EXPECT_TRUE(absl::IsInvalidArgument(r.status())) << r.status();  // now addressed to nobody
    } else {
      EXPECT_TRUE(absl::IsDataLoss(r.status())) << c.name << ": " << r.status();
    }
  }
  // A stanza argument changed within our type: the MAC no longer matches.
  std::string f = file;
  size_t pos = f.find("-> X25519 ");
  std::string tweak = f.substr(0, pos) + "-> X25519 " + f.substr(pos + 10, 43) + " extra" + f.substr(pos + 53);
  EXPECT_TRUE(absl::IsDataLoss(Decrypt(tweak, {id}).status()));
}

TEST(AgeTest, ReleasesOnlyAuthenticatedChunks) {
  Identity id = NewIdentity();
  std::string file = Encrypt(Plain(3 * kChunkSize), {RecipientOf(id)});
  file[file.size() - kChunkSize] ^= 1;  // inside the third chunk
  StringReader in(file);
  auto r = NewDecryptReader(&in, {id}, "f");
  ASSERT_TRUE(r.ok());
  absl::Status s;
  std::string got = ReadAll(**r, &s);
  EXPECT_TRUE(absl::IsDataLoss(s)) << s;
  EXPECT_EQ(got.size(), 2 * kChunkSize);
}

}  // namespace
}  // namespace ketcd::age
