#pragma once
// A decoded Kubernetes protobuf message as the JSON the API server serves for it: what Go's
// encoding/json writes for the k8s.io/api struct the message was made from.
// - Field names and omission follow the Go struct tags (Schema::Go): a field absent from
//   the message is left out when the Go field is a pointer, slice or map with omitempty
//   (null without it); a set zero scalar is left out under omitempty unless the Go field is
//   a pointer; inlined (embedded) structs merge into their parent.
// - apimachinery types with their own JSON form: meta.v1.Time (RFC 3339, seconds, UTC, null
//   when zero), MicroTime (RFC 3339 with microseconds), Duration (Go's "1h2m3s"),
//   resource.Quantity (its string), intstr.IntOrString (number or string),
//   runtime.RawExtension and meta.v1.FieldsV1 (the JSON they hold), single-field
//   `items` wrappers of Go slice types (ExtraValue, Verbs...) as arrays.
// - bytes as base64, int64 as numbers. Objects come out with their keys sorted, as kubectl
//   prints them.

#include <google/protobuf/message.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace ketcd::k8sobjects {

using Json = nlohmann::json;

Json MessageToJson(const google::protobuf::Message& m);

// How a message type is written: as an object of its fields, or in a form of its own.
enum class JsonForm {
  kObject,
  kTime,          // meta.v1.Time
  kMicroTime,     // meta.v1.MicroTime
  kDuration,      // meta.v1.Duration
  kQuantity,      // resource.Quantity
  kIntOrString,   // intstr.IntOrString
  kEmbeddedJson,  // runtime.RawExtension, meta.v1.FieldsV1
  kItems,         // a Go slice type's one repeated `items` field
};
JsonForm JsonFormOf(const google::protobuf::Descriptor* d);

// Go's time.Duration.String(): "0s", "1.5s", "1h0m0s", "300ms", "1µs".
std::string GoDurationString(int64_t nanos);
// RFC 3339 in UTC: "2024-05-01T12:00:00Z", or with micro: "2024-05-01T12:00:00.000001Z".
std::string Rfc3339(int64_t seconds, int32_t nanos, bool micro);

}  // namespace ketcd::k8sobjects
