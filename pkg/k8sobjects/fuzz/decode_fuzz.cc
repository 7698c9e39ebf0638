// libFuzzer target: an etcd value decoded as a stored Kubernetes object (envelope, protobuf
// message of any built-in kind, JSON), then printed as `get -o json` and `-o yaml` print it,
// and put in its apply-able form as `extract` does.
// An object or an error status must come out; a crash, a sanitizer report or an exception is
// a bug. Seeds: a protobuf ConfigMap, Deployment and Service, a JSON custom resource, an
// encrypted value (corpus/k8sobjects_decode_fuzz).
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string_view>

#include "pkg/cli/output.h"
#include "pkg/k8sobjects/decode.h"
#include "pkg/k8sobjects/extract.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ketcd;
  auto o = k8sobjects::DecodeObject(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!o.ok() || !o->json.is_object()) return 0;
  nlohmann::ordered_json ordered = o->json;
  std::ostringstream out;
  cli::PrintJson(out, ordered);
  cli::PrintYaml(out, ordered);
  k8sobjects::Extraction x;
  x.Add(o->json);
  (void)x.Finish();
  return 0;
}
