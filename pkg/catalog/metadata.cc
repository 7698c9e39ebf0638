#include "pkg/catalog/metadata.h"

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace ketcd::catalog {
namespace {

using Json = nlohmann::json;

absl::Status Bad(const char* field, const char* want) {
  return absl::InvalidArgumentError(absl::StrCat("metadata field \"", field, "\" is not ", want));
}

// The string at `field`, "" when absent; an error when present but not a string.
absl::Status ReadString(const Json& j, const char* field, std::string& out) {
  auto it = j.find(field);
  if (it == j.end() || it->is_null()) return absl::OkStatus();
  if (!it->is_string()) return Bad(field, "a string");
  out = it->get<std::string>();
  return absl::OkStatus();
}

absl::Status ReadUnsigned(const Json& j, const char* field, std::optional<uint64_t>& out) {
  auto it = j.find(field);
  if (it == j.end() || it->is_null()) return absl::OkStatus();
  if (!it->is_number_unsigned()) return Bad(field, "a non-negative integer");
  out = it->get<uint64_t>();
  return absl::OkStatus();
}

bool IsSha256Hex(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

absl::Status ReadTime(const Json& j, const char* field, std::optional<int64_t>& out) {
  std::string text;
  KETCD_RETURN_IF_ERROR(ReadString(j, field, text));
  if (text.empty()) return absl::OkStatus();
  absl::Time t;
  std::string err;
  if (!absl::ParseTime(absl::RFC3339_full, text, &t, &err) || t == absl::InfinitePast() ||
      t == absl::InfiniteFuture()) {
    return Bad(field, "an RFC 3339 time");
  }
  out = absl::ToUnixSeconds(t);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Metadata> ParseMetadata(std::string_view text) {
  if (text.size() > kMaxMetadataBytes) {
    return absl::InvalidArgumentError(absl::StrCat("metadata larger than ", kMaxMetadataBytes, " bytes"));
  }
  Json j = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return absl::InvalidArgumentError("metadata is not a JSON object");
  Metadata m;
  KETCD_RETURN_IF_ERROR(ReadString(j, "file", m.file));
  KETCD_RETURN_IF_ERROR(ReadUnsigned(j, "size", m.size));
  KETCD_RETURN_IF_ERROR(ReadUnsigned(j, "fileSize", m.file_size));
  KETCD_RETURN_IF_ERROR(ReadString(j, "sha256", m.sha256));
  if (!m.sha256.empty() && !IsSha256Hex(m.sha256)) return Bad("sha256", "64 lowercase hex digits");
  KETCD_RETURN_IF_ERROR(ReadString(j, "compression", m.compression));
  KETCD_RETURN_IF_ERROR(ReadString(j, "encryption", m.encryption));
  std::optional<uint64_t> revision;
  KETCD_RETURN_IF_ERROR(ReadUnsigned(j, "revision", revision));
  if (revision) {
    if (*revision > static_cast<uint64_t>(INT64_MAX)) return Bad("revision", "a revision");
    m.revision = static_cast<int64_t>(*revision);
  }
  KETCD_RETURN_IF_ERROR(ReadString(j, "etcdVersion", m.etcd_version));
  KETCD_RETURN_IF_ERROR(ReadString(j, "clusterID", m.cluster_id));
  KETCD_RETURN_IF_ERROR(ReadString(j, "memberID", m.member_id));
  KETCD_RETURN_IF_ERROR(ReadString(j, "memberName", m.member_name));
  KETCD_RETURN_IF_ERROR(ReadString(j, "nodeName", m.node_name));
  KETCD_RETURN_IF_ERROR(ReadTime(j, "createdAt", m.created_at));
  return m;
}

}  // namespace ketcd::catalog
