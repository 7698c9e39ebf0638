#include "pkg/s3/sigv4.h"

#include <openssl/hmac.h>

#include <algorithm>
#include <ctime>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "pkg/base/sha256.h"

namespace ketcd::s3 {
namespace {

std::string Hmac(std::string_view key, std::string_view data) {
  unsigned char out[32];
  unsigned int len = sizeof out;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

// Leading and trailing spaces dropped, inner runs of spaces collapsed to one.
std::string TrimHeaderValue(std::string_view v) {
  std::string out;
  bool space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

}  // namespace

std::string UriEncode(std::string_view s, bool keep_slash) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || (keep_slash && c == '/')) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kDigits[c >> 4]);
      out.push_back(kDigits[c & 15]);
    }
  }
  return out;
}

std::string CanonicalQuery(const std::vector<std::pair<std::string, std::string>>& query) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(query.size());
  for (const auto& [k, v] : query) encoded.emplace_back(UriEncode(k, false), UriEncode(v, false));
  std::sort(encoded.begin(), encoded.end());
  std::vector<std::string> parts;
  parts.reserve(encoded.size());
  for (const auto& [k, v] : encoded) parts.push_back(absl::StrCat(k, "=", v));
  return absl::StrJoin(parts, "&");
}

std::string Sha256Hex(std::string_view data) {
  Sha256 h;
  h.Update(data);
  return DigestHex(h.Final());
}

std::string AmzDate(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

Signature Sign(const SigningInput& in, const SigningCredentials& creds) {
  Signature s;
  std::map<std::string, std::string> headers;  // lower-case names, sorted
  for (const auto& [k, v] : in.headers) {
    std::string name = absl::AsciiStrToLower(k);
    std::string value = TrimHeaderValue(v);
    auto [it, inserted] = headers.emplace(name, value);
    if (!inserted) it->second += "," + value;
  }
  std::string canonical_headers;
  std::vector<std::string> names;
  for (const auto& [k, v] : headers) {
    absl::StrAppend(&canonical_headers, k, ":", v, "\n");
    names.push_back(k);
  }
  s.signed_headers = absl::StrJoin(names, ";");
  s.canonical_request = absl::StrCat(in.method, "\n", in.encoded_path.empty() ? "/" : in.encoded_path, "\n",
                                     CanonicalQuery(in.query), "\n", canonical_headers, "\n", s.signed_headers, "\n",
                                     in.payload_sha256_hex);
  const std::string date = in.amz_date.substr(0, 8);
  const std::string scope = absl::StrCat(date, "/", in.region, "/", in.service, "/aws4_request");
  s.string_to_sign =
      absl::StrCat("AWS4-HMAC-SHA256\n", in.amz_date, "\n", scope, "\n", Sha256Hex(s.canonical_request));
  std::string key = Hmac(absl::StrCat("AWS4", creds.secret_access_key), date);
  key = Hmac(key, in.region);
  key = Hmac(key, in.service);
  key = Hmac(key, "aws4_request");
  s.signature = Hex(Hmac(key, s.string_to_sign));
  s.authorization = absl::StrCat("AWS4-HMAC-SHA256 Credential=", creds.access_key_id, "/", scope,
                                 ", SignedHeaders=", s.signed_headers, ", Signature=", s.signature);
  return s;
}

}  // namespace ketcd::s3
