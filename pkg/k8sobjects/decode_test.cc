#include "pkg/k8sobjects/decode.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "pkg/k8sobjects/schema.h"
#include "pkg/k8sobjects/test_util.h"

namespace ketcd::k8sobjects {
namespace {

TEST(SchemaTest, KnowsTheGroupsOfK8sApi) {
  const Schema& s = Schema::Get();
  EXPECT_GT(s.message_count(), 500u);
  EXPECT_EQ(s.FindKind("v1", "ConfigMap")->full_name(), "k8s.io.api.core.v1.ConfigMap");
  EXPECT_EQ(s.FindKind("apps/v1", "Deployment")->full_name(), "k8s.io.api.apps.v1.Deployment");
  EXPECT_EQ(s.FindKind("rbac.authorization.k8s.io/v1", "ClusterRole")->full_name(), "k8s.io.api.rbac.v1.ClusterRole");
  EXPECT_EQ(s.FindKind("internal.apiserver.k8s.io/v1alpha1", "StorageVersion")->full_name(),
            "k8s.io.api.apiserverinternal.v1alpha1.StorageVersion");
  // Group versions removed from k8s.io/api since Kubernetes 1.29 (older modules fill them in).
  EXPECT_NE(s.FindKind("resource.k8s.io/v1alpha2", "ResourceClaim"), nullptr);
  EXPECT_NE(s.FindKind("autoscaling/v2beta2", "HorizontalPodAutoscaler"), nullptr);
  EXPECT_NE(s.FindKind("networking.k8s.io/v1alpha1", "ServiceCIDR"), nullptr);
  EXPECT_NE(s.FindKind("scheduling.k8s.io/v1alpha2", "Workload"), nullptr);
  EXPECT_EQ(s.FindKind("apps/v1", "ConfigMap"), nullptr);
  EXPECT_EQ(s.FindKind("example.com/v1", "Widget"), nullptr);
}

TEST(DecodeTest, Protobuf) {
  auto o = DecodeObject(StoredText("v1", "Secret", R"pb(metadata { name: "s" namespace: "demo" }
                                                        data { key: "password" value: "hunter2" }
                                                        type: "Opaque")pb"));
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->encoding, Encoding::kProtobuf);
  EXPECT_EQ(o->json, Json::parse(R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"s","namespace":"demo"},
      "data":{"password":"aHVudGVyMg=="},"type":"Opaque"})"));
}

TEST(DecodeTest, Json) {
  auto o = DecodeObject(R"({"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"}})");
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->encoding, Encoding::kJson);
  EXPECT_EQ(o->api_version, "example.com/v1");
  EXPECT_EQ(o->kind, "Widget");
  EXPECT_EQ(o->json["metadata"]["name"], "w");
  EXPECT_EQ(DecodeObject("{not json").status().code(), absl::StatusCode::kDataLoss);
}

TEST(DecodeTest, EncryptedIsReportedNotDecoded) {
  auto o = DecodeObject("k8s:enc:secretbox:v1:key2:ciphertext");
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->encoding, Encoding::kEncrypted);
  EXPECT_EQ(o->provider, "secretbox");
  EXPECT_EQ(o->key_name, "key2");
  EXPECT_TRUE(o->json.is_null());
}

TEST(DecodeTest, UnknownKindIsNotFound) {
  EXPECT_EQ(DecodeObject(Envelop("example.com/v1", "Widget", "")).status().code(), absl::StatusCode::kNotFound);
}

TEST(DecodeTest, StringsThatAreNotUtf8AreKeptQuietly) {
  const std::string stored = StoredText("v1", "ConfigMap", R"pb(metadata { name: "\xff\xfe" })pb");
  ::testing::internal::CaptureStderr();
  auto o = DecodeObject(stored);
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->json["metadata"]["name"], "\xff\xfe");
}

TEST(DecodeTest, MalformedMessageIsDataLoss) {
  EXPECT_EQ(DecodeObject(Envelop("v1", "ConfigMap", "\x0a\x7f")).status().code(), absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace ketcd::k8sobjects

namespace ketcd::k8sobjects {
namespace {

// The fuzz target's seeds decode (fuzz/decode_fuzz.cc starts from them).
TEST(DecodeTest, FuzzSeeds) {
  std::map<std::string, std::string> kinds;
  for (const auto& e : std::filesystem::directory_iterator(KETCD_FUZZ_SEEDS)) {
    std::ifstream in(e.path(), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto o = DecodeObject(bytes);
    ASSERT_TRUE(o.ok()) << e.path() << ": " << o.status();
    kinds[e.path().filename().string()] = o->encoding == Encoding::kEncrypted ? "encrypted" : o->kind;
  }
  EXPECT_EQ(kinds, (std::map<std::string, std::string>{{"configmap.pb", "ConfigMap"},
                                                       {"deployment.pb", "Deployment"},
                                                       {"secret-aescbc.bin", "encrypted"},
                                                       {"service.pb", "Service"},
                                                       {"widget.json", "Widget"}}));
}

}  // namespace
}  // namespace ketcd::k8sobjects
