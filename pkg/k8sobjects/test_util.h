#pragma once
// Builds stored values of Kubernetes objects for tests: a message of the built-in schema
// from protobuf text format, wrapped the way kube-apiserver writes it.

#include <google/protobuf/stubs/logging.h>
#include <google/protobuf/text_format.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "pkg/k8sobjects/schema.h"

namespace ketcd::k8sobjects {

// The message bytes of `kind` in `api_version` given as text format; empty if it does not parse.
inline std::string EncodeText(const std::string& api_version, const std::string& kind, const std::string& text) {
  const Schema& s = Schema::Get();
  const google::protobuf::Descriptor* d = s.FindKind(api_version, kind);
  if (d == nullptr) return "";
  auto m = s.New(d);
  // Tests put strings that are not UTF-8 on purpose: no log line for them.
  google::protobuf::LogHandler* previous = google::protobuf::SetLogHandler(nullptr);
  std::string out;
  if (google::protobuf::TextFormat::ParseFromString(text, m.get())) out = m->SerializeAsString();
  google::protobuf::SetLogHandler(previous);
  return out;
}

inline std::string LengthDelimited(int field, const std::string& bytes) {
  std::string out(1, static_cast<char>(field << 3 | 2));
  uint64_t n = bytes.size();
  while (n >= 0x80) {
    out.push_back(static_cast<char>((n & 0x7f) | 0x80));
    n >>= 7;
  }
  out.push_back(static_cast<char>(n));
  return out + bytes;
}

// "k8s\0" + runtime.Unknown{typeMeta{apiVersion, kind}, raw}.
inline std::string Envelop(const std::string& api_version, const std::string& kind, const std::string& raw) {
  std::string type_meta = LengthDelimited(1, api_version) + LengthDelimited(2, kind);
  return std::string("k8s\0", 4) + LengthDelimited(1, type_meta) + LengthDelimited(2, raw) + LengthDelimited(3, "") +
         LengthDelimited(4, "");
}

inline std::string StoredText(const std::string& api_version, const std::string& kind, const std::string& text) {
  return Envelop(api_version, kind, EncodeText(api_version, kind, text));
}

}  // namespace ketcd::k8sobjects
