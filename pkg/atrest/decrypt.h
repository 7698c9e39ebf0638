#pragma once
// Decrypting a value the kube-apiserver encrypted at rest ("k8s:enc:<provider>:v1:<key>:"
// + payload; layouts in README.md), with the keys of its EncryptionConfiguration.
//
//   absl::StatusOr<std::string> plain = Decrypt(config, "", "secrets", kv.key, kv.value);

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "pkg/atrest/config.h"

namespace ketcd::atrest {

// `value` as stored under `etcd_key` (the authenticated data of aesgcm) for the resource
// `group`/`resource`. The key is looked up by provider and name among the providers the
// configuration lists for the resource, then among all others (a configuration that has
// since moved the key elsewhere). Errors:
//   InvalidArgument  not an encrypted value, or its prefix is incomplete
//   NotFound         no key of that provider and name in `config`
//   Unimplemented    kms: the key lives in the KMS plugin
//   DataLoss         the payload does not open with the key (shorter than its nonce, bad
//                    padding, failed authentication: another key of the same name, or damage)
absl::StatusOr<std::string> Decrypt(const EncryptionConfig& config, std::string_view group, std::string_view resource,
                                    std::string_view etcd_key, std::string_view value);

// One payload with one key (no prefix): the primitive under Decrypt, for tests.
absl::StatusOr<std::string> OpenPayload(Provider provider, std::string_view key, std::string_view payload,
                                        std::string_view authenticated_data);

}  // namespace ketcd::atrest
