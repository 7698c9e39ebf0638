#pragma once
// The JSON the API server serves for a protobuf-encoded stored value, written straight from
// the wire bytes into text, with no document in between: byte for byte what cli::PrintJson
// prints for DecodeObject's json once served (metadata.resourceVersion set to the key's
// revision, metadata.managedFields dropped unless kept), members in sorted order, indented
// by 4 spaces per level. Field lookups go through per-type plans (wire_plan.h); strings are
// copied once, from the value into the output.
//
//   ServedJsonWriter w;
//   ServedSummary s;
//   if (!w.Write(kv.value, {.resource_version = kv.mod_revision}, &out, &s)) {
//     ... DecodeObject(kv.value) and the general printer ...
//   }
//
// Write leaves to DecodeObject (returns false, `out` unchanged) every value it does not
// handle itself: other encodings (JSON, encrypted), content encodings, kinds without a
// schema, messages with enum or group fields or two members of one name, a message field
// given twice (protobuf merges them), packed or mistyped fields, malformed bytes (for which
// DecodeObject gives the error), nesting deeper than 100. One writer per thread.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ketcd::k8sobjects {

struct ServedOptions {
  int64_t resource_version = 0;
  bool keep_managed_fields = false;
  size_t indent = 0;  // spaces before every line (the first too)
};

struct ServedSummary {
  std::string_view api_version;  // views into the value
  std::string_view kind;
  // metadata.creationTimestamp as served ("2026-01-01T00:00:00Z"); nullopt when null
  // (and from Write, which leaves it to the JSON).
  std::optional<std::string> created;
  // From Check: the entries of the object's top-level map fields, counted on the wire (a
  // ConfigMap's data and binaryData: the DATA column of `get`'s table). A key given twice
  // (which the API server never writes) counts twice.
  uint32_t map_entries = 0;
};

struct MessagePlan;

class ServedJsonWriter {
 public:
  ServedJsonWriter();
  ~ServedJsonWriter();
  ServedJsonWriter(const ServedJsonWriter&) = delete;
  ServedJsonWriter& operator=(const ServedJsonWriter&) = delete;

  // Appends the object (no newline after its closing brace) to *out; false: see above.
  bool Write(std::string_view value, const ServedOptions& options, std::string* out, ServedSummary* summary);
  // The summary alone, for output that needs no JSON (-o name, the table): the value is
  // parsed through, as Write would, without writing it; false as for Write.
  bool Check(std::string_view value, ServedSummary* summary);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace ketcd::k8sobjects
