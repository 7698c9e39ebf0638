#include "pkg/k8sobjects/envelope.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/wire_format_lite.h>

#include "pkg/base/status.h"

namespace ketcd::k8sobjects {
namespace {

namespace pbio = google::protobuf::io;

constexpr std::string_view kProtoMagic("k8s\0", 4);
constexpr std::string_view kEncryptedPrefix = "k8s:enc:";

// The next length-delimited field's bytes, as a view into `all`.
bool ReadBytes(pbio::CodedInputStream& in, std::string_view all, std::string_view& out) {
  uint32_t len = 0;
  if (!in.ReadVarint32(&len)) return false;
  int pos = in.CurrentPosition();
  if (len > all.size() - static_cast<size_t>(pos)) return false;
  out = all.substr(static_cast<size_t>(pos), len);
  return in.Skip(static_cast<int>(len));
}

absl::Status ParseTypeMeta(std::string_view bytes, Envelope& env) {
  pbio::CodedInputStream in(reinterpret_cast<const uint8_t*>(bytes.data()), static_cast<int>(bytes.size()));
  while (uint32_t tag = in.ReadTag()) {
    bool ok = true;
    int field = static_cast<int>(tag >> 3);
    if ((tag & 7) == 2 && field == 1) {
      ok = ReadBytes(in, bytes, env.api_version);
    } else if ((tag & 7) == 2 && field == 2) {
      ok = ReadBytes(in, bytes, env.kind);
    } else {
      ok = google::protobuf::internal::WireFormatLite::SkipField(&in, tag);
    }
    if (!ok) return absl::DataLossError("malformed typeMeta in the protobuf envelope");
  }
  if (!in.ConsumedEntireMessage()) return absl::DataLossError("malformed typeMeta in the protobuf envelope");
  return absl::OkStatus();
}

absl::StatusOr<Envelope> ParseUnknown(std::string_view body) {
  Envelope env;
  env.encoding = Encoding::kProtobuf;
  if (body.size() > (1u << 30)) return absl::DataLossError("protobuf envelope larger than 1 GiB");
  pbio::CodedInputStream in(reinterpret_cast<const uint8_t*>(body.data()), static_cast<int>(body.size()));
  while (uint32_t tag = in.ReadTag()) {
    int field = static_cast<int>(tag >> 3);
    bool ok = true;
    if ((tag & 7) == 2 && field >= 1 && field <= 4) {
      std::string_view v;
      ok = ReadBytes(in, body, v);
      if (ok && field == 1) KETCD_RETURN_IF_ERROR(ParseTypeMeta(v, env));
      if (field == 2) env.raw = v;
      if (field == 3) env.content_encoding = v;
      if (field == 4) env.content_type = v;
    } else {
      ok = google::protobuf::internal::WireFormatLite::SkipField(&in, tag);
    }
    if (!ok) return absl::DataLossError("malformed runtime.Unknown in the protobuf envelope");
  }
  if (!in.ConsumedEntireMessage()) return absl::DataLossError("malformed runtime.Unknown in the protobuf envelope");
  if (env.kind.empty()) return absl::DataLossError("protobuf envelope without a kind");
  return env;
}

// "<provider>:<version>:<key name>:" after "k8s:enc:".
absl::StatusOr<Envelope> ParseEncrypted(std::string_view rest) {
  Envelope env;
  env.encoding = Encoding::kEncrypted;
  std::string_view* parts[] = {&env.provider, &env.provider_version, &env.key_name};
  for (std::string_view* part : parts) {
    size_t colon = rest.find(':');
    if (colon == std::string_view::npos) {
      return absl::DataLossError("encrypted value with an incomplete \"k8s:enc:<provider>:<version>:<key>:\" prefix");
    }
    *part = rest.substr(0, colon);
    rest.remove_prefix(colon + 1);
  }
  env.ciphertext = rest;
  return env;
}

}  // namespace

const char* EncodingName(Encoding e) {
  switch (e) {
    case Encoding::kProtobuf:
      return "protobuf";
    case Encoding::kJson:
      return "json";
    case Encoding::kEncrypted:
      return "encrypted";
    case Encoding::kUnrecognized:
      return "unrecognized";
  }
  return "unrecognized";
}

absl::StatusOr<Envelope> ParseEnvelope(std::string_view value) {
  if (value.starts_with(kProtoMagic)) return ParseUnknown(value.substr(kProtoMagic.size()));
  if (value.starts_with(kEncryptedPrefix)) return ParseEncrypted(value.substr(kEncryptedPrefix.size()));
  Envelope env;
  size_t first = value.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && value[first] == '{') {
    env.encoding = Encoding::kJson;
    env.raw = value;
  }
  return env;
}

}  // namespace ketcd::k8sobjects
