#pragma once
// The envelope of a value Kubernetes stores in etcd (k8s.io/apimachinery
// pkg/runtime/serializer/protobuf and apiserver pkg/storage/value):
//   "k8s\x00" + runtime.Unknown   protobuf: typeMeta {apiVersion, kind}, raw (the object),
//                                 contentEncoding, contentType
//   "{" ...                       JSON (custom resources, CRDs, APIServices)
//   "k8s:enc:<provider>:<v>:<key>:" + ciphertext   encrypted at rest (aescbc, aesgcm,
//                                 secretbox, kms v1 "v1", kms v2 "v2")
// Anything else is kUnrecognized. Views point into the input.

#include <string_view>

#include "absl/status/statusor.h"

namespace ketcd::k8sobjects {

enum class Encoding { kProtobuf, kJson, kEncrypted, kUnrecognized };
const char* EncodingName(Encoding e);  // "protobuf", "json", "encrypted", "unrecognized"

struct Envelope {
  Encoding encoding = Encoding::kUnrecognized;
  // kProtobuf: from runtime.Unknown.
  std::string_view api_version;
  std::string_view kind;
  std::string_view raw;  // kProtobuf: the object message; kJson: the whole value
  std::string_view content_encoding;
  std::string_view content_type;
  // kEncrypted.
  std::string_view provider;          // "aescbc", "aesgcm", "secretbox", "kms"
  std::string_view provider_version;  // "v1", "v2"
  std::string_view key_name;
  std::string_view ciphertext;
};

// DataLoss when a protobuf envelope is malformed or an encryption prefix is cut short.
absl::StatusOr<Envelope> ParseEnvelope(std::string_view value);

}  // namespace ketcd::k8sobjects
