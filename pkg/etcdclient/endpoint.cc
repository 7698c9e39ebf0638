#include "pkg/etcdclient/endpoint.h"

#include <algorithm>
#include <charconv>

#include "absl/strings/string_view.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace ketcd::etcdclient {

std::string Endpoint::HostPort() const {
  if (host.find(':') != std::string::npos) return absl::StrCat("[", host, "]:", port);
  return absl::StrCat(host, ":", port);
}

std::string Endpoint::Url() const { return absl::StrCat(scheme, "://", HostPort()); }

bool Endpoint::IsLoopback() const {
  return host == "localhost" || host == "::1" || absl::StartsWith(host, "127.");
}

absl::StatusOr<Endpoint> ParseEndpoint(const std::string& text, bool default_tls) {
  absl::string_view s = absl::StripAsciiWhitespace(text);
  Endpoint ep;
  if (absl::ConsumePrefix(&s, "https://")) {
    ep.scheme = "https";
  } else if (absl::ConsumePrefix(&s, "http://")) {
    ep.scheme = "http";
  } else if (s.find("://") != absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("endpoint \"", text, "\": only http:// and https:// endpoints are supported"));
  } else {
    ep.scheme = default_tls ? "https" : "http";
  }
  while (absl::ConsumeSuffix(&s, "/")) {
  }
  absl::string_view port_text;
  if (absl::ConsumePrefix(&s, "[")) {
    size_t close = s.find(']');
    if (close == absl::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat("endpoint \"", text, "\": missing ']'"));
    }
    ep.host = std::string(s.substr(0, close));
    absl::string_view rest = s.substr(close + 1);
    if (!absl::ConsumePrefix(&rest, ":")) {
      return absl::InvalidArgumentError(absl::StrCat("endpoint \"", text, "\": missing port"));
    }
    port_text = rest;
  } else {
    size_t colon = s.rfind(':');
    if (colon == absl::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("endpoint \"", text, "\": missing port (etcd's client port is usually 2379)"));
    }
    ep.host = std::string(s.substr(0, colon));
    port_text = s.substr(colon + 1);
  }
  auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), ep.port);
  if (ec != std::errc() || ptr != port_text.data() + port_text.size() || ep.port <= 0 || ep.port > 65535 ||
      ep.host.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("endpoint \"", text, "\": not host:port"));
  }
  return ep;
}

absl::StatusOr<std::vector<Endpoint>> ParseEndpoints(const std::string& text, bool default_tls) {
  std::vector<Endpoint> out;
  for (absl::string_view item : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    KETCD_ASSIGN_OR_RETURN(Endpoint ep, ParseEndpoint(std::string(item), default_tls));
    bool dup = std::any_of(out.begin(), out.end(), [&](const Endpoint& e) { return e.Url() == ep.Url(); });
    if (!dup) out.push_back(std::move(ep));
  }
  if (out.empty()) return absl::InvalidArgumentError("no etcd endpoint given");
  return out;
}

}  // namespace ketcd::etcdclient
