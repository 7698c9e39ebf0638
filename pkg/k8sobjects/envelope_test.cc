#include "pkg/k8sobjects/envelope.h"

#include <gtest/gtest.h>

#include "pkg/k8sobjects/test_util.h"

namespace ketcd::k8sobjects {
namespace {

TEST(EnvelopeTest, Protobuf) {
  const std::string value = Envelop("apps/v1", "Deployment", "RAW");
  auto env = ParseEnvelope(value);
  ASSERT_TRUE(env.ok()) << env.status();
  EXPECT_EQ(env->encoding, Encoding::kProtobuf);
  EXPECT_EQ(env->api_version, "apps/v1");
  EXPECT_EQ(env->kind, "Deployment");
  EXPECT_EQ(env->raw, "RAW");
}

TEST(EnvelopeTest, Json) {
  auto env = ParseEnvelope(" {\"kind\":\"Widget\"}");
  ASSERT_TRUE(env.ok());
  EXPECT_EQ(env->encoding, Encoding::kJson);
}

TEST(EnvelopeTest, Encrypted) {
  auto env = ParseEnvelope("k8s:enc:aescbc:v1:key1:\x01\x02:secret");
  ASSERT_TRUE(env.ok());
  EXPECT_EQ(env->encoding, Encoding::kEncrypted);
  EXPECT_EQ(env->provider, "aescbc");
  EXPECT_EQ(env->provider_version, "v1");
  EXPECT_EQ(env->key_name, "key1");
  EXPECT_EQ(env->ciphertext, "\x01\x02:secret");
  env = ParseEnvelope("k8s:enc:kms:v2:vault:xyz");
  ASSERT_TRUE(env.ok());
  EXPECT_EQ(env->provider, "kms");
  EXPECT_EQ(env->provider_version, "v2");
  EXPECT_EQ(env->key_name, "vault");
}

TEST(EnvelopeTest, CutEncryptionPrefixIsDataLoss) {
  EXPECT_EQ(ParseEnvelope("k8s:enc:aescbc:v1").status().code(), absl::StatusCode::kDataLoss);
}

TEST(EnvelopeTest, Unrecognized) {
  auto env = ParseEnvelope("plain text");
  ASSERT_TRUE(env.ok());
  EXPECT_EQ(env->encoding, Encoding::kUnrecognized);
  EXPECT_STREQ(EncodingName(env->encoding), "unrecognized");
}

TEST(EnvelopeTest, MalformedProtobufIsDataLoss) {
  std::string good = Envelop("v1", "Pod", "raw");
  size_t type_meta_end = 4 + LengthDelimited(1, LengthDelimited(1, "v1") + LengthDelimited(2, "Pod")).size();
  for (size_t n = 5; n < type_meta_end; n++) {
    auto env = ParseEnvelope(good.substr(0, n));
    EXPECT_FALSE(env.ok()) << n;
  }
  // A length past the end.
  EXPECT_EQ(ParseEnvelope(std::string("k8s\0\x12\x7f", 6)).status().code(), absl::StatusCode::kDataLoss);
  // No kind.
  EXPECT_EQ(ParseEnvelope(std::string("k8s\0", 4) + LengthDelimited(2, "x")).status().code(),
            absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace ketcd::k8sobjects
