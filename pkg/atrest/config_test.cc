#include "pkg/atrest/config.h"

#include <gtest/gtest.h>

namespace ketcd::atrest {
namespace {

constexpr char kConfig[] = R"(apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
- resources: [secrets, configmaps]
  providers:
  - aescbc:
      keys:
      - {name: new, secret: MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=}
      - {name: old, secret: MDEyMzQ1Njc4OWFiY2RlZg==}
  - identity: {}
- resources: ["*.apps"]
  providers:
  - kms: {apiVersion: v2, name: vault, endpoint: unix:///kms.sock}
- resources: ["*.*"]
  providers:
  - secretbox:
      keys: [{name: sb, secret: MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=}]
)";

TEST(EncryptionConfig, ParsesProvidersAndKeys) {
  auto c = EncryptionConfig::Parse(kConfig);
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_EQ(c->rules().size(), 3u);
  auto secrets = c->ProvidersFor("", "secrets");
  ASSERT_EQ(secrets.size(), 2u);
  EXPECT_EQ(secrets[0]->provider, Provider::kAesCbc);
  ASSERT_EQ(secrets[0]->keys.size(), 2u);
  EXPECT_EQ(secrets[0]->keys[0].name, "new");
  EXPECT_EQ(secrets[0]->keys[0].secret.view(), "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(secrets[0]->keys[1].secret.view(), "0123456789abcdef");
  EXPECT_EQ(secrets[1]->provider, Provider::kIdentity);

  auto deploy = c->ProvidersFor("apps", "deployments");  // "*.apps"
  ASSERT_EQ(deploy.size(), 1u);
  EXPECT_EQ(deploy[0]->provider, Provider::kKms);
  EXPECT_EQ(deploy[0]->kms_name, "vault");
  EXPECT_EQ(deploy[0]->kms_api_version, "v2");

  auto other = c->ProvidersFor("batch", "jobs");  // "*.*"
  ASSERT_EQ(other.size(), 1u);
  EXPECT_EQ(other[0]->provider, Provider::kSecretbox);
  EXPECT_EQ(c->AllProviders().size(), 4u);
}

TEST(EncryptionConfig, ExactBeforeGroupBeforeAny) {
  auto c = EncryptionConfig::Parse(R"(apiVersion: v1
kind: EncryptionConfig
resources:
- resources: ["*."]
  providers: [{aesgcm: {keys: [{name: core, secret: MDEyMzQ1Njc4OWFiY2RlZg==}]}}]
- resources: [events]
  providers: [{identity: {}}]
)");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->ProvidersFor("", "events")[0]->provider, Provider::kIdentity);
  EXPECT_EQ(c->ProvidersFor("", "secrets")[0]->provider, Provider::kAesGcm);
  EXPECT_TRUE(c->ProvidersFor("apps", "deployments").empty());
}

TEST(EncryptionConfig, RejectsWhatTheApiServerRejects) {
  struct Case {
    const char* yaml;
    const char* message;
  };
  const std::string head = "apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\n";
  for (const Case& c : std::vector<Case>{
           {"apiVersion: v1\nkind: ConfigMap\n", "is not an EncryptionConfiguration"},
           {"resources: [{resources: [secrets]}]\n", "no \"providers\" list"},
           {"resources: [{resources: [secrets], providers: [{rot13: {}}]}]\n", "unknown provider \"rot13\""},
           {"resources: [{resources: [secrets], providers: [{aescbc: {keys: []}}]}]\n", "no keys"},
           {"resources: [{resources: [secrets], providers: [{aescbc: {keys: [{name: k, secret: '!!'}]}}]}]\n",
            "not base64"},
           {"resources: [{resources: [secrets], providers: [{aescbc: {keys: [{name: k, secret: c2hvcnQ=}]}}]}]\n",
            "is 5 bytes"},
           {"resources: [{resources: [secrets], providers: [{secretbox: {keys: [{name: k, secret: "
            "MDEyMzQ1Njc4OWFiY2RlZg==}]}}]}]\n",
            "takes 32"},
           {"resources: [{resources: [secrets], providers: [{aescbc: {}, identity: {}}]}]\n", "exactly one"},
           {"resources: [{resources: [secrets]\n", "not valid YAML"},
       }) {
    std::string text = std::string(c.yaml).starts_with("apiVersion") ? c.yaml : head + c.yaml;
    auto parsed = EncryptionConfig::Parse(text);
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(parsed.status().message().find(c.message), std::string_view::npos) << parsed.status();
    // A secret never appears in a message.
    EXPECT_EQ(parsed.status().message().find("MDEy"), std::string_view::npos);
  }
}

TEST(EncryptionConfig, LoadNamesTheFile) {
  auto c = EncryptionConfig::Load("/nonexistent/enc.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), absl::StatusCode::kNotFound) << c.status();
}

}  // namespace
}  // namespace ketcd::atrest
