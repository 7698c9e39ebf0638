// libFuzzer target: a stored value decrypted with a configuration that has a key named "k"
// for every provider (aescbc and aesgcm of 16 and 32 bytes are tried through two names).
// Plaintext or an error status must come out. Seeds: the values of decrypt_test.cc
// (corpus/atrest_decrypt_fuzz).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "pkg/atrest/decrypt.h"

namespace {

const ketcd::atrest::EncryptionConfig& Config() {
  static const auto* config = new ketcd::atrest::EncryptionConfig(*ketcd::atrest::EncryptionConfig::Parse(R"(
apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
- resources: [secrets]
  providers:
  - aescbc: {keys: [{name: k, secret: MDEyMzQ1Njc4OWFiY2RlZg==}, {name: k32, secret: MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=}]}
  - aesgcm: {keys: [{name: k, secret: MDEyMzQ1Njc4OWFiY2RlZg==}, {name: k32, secret: MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=}]}
  - secretbox: {keys: [{name: k, secret: MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=}]}
  - kms: {apiVersion: v2, name: k, endpoint: unix:///kms.sock}
  - identity: {}
)"));
  return *config;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view value(reinterpret_cast<const char*>(data), size);
  (void)ketcd::atrest::Decrypt(Config(), "", "secrets", "/registry/secrets/demo/creds", value);
  return 0;
}
