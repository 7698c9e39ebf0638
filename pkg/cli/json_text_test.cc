#include "pkg/cli/json_text.h"

#include <gtest/gtest.h>

#include <sstream>

#include "pkg/cli/output.h"

namespace ketcd::cli {
namespace {

TEST(Utf8, AcceptsValidAndRejectsInvalid) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("/registry/pods/default/x"));
  EXPECT_TRUE(IsValidUtf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("\xff"));
  EXPECT_FALSE(IsValidUtf8("\x80"));
  EXPECT_FALSE(IsValidUtf8("\xc3"));              // truncated
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xe0\x80\xaf"));      // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // surrogate U+D800
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // above U+10FFFF
}

TEST(JsonText, PlainTextPassesAndBytesAreBase64) {
  EXPECT_EQ(JsonText("members"), "members");
  EXPECT_EQ(JsonText("caf\xc3\xa9"), "caf\xc3\xa9");
  EXPECT_EQ(JsonText(std::string("k\xff\x00", 3)), "base64:a/8A");
  // A text that looks like an encoded one is encoded too, so decoding is unambiguous.
  EXPECT_EQ(JsonText("base64:abc"), "base64:YmFzZTY0OmFiYw==");
  for (const std::string& s : {std::string("plain"), std::string("\xfe\xff", 2), std::string("base64:x")}) {
    EXPECT_EQ(JsonTextBytes(JsonText(s)), s);
  }
}

// nlohmann::json throws type_error 316 when dumping invalid UTF-8; the printers must not.
TEST(JsonText, PrintersWriteBytesInKeysAndValues) {
  nlohmann::ordered_json doc = {{"buckets", {{"key", 1}, {std::string("b\xff"), 2}}},
                                {"users", {std::string("\xc3"), "alice"}}};
  EXPECT_THROW((void)doc.dump(), nlohmann::json::type_error);
  std::ostringstream json;
  PrintJson(json, doc);
  auto back = nlohmann::json::parse(json.str());
  EXPECT_EQ(back["buckets"]["key"], 1);
  EXPECT_EQ(back["buckets"]["base64:Yv8="], 2);
  EXPECT_EQ(back["users"][0], "base64:ww==");
  EXPECT_EQ(back["users"][1], "alice");
  std::ostringstream yaml;
  PrintYaml(yaml, doc);
  EXPECT_NE(yaml.str().find("base64:Yv8="), std::string::npos) << yaml.str();
}

}  // namespace
}  // namespace ketcd::cli
