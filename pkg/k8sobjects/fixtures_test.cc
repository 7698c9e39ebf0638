// Every round-trip fixture of k8s.io/api (testdata/HEAD: each type as protobuf, as Kubernetes
// stores it, and as the JSON the API server serves), copied to the schema cache by
// tests/tools/fetch-k8s-protos.sh: the decoded protobuf must equal the JSON.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "pkg/k8sobjects/decode.h"

namespace ketcd::k8sobjects {
namespace {

std::string ReadAll(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(FixturesTest, ProtobufDecodesToTheJsonOfK8sApi) {
  std::filesystem::path dir = KETCD_K8S_TESTDATA;
  ASSERT_TRUE(std::filesystem::is_directory(dir)) << dir;
  int checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".pb") continue;
    std::filesystem::path json_path = entry.path();
    json_path.replace_extension(".json");
    std::string name = entry.path().stem().string();
    Json want = Json::parse(ReadAll(json_path));
    if (!want.contains("kind")) continue;  // WatchEvent: not an object
    auto o = DecodeObject(ReadAll(entry.path()));
    EXPECT_TRUE(o.ok()) << name << ": " << o.status();
    if (!o.ok()) continue;
    EXPECT_TRUE(o->json == want) << name << ": " << Json::diff(o->json, want).dump();
    checked++;
  }
  EXPECT_GT(checked, 150);
}

}  // namespace
}  // namespace ketcd::k8sobjects
