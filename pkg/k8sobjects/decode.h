#pragma once
// A value Kubernetes stored in etcd, decoded into the object the API server would serve
// (envelope.h for the encodings, to_json.h for the JSON form).
//
//   KETCD_ASSIGN_OR_RETURN(Object o, DecodeObject(kv.value));
//   if (o.encoding == Encoding::kEncrypted) ... o.provider, o.key_name ...
//   else print(o.json);

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "pkg/k8sobjects/envelope.h"
#include "pkg/k8sobjects/to_json.h"

namespace ketcd::k8sobjects {

struct Object {
  Encoding encoding = Encoding::kUnrecognized;
  std::string api_version;  // "apps/v1"; empty when encrypted or unrecognized
  std::string kind;         // "Deployment"
  Json json;                // the object, with apiVersion and kind; null when not decoded
  std::string provider;     // encrypted: "aescbc", "kms"...
  std::string key_name;     // encrypted: the key's name in the EncryptionConfiguration
};

// kProtobuf and kJson values give the object; encrypted and unrecognized values give their
// encoding (and provider/key) with a null json. Errors: DataLoss for a malformed envelope,
// message or JSON document; NotFound when no built-in schema knows the apiVersion/kind.
absl::StatusOr<Object> DecodeObject(std::string_view value);

}  // namespace ketcd::k8sobjects
