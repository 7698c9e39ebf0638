// libFuzzer target: an etcd value decoded as a stored Kubernetes object (envelope, protobuf
// message of any built-in kind, JSON), then printed as `get -o json` and `-o yaml` print it,
// and put in its apply-able form as `extract` does; and the same value through the wire
// writer `get -o json` uses first (served_json.h), whose text must equal the general
// decoder's whenever it writes one.
// An object or an error status must come out; a crash, a sanitizer report, an exception or
// a difference between the two JSON texts is a bug. Seeds: a protobuf ConfigMap, Deployment
// and Service, a JSON custom resource, an encrypted value (corpus/k8sobjects_decode_fuzz).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string_view>

#include "pkg/cli/output.h"
#include "pkg/k8sobjects/decode.h"
#include "pkg/k8sobjects/extract.h"
#include "pkg/k8sobjects/served_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ketcd;
  const std::string_view value(reinterpret_cast<const char*>(data), size);
  static k8sobjects::ServedJsonWriter* writer = new k8sobjects::ServedJsonWriter();
  std::string written;
  k8sobjects::ServedSummary summary;
  const bool fast = writer->Write(value, {.resource_version = 7}, &written, &summary);
  auto o = k8sobjects::DecodeObject(value);
  if (!o.ok() || !o->json.is_object()) {
    if (fast) std::abort();  // the writer printed what the general decoder refuses
    return 0;
  }
  nlohmann::ordered_json ordered = o->json;
  std::ostringstream out;
  cli::PrintJson(out, ordered);
  cli::PrintYaml(out, ordered);
  if (fast) {
    k8sobjects::Json served = o->json;
    k8sobjects::Json& meta = served["metadata"];
    if (!meta.is_object()) meta = k8sobjects::Json::object();
    meta["resourceVersion"] = "7";
    meta.erase("managedFields");
    std::ostringstream general;
    cli::PrintJson(general, nlohmann::ordered_json(served));
    if (general.str() != written + "\n") std::abort();
  }
  k8sobjects::Extraction x;
  x.Add(o->json);
  (void)x.Finish();
  return 0;
}
