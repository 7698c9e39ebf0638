#pragma once
// The data tests/tools/fetch-k8s-protos.sh generates at build time from the k8s.io/api and
// k8s.io/apimachinery Go modules (build/gen/pkg/k8sobjects/schema_data.cc).

#include <cstddef>

namespace ketcd::k8sobjects {

struct GroupVersionPackage {
  const char* group;    // "" for the core group
  const char* version;  // "v1"
  const char* package;  // "k8s.io.api.core.v1"
};

extern const char kSchemaApiVersion[];  // "v0.37.2"
// A FileDescriptorSet of every generated.proto of both modules (protoc --include_imports).
extern const unsigned char kDescriptorSet[];
extern const size_t kDescriptorSetSize;
// Every group/version of k8s.io/api (register.go).
extern const GroupVersionPackage kGroupVersions[];
extern const size_t kGroupVersionCount;
// One line per message: "pkg.Message", then for each field a TAB and
// "protoField[=jsonName][/flags]" (jsonName when it differs from protoField; flags:
// tests/tools/go-json-fields.awk), then "\n".
extern const char kGoFields[];

}  // namespace ketcd::k8sobjects
