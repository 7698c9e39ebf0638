#include "pkg/k8sobjects/decode.h"

#include <google/protobuf/stubs/logging.h>

#include "absl/strings/str_cat.h"
#include "pkg/base/status.h"
#include "pkg/k8sobjects/crd_v1.h"
#include "pkg/k8sobjects/schema.h"

namespace ketcd::k8sobjects {
namespace {

// Go strings may hold any bytes; protobuf logs each string field that is not UTF-8 while
// parsing (proto2 keeps the bytes). Such logs would land on the user's stderr, once per
// field: they are dropped while a stored object is parsed.
class QuietProtobufLog {
 public:
  QuietProtobufLog() : previous_(google::protobuf::SetLogHandler(nullptr)) {}
  ~QuietProtobufLog() { google::protobuf::SetLogHandler(previous_); }
  QuietProtobufLog(const QuietProtobufLog&) = delete;
  QuietProtobufLog& operator=(const QuietProtobufLog&) = delete;

 private:
  google::protobuf::LogHandler* previous_;
};

absl::StatusOr<Object> DecodeProtobuf(const Envelope& env) {
  Object o;
  o.encoding = Encoding::kProtobuf;
  o.api_version = std::string(env.api_version);
  o.kind = std::string(env.kind);
  if (!env.content_encoding.empty()) {
    return absl::UnimplementedError(
        absl::StrCat("content encoding \"", std::string(env.content_encoding), "\" of ", o.kind));
  }
  const Schema& schema = Schema::Get();
  const google::protobuf::Descriptor* d = schema.FindKind(o.api_version, o.kind);
  if (d == nullptr) {
    return absl::NotFoundError(absl::StrCat("no schema for ", o.api_version, " ", o.kind, " (built with k8s.io/api ",
                                            schema.api_module_version(), ")"));
  }
  std::unique_ptr<google::protobuf::Message> m = schema.New(d);
  bool parsed = false;
  {
    QuietProtobufLog quiet;
    parsed = m->ParseFromArray(env.raw.data(), static_cast<int>(env.raw.size()));
  }
  if (!parsed) {
    return absl::DataLossError(absl::StrCat("malformed ", o.api_version, " ", o.kind, " message"));
  }
  o.json = MessageToJson(*m);
  if (!o.json.is_object()) return absl::DataLossError(absl::StrCat("malformed ", o.kind, " message"));
  o.json["apiVersion"] = o.api_version;
  o.json["kind"] = o.kind;
  return o;
}

absl::StatusOr<Object> DecodeJson(const Envelope& env) {
  Object o;
  o.encoding = Encoding::kJson;
  o.json = Json::parse(env.raw, nullptr, false);
  if (o.json.is_discarded() || !o.json.is_object()) return absl::DataLossError("malformed JSON object");
  CrdToV1(o.json);
  auto str = [&](const char* key) {
    auto it = o.json.find(key);
    return it != o.json.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  o.api_version = str("apiVersion");
  o.kind = str("kind");
  return o;
}

}  // namespace

absl::StatusOr<Object> DecodeObject(std::string_view value) {
  if (value.size() > (1u << 30)) return absl::DataLossError("value larger than 1 GiB");
  KETCD_ASSIGN_OR_RETURN(Envelope env, ParseEnvelope(value));
  switch (env.encoding) {
    case Encoding::kProtobuf:
      return DecodeProtobuf(env);
    case Encoding::kJson:
      return DecodeJson(env);
    case Encoding::kEncrypted: {
      Object o;
      o.encoding = Encoding::kEncrypted;
      o.provider = std::string(env.provider);
      o.key_name = std::string(env.key_name);
      return o;
    }
    case Encoding::kUnrecognized:
      break;
  }
  return Object{};
}

}  // namespace ketcd::k8sobjects
