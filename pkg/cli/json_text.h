#pragma once
// Byte strings in -o json / -o yaml output and in the JSON files we write. etcd keys,
// bucket names, user names and file paths are bytes; JSON strings are Unicode text, and
// nlohmann::json refuses (throws on) invalid UTF-8. The rule, documented in README.md
// ("Byte strings in JSON and YAML"):
//   - a string that is valid UTF-8 and does not begin with "base64:" is written as it is;
//   - any other string is written as "base64:" followed by the standard, padded base64
//     (RFC 4648) of its bytes.
// It is lossless and unambiguous, applies to object keys too, and leaves every ordinary
// name unchanged.

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace ketcd::cli {

inline constexpr std::string_view kBase64Prefix = "base64:";

// Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF.
bool IsValidUtf8(std::string_view s);

// The string as the rule above writes it.
std::string JsonText(std::string_view bytes);

// Inverse of JsonText, for scripts' and tests' sake.
std::string JsonTextBytes(std::string_view text);

// `doc` with JsonText applied to every object key and string value.
nlohmann::ordered_json JsonSafe(const nlohmann::ordered_json& doc);

}  // namespace ketcd::cli
