// The age project's test vectors (testdata/testkit, from C2SP/CCTV age/testdata; see
// README.md): every vector of the X25519 and scrypt recipient types, the header, the MAC and
// the STREAM payload.
#include <dirent.h>
#include <gtest/gtest.h>

#include <zlib.h>

#include <fstream>
#include <map>
#include <sstream>

#include "absl/strings/str_split.h"
#include "pkg/age/age.h"
#include "pkg/stream/test_util.h"
#include "pkg/base/sha256.h"

namespace ketcd::age {
namespace {

struct Vector {
  std::string name;
  std::multimap<std::string, std::string> keys;
  std::string file;
};

Vector Load(const std::string& name) {
  std::ifstream in(std::string(KETCD_AGE_TESTKIT) + "/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string all = ss.str();
  Vector v{name, {}, ""};
  const size_t end = all.find("\n\n");
  for (absl::string_view piece : absl::StrSplit(all.substr(0, end), '\n')) {
    const std::string line(piece);
    const size_t colon = line.find(": ");
    v.keys.emplace(line.substr(0, colon), line.substr(colon + 2));
  }
  v.file = all.substr(end + 2);
  return v;
}

// The large stream vectors are stored zlib-compressed ("compressed: zlib").
std::string Inflate(const std::string& z) {
  std::string out(64 << 20, '\0');
  uLongf len = out.size();
  EXPECT_EQ(::uncompress(reinterpret_cast<Bytef*>(out.data()), &len, reinterpret_cast<const Bytef*>(z.data()),
                         z.size()),
            Z_OK);
  out.resize(len);
  return out;
}

std::vector<std::string> Names() {
  std::vector<std::string> names;
  DIR* d = ::opendir(KETCD_AGE_TESTKIT);
  while (dirent* e = d ? ::readdir(d) : nullptr) {
    if (e->d_name[0] != '.') names.emplace_back(e->d_name);
  }
  if (d) ::closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

std::string Get(const Vector& v, const std::string& key) {
  auto it = v.keys.find(key);
  return it == v.keys.end() ? "" : it->second;
}

TEST(TestkitTest, EveryVectorGivesItsExpectedOutcome) {
  std::map<std::string, int> checked;
  for (const std::string& name : Names()) {
    Vector v = Load(name);
    ASSERT_TRUE(Get(v, "armored").empty()) << name << ": armored vectors are not kept in testdata";
    if (Get(v, "compressed") == "zlib") v.file = Inflate(v.file);
    std::vector<Identity> ids;
    for (auto [it, end] = v.keys.equal_range("identity"); it != end; ++it) {
      auto parsed = ParseIdentityFile(it->second, name);
      ASSERT_TRUE(parsed.ok()) << name << ": " << parsed.status();
      ids.insert(ids.end(), parsed->begin(), parsed->end());
    }
    for (auto [it, end] = v.keys.equal_range("passphrase"); it != end; ++it) ids.push_back(PassphraseIdentity(it->second));

    const std::string expect = Get(v, "expect");
    stream::testing::StringReader in(v.file, 1000);
    auto reader = NewDecryptReader(&in, ids, name);
    absl::Status read;
    std::string plain;
    if (reader.ok()) plain = stream::testing::ReadAll(**reader, &read);
    Sha256 h;
    h.Update(plain);
    const std::string hash = DigestHex(h.Final());

    if (expect == "success") {
      ASSERT_TRUE(reader.ok()) << name << ": " << reader.status();
      EXPECT_TRUE(read.ok()) << name << ": " << read;
      EXPECT_EQ(hash, Get(v, "payload")) << name;
    } else if (expect == "no match") {
      EXPECT_TRUE(absl::IsInvalidArgument(reader.status())) << name << ": " << reader.status();
    } else if (expect == "HMAC failure") {
      EXPECT_TRUE(absl::IsDataLoss(reader.status())) << name << ": " << reader.status();
      EXPECT_NE(reader.status().message().find("MAC"), std::string::npos) << name << ": " << reader.status();
    } else if (expect == "header failure") {
      EXPECT_TRUE(absl::IsDataLoss(reader.status())) << name << ": " << reader.status();
    } else if (expect == "payload failure") {
      ASSERT_TRUE(reader.ok()) << name << ": " << reader.status();
      EXPECT_TRUE(absl::IsDataLoss(read)) << name << ": " << read;
      EXPECT_EQ(hash, Get(v, "payload")) << name << ": what was released before the failure";
    } else {
      ADD_FAILURE() << name << ": unknown expect " << expect;
    }
    checked[expect]++;
  }
  // The kept vectors, by outcome; a vector that silently stopped being checked fails here.
  EXPECT_EQ(checked["success"], 15);
  EXPECT_EQ(checked["header failure"], 51);
  EXPECT_EQ(checked["payload failure"], 18);
  EXPECT_EQ(checked["no match"], 7);
  EXPECT_EQ(checked["HMAC failure"], 1);
}

}  // namespace
}  // namespace ketcd::age
