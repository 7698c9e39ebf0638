#include "pkg/cli/json_text.h"

#include "absl/strings/escaping.h"

namespace ketcd::cli {

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      i++;
      continue;
    }
    size_t len;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;  // continuation byte, C0/C1 (overlong) or F5..FF
    }
    if (s.size() - i < len) return false;
    for (size_t k = 1; k < len; k++) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000)) return false;  // overlong
    if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) return false;
    i += len;
  }
  return true;
}

std::string JsonText(std::string_view bytes) {
  if (IsValidUtf8(bytes) && bytes.substr(0, kBase64Prefix.size()) != kBase64Prefix) return std::string(bytes);
  return std::string(kBase64Prefix) + absl::Base64Escape(absl::string_view(bytes.data(), bytes.size()));
}

std::string JsonTextBytes(std::string_view text) {
  std::string out;
  if (text.substr(0, kBase64Prefix.size()) == kBase64Prefix &&
      absl::Base64Unescape(absl::string_view(text.data() + kBase64Prefix.size(), text.size() - kBase64Prefix.size()),
                           &out)) {
    return out;
  }
  return std::string(text);
}

nlohmann::ordered_json JsonSafe(const nlohmann::ordered_json& doc) {
  switch (doc.type()) {
    case nlohmann::ordered_json::value_t::string:
      return JsonText(doc.get_ref<const std::string&>());
    case nlohmann::ordered_json::value_t::array: {
      nlohmann::ordered_json out = nlohmann::ordered_json::array();
      for (const auto& v : doc) out.push_back(JsonSafe(v));
      return out;
    }
    case nlohmann::ordered_json::value_t::object: {
      nlohmann::ordered_json out = nlohmann::ordered_json::object();
      for (auto it = doc.begin(); it != doc.end(); ++it) out[JsonText(it.key())] = JsonSafe(it.value());
      return out;
    }
    default:
      return doc;
  }
}

}  // namespace ketcd::cli
