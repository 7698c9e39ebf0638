// ServedJsonWriter against the general decoder: the same text as DecodeObject's json printed
// by cli::PrintJson, for every k8s.io/api round-trip fixture and for hand-made edge cases.
#include "pkg/k8sobjects/served_json.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "pkg/cli/output.h"
#include "pkg/k8sobjects/decode.h"
#include "pkg/k8sobjects/test_util.h"

namespace ketcd::k8sobjects {
namespace {

std::string ReadAll(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// What `get -o json` printed for one object before the writer existed.
std::string General(std::string_view value, int64_t rv, bool keep_managed, size_t indent) {
  auto o = DecodeObject(value);
  if (!o.ok() || !o->json.is_object()) return "<not decoded>";
  Json& meta = o->json["metadata"];
  if (!meta.is_object()) meta = Json::object();
  meta["resourceVersion"] = std::to_string(rv);
  if (!keep_managed) meta.erase("managedFields");
  std::ostringstream s;
  cli::PrintJson(s, nlohmann::ordered_json(o->json));
  std::string text = s.str();
  text.pop_back();
  std::string out(indent, ' ');
  for (char c : text) {
    out.push_back(c);
    if (c == '\n') out.append(indent, ' ');
  }
  return out;
}

void ExpectSame(std::string_view value, bool keep_managed, size_t indent, bool* written = nullptr) {
  ServedJsonWriter w;
  std::string out = "prefix";
  ServedSummary sum;
  bool ok = w.Write(value, {.resource_version = 42, .keep_managed_fields = keep_managed, .indent = indent}, &out, &sum);
  if (written != nullptr) *written = ok;
  if (!ok) {
    EXPECT_EQ(out, "prefix");
    return;
  }
  EXPECT_EQ(out, "prefix" + General(value, 42, keep_managed, indent));
}

TEST(ServedJsonTest, EveryFixtureAsTheGeneralDecoderPrintsIt) {
  std::filesystem::path dir = KETCD_K8S_TESTDATA;
  ASSERT_TRUE(std::filesystem::is_directory(dir)) << dir;
  int written = 0, total = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".pb") continue;
    std::string value = ReadAll(entry.path());
    auto o = DecodeObject(value);
    if (!o.ok() || !o->json.is_object() || !o->json.contains("metadata")) continue;
    total++;
    for (bool keep : {false, true}) {
      bool ok = false;
      SCOPED_TRACE(entry.path().stem().string());
      ExpectSame(value, keep, keep ? 8 : 0, &ok);
      if (ok && keep) written++;
    }
  }
  EXPECT_GT(total, 150);
  EXPECT_GT(written, total * 9 / 10) << "written by the writer itself: " << written << " of " << total;
}

TEST(ServedJsonTest, EdgeCases) {
  // Strings that need escaping or are not UTF-8, a duplicated map key, empty and absent values.
  std::string cm = StoredText("v1", "ConfigMap",
                              R"(metadata { name: "a\"b\\c\n" namespace: "ns" labels { key: "z" value: "1" }
                                 labels { key: "a" value: "\x01\x7f" } creationTimestamp { seconds: 1767225600 } }
                                 data { key: "k" value: "first" } data { key: "k" value: "second" }
                                 data { key: "bad" value: "\xff\xfe" } data { key: "b64" value: "base64:x" }
                                 binaryData { key: "bin" value: "\x00\x01\x02" } immutable: false)");
  ASSERT_FALSE(cm.empty());
  bool ok = false;
  ExpectSame(cm, false, 0, &ok);
  EXPECT_TRUE(ok);
  ServedJsonWriter w;
  std::string out;
  ServedSummary sum;
  ASSERT_TRUE(w.Write(cm, {}, &out, &sum));
  EXPECT_EQ(sum.kind, "ConfigMap");
  EXPECT_EQ(sum.api_version, "v1");
  ASSERT_TRUE(w.Check(cm, &sum));
  EXPECT_EQ(sum.kind, "ConfigMap");
  EXPECT_EQ(sum.created, "2026-01-01T00:00:00Z");
  // No creationTimestamp: null, and no AGE.
  std::string bare = StoredText("v1", "ConfigMap", R"(metadata { name: "x" })");
  ExpectSame(bare, false, 0);
  ASSERT_TRUE(w.Check(bare, &sum));
  EXPECT_FALSE(sum.created.has_value());
  EXPECT_EQ(sum.map_entries, 0u);
  // The entries of the map fields (data, binaryData) as on the wire: the table's DATA.
  std::string three = StoredText("v1", "ConfigMap", R"(metadata { name: "x" } data { key: "a" value: "1" }
                                    data { key: "b" value: "" } binaryData { key: "c" value: "\x00" })");
  ASSERT_TRUE(w.Check(three, &sum));
  EXPECT_EQ(sum.map_entries, 3u);
  // A pod with inlined structs (volume sources), quantities, int-or-string, durations.
  std::string pod = StoredText("v1", "Pod", R"(metadata { name: "p" managedFields { manager: "m" } }
      spec { volumes { name: "v" volumeSource { emptyDir { sizeLimit { string: "1Gi" } } } }
             containers { name: "c" ports { containerPort: 80 }
                          livenessProbe { handler { httpGet { port { type: 1 strVal: "http" } } } } }
             terminationGracePeriodSeconds: 0 })");
  ASSERT_FALSE(pod.empty());
  ExpectSame(pod, false, 0, &ok);
  EXPECT_TRUE(ok);
  ExpectSame(pod, true, 4, &ok);
  EXPECT_TRUE(ok);
}

TEST(ServedJsonTest, LeavesToTheGeneralDecoder) {
  ServedJsonWriter w;
  std::string out;
  // JSON, encrypted, unknown kind, malformed message, a message field given twice.
  for (std::string value : {std::string(R"({"kind":"Widget"})"), std::string("k8s:enc:aescbc:v1:key1:xxxx"),
                            Envelop("v1", "NoSuchKind", ""), Envelop("v1", "ConfigMap", "\x0a\x05\x0a"),
                            Envelop("v1", "ConfigMap", LengthDelimited(1, "") + LengthDelimited(1, ""))}) {
    EXPECT_FALSE(w.Write(value, {}, &out, nullptr)) << value;
    EXPECT_EQ(out, "");
    ServedSummary sum;
    EXPECT_FALSE(w.Check(value, &sum)) << value;
  }
  // Malformed bytes in dropped managedFields fail as they do for the general decoder.
  std::string meta = LengthDelimited(1, "x") + LengthDelimited(17, "\x0a\x05");
  EXPECT_FALSE(w.Write(Envelop("v1", "ConfigMap", LengthDelimited(1, meta)), {}, &out, nullptr));
  ServedSummary sum;
  EXPECT_FALSE(w.Check(Envelop("v1", "ConfigMap", LengthDelimited(1, meta)), &sum));
  EXPECT_FALSE(DecodeObject(Envelop("v1", "ConfigMap", LengthDelimited(1, meta))).ok());
}

}  // namespace
}  // namespace ketcd::k8sobjects
