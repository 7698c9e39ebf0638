#include "pkg/restore/peer_url.h"

#include <algorithm>
#include <cctype>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace ketcd::restore {
namespace {

bool IsSchemeChar(char c, bool first) {
  if (std::isalpha(static_cast<unsigned char>(c))) return true;
  if (first) return false;
  return std::isdigit(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
}

// Characters net/url leaves unescaped in a host (shouldEscape(c, encodeHost) is false).
bool IsHostChar(char c) {
  if (std::isalnum(static_cast<unsigned char>(c))) return true;
  switch (c) {
    case '-': case '_': case '.': case '~': case '!': case '$': case '&': case '\'': case '(':
    case ')': case '*': case '+': case ',': case ';': case '=': case ':': case '[': case ']':
    case '<': case '>': case '"':
      return true;
    default:
      return false;
  }
}

// Characters that survive URL.String() unchanged in a path or userinfo.
bool IsPlainChar(char c) {
  if (std::isalnum(static_cast<unsigned char>(c))) return true;
  switch (c) {
    case '-': case '_': case '.': case '~': case '!': case '$': case '&': case '\'': case '(':
    case ')': case '*': case '+': case ',': case ';': case '=': case ':': case '@': case '/':
      return true;
    default:
      return false;
  }
}

absl::Status Invalid(const std::string& what, const std::string& url) {
  return absl::InvalidArgumentError(absl::StrCat(what, ": ", url));
}

// net.SplitHostPort succeeds: "host:port" or "[v6]:port".
bool HasHostPort(const std::string& host) {
  if (!host.empty() && host[0] == '[') {
    size_t close = host.find(']');
    return close != std::string::npos && close + 1 < host.size() && host[close + 1] == ':' &&
           host.find(']', close + 1) == std::string::npos;
  }
  size_t colon = host.find(':');
  return colon != std::string::npos && host.find(':', colon + 1) == std::string::npos &&
         host.find_first_of("[]") == std::string::npos;
}

// The parts of a URL as Go's net/url.Parse splits them.
struct GoUrl {
  std::string scheme, opaque, userinfo, host, path, query, fragment;
  bool has_user = false;
  bool force_query = false;  // a '?' with nothing after it
};

// "//userinfo@host:port/path" after the scheme; `in` is the whole URL, for messages.
absl::Status ParseAuthority(const std::string& rest, const std::string& in, GoUrl* u) {
  std::string authority = rest.substr(2);
  size_t slash = authority.find('/');
  if (slash != std::string::npos) {
    u->path = authority.substr(slash);
    authority.resize(slash);
  }
  if (size_t at = authority.rfind('@'); at != std::string::npos) {
    u->has_user = true;
    u->userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    for (char c : u->userinfo) {
      if (!IsPlainChar(c) || c == '@' || c == '/') return Invalid("unsupported character in URL user info", in);
    }
  }
  const std::string& host = u->host = authority;
  for (char c : host) {
    if (c == '%') return Invalid("percent-escapes in the host are not supported", in);
    if (!IsHostChar(c)) return Invalid("invalid character in host name", in);
  }
  // Port after the last ':' (outside brackets) must be digits.
  size_t colon = host.rfind(':');
  size_t close = host.rfind(']');
  if (!host.empty() && host[0] == '[' && close == std::string::npos) {
    return Invalid("missing ']' in host", in);
  }
  if (colon != std::string::npos && (close == std::string::npos || colon > close)) {
    for (size_t i = colon + 1; i < host.size(); i++) {
      if (!std::isdigit(static_cast<unsigned char>(host[i]))) return Invalid("invalid port in host", in);
    }
  }
  return absl::OkStatus();
}

// net/url.Parse, for the subset of URLs etcd accepts as peer URLs.
absl::StatusOr<GoUrl> ParseGoUrl(const std::string& in) {
  for (char c : in) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return Invalid("net/url: invalid control character in URL", in);
    }
  }
  GoUrl u;
  std::string rest = in;
  if (size_t hash = rest.find('#'); hash != std::string::npos) {
    u.fragment = rest.substr(hash + 1);
    rest.resize(hash);
  }
  // Scheme: a letter followed by letters, digits, '+', '-', '.', up to ':'.
  for (size_t i = 0; i < rest.size(); i++) {
    char c = rest[i];
    if (c == ':') {
      if (i == 0) return Invalid("missing protocol scheme", in);
      u.scheme = absl::AsciiStrToLower(rest.substr(0, i));
      rest = rest.substr(i + 1);
      break;
    }
    if (!IsSchemeChar(c, i == 0)) break;
  }
  if (size_t q = rest.find('?'); q != std::string::npos) {
    u.query = rest.substr(q + 1);
    rest.resize(q);
    u.force_query = u.query.empty();
  }
  if (!u.scheme.empty() && (rest.empty() || rest[0] != '/')) {
    u.opaque = rest;
  } else if (rest.size() >= 2 && rest[0] == '/' && rest[1] == '/' && !u.scheme.empty()) {
    KETCD_RETURN_IF_ERROR(ParseAuthority(rest, in, &u));
  } else {
    u.path = rest;
  }
  for (char c : u.path) {
    if (!IsPlainChar(c)) return Invalid("unsupported character in URL path", in);
  }
  return u;
}

// net/url's URL.String().
std::string GoUrlString(const GoUrl& u) {
  std::string out = u.scheme + ":";
  if (!u.opaque.empty()) {
    out += u.opaque;
  } else {
    if (!u.host.empty() || !u.path.empty() || u.has_user) out += "//";
    if (u.has_user) out += u.userinfo + "@";
    out += u.host;
    if (!u.path.empty() && u.path[0] != '/' && !u.host.empty()) out += "/";
    out += u.path;
  }
  if (u.force_query || !u.query.empty()) out += "?" + u.query;
  if (!u.fragment.empty()) out += "#" + u.fragment;
  return out;
}

}  // namespace

absl::StatusOr<std::string> CanonicalPeerUrl(const std::string& raw) {
  std::string in(absl::StripAsciiWhitespace(raw));
  KETCD_ASSIGN_OR_RETURN(GoUrl u, ParseGoUrl(in));
  // etcd's types.NewURLs rules.
  if (u.scheme == "http" || u.scheme == "https") {
    if (!HasHostPort(u.host)) return Invalid("URL address does not have the form \"host:port\"", in);
    if (!u.path.empty()) return Invalid("URL must not contain a path", in);
  } else if (u.scheme != "unix" && u.scheme != "unixs") {
    return Invalid("URL scheme must be http, https, unix, or unixs", in);
  }
  return GoUrlString(u);
}

absl::StatusOr<std::vector<std::string>> ParsePeerUrls(const std::vector<std::string>& raw) {
  if (raw.empty()) return absl::InvalidArgumentError("no valid URLs given");
  std::vector<std::string> urls;
  for (const std::string& r : raw) {
    KETCD_ASSIGN_OR_RETURN(std::string u, CanonicalPeerUrl(r));
    urls.push_back(std::move(u));
  }
  std::sort(urls.begin(), urls.end());
  return urls;
}

std::vector<std::string> SplitComma(const std::string& s) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t comma = s.find(',', start);
    parts.push_back(s.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return parts;
}

absl::StatusOr<UrlsMap> ParseUrlsMap(const std::string& initial_cluster) {
  std::map<std::string, std::vector<std::string>> raw;
  for (const std::string& item : SplitComma(initial_cluster)) {
    if (item.empty()) continue;
    size_t eq = item.find('=');
    std::string name = eq == std::string::npos ? item : item.substr(0, eq);
    std::string value = eq == std::string::npos ? "" : item.substr(eq + 1);
    raw[name].push_back(value);
  }
  UrlsMap out;
  for (const auto& [name, urls] : raw) {
    KETCD_ASSIGN_OR_RETURN(out[name], ParsePeerUrls(urls));
  }
  return out;
}

}  // namespace ketcd::restore
