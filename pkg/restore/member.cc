#include "pkg/restore/member.h"

#include <openssl/sha.h>

#include <algorithm>

#include "pkg/base/bytes.h"

namespace ketcd::restore {
namespace {

uint64_t Sha1Prefix(const std::string& data) {
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return LoadBE64(digest);
}

void AppendUrlArray(std::string* out, const std::vector<std::string>& urls, bool go122) {
  out->append("[");
  for (size_t i = 0; i < urls.size(); i++) {
    if (i > 0) out->append(",");
    out->append(GoJsonString(urls[i], go122));
  }
  out->append("]");
}

// Length of the valid UTF-8 sequence at s[i], or 0 when it is invalid (the checks
// of Go's utf8.DecodeRuneInString: no overlongs, no surrogates, <= U+10FFFF).
size_t Utf8Len(const std::string& s, size_t i) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  size_t n = s.size() - i;
  auto cont = [&](size_t k) { return k < s.size() && (b(k) & 0xC0) == 0x80; };
  if (c >= 0xC2 && c <= 0xDF) return n >= 2 && cont(i + 1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (n < 3 || !cont(i + 1) || !cont(i + 2)) return 0;
    if (c == 0xE0 && b(i + 1) < 0xA0) return 0;
    if (c == 0xED && b(i + 1) > 0x9F) return 0;
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (n < 4 || !cont(i + 1) || !cont(i + 2) || !cont(i + 3)) return 0;
    if (c == 0xF0 && b(i + 1) < 0x90) return 0;
    if (c == 0xF4 && b(i + 1) > 0x8F) return 0;
    return 4;
  }
  return 0;
}

}  // namespace

uint64_t ComputeMemberId(const std::vector<std::string>& sorted_peer_urls, const std::string& token) {
  std::vector<std::string> urls = sorted_peer_urls;
  std::sort(urls.begin(), urls.end());
  std::string data;
  for (const std::string& u : urls) data += u;
  data += token;
  return Sha1Prefix(data);
}

uint64_t ComputeClusterId(const std::vector<uint64_t>& member_ids) {
  std::vector<uint64_t> ids = member_ids;
  std::sort(ids.begin(), ids.end());
  std::string data(8 * ids.size(), '\0');
  for (size_t i = 0; i < ids.size(); i++) StoreBE64(&data[8 * i], ids[i]);
  return Sha1Prefix(data);
}

std::string GoJsonString(const std::string& s, bool go122) {
  static const char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += go122 ? "\\b" : "\\u0008"; break;
        case '\f': out += go122 ? "\\f" : "\\u000c"; break;
        default:
          if (c < 0x20 || c == '<' || c == '>' || c == '&') {
            out += "\\u00";
            out += kHex[c >> 4];
            out += kHex[c & 0xF];
          } else {
            out += static_cast<char>(c);
          }
      }
      i++;
      continue;
    }
    size_t n = Utf8Len(s, i);
    if (n == 0) {
      out += "\\ufffd";
      i++;
      continue;
    }
    if (n == 3 && c == 0xE2 && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
        (static_cast<unsigned char>(s[i + 2]) == 0xA8 || static_cast<unsigned char>(s[i + 2]) == 0xA9)) {
      out += static_cast<unsigned char>(s[i + 2]) == 0xA8 ? "\\u2028" : "\\u2029";
    } else {
      out.append(s, i, n);
    }
    i += n;
  }
  out += "\"";
  return out;
}

std::string MemberJson(const Member& m, bool go122) {
  std::string out = "{\"id\":" + std::to_string(m.id) + ",\"peerURLs\":";
  AppendUrlArray(&out, m.peer_urls, go122);
  if (!m.name.empty()) out += ",\"name\":" + GoJsonString(m.name, go122);
  out += "}";
  return out;
}

std::string RaftAttributesJson(const Member& m, bool go122) {
  std::string out = "{\"peerURLs\":";
  AppendUrlArray(&out, m.peer_urls, go122);
  out += "}";
  return out;
}

}  // namespace ketcd::restore
