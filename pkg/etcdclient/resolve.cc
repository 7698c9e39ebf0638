#include "pkg/etcdclient/resolve.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace ketcd::etcdclient {
namespace {

constexpr char kLoopback[] = "127.0.0.1";

LookupFunction system_lookup = &::getaddrinfo;

bool IsAddress(const std::string& host) {
  in6_addr buffer;
  return ::inet_pton(AF_INET, host.c_str(), &buffer) == 1 || ::inet_pton(AF_INET6, host.c_str(), &buffer) == 1;
}

int Lookup(const std::string& host, int port, int flags, addrinfo** out) {
  if (IsAddress(host)) flags |= AI_NUMERICHOST;
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = flags;
  // Numeric addresses never reach the resolver; the seam stands for name lookups only.
  LookupFunction lookup = (flags & AI_NUMERICHOST) != 0 ? &::getaddrinfo : system_lookup;
  return lookup(host.c_str(), std::to_string(port).c_str(), &hints, out);
}

bool SystemResolves(const Endpoint& ep) {
  addrinfo* res = nullptr;
  int rc = Lookup(ep.host, ep.port, 0, &res);
  if (res != nullptr) ::freeaddrinfo(res);
  return rc == 0;
}

}  // namespace

ScopedLookupForTest::ScopedLookupForTest(LookupFunction lookup) : previous_(system_lookup) {
  system_lookup = lookup;
}
ScopedLookupForTest::~ScopedLookupForTest() { system_lookup = previous_; }

bool IsLocalhostName(std::string_view host) {
  std::string name = absl::AsciiStrToLower(absl::string_view(host.data(), host.size()));
  absl::string_view n(name);
  absl::ConsumeSuffix(&n, ".");
  return n == "localhost" || absl::EndsWith(n, ".localhost");
}

absl::StatusOr<AddrInfoList> ResolveTcp(const Endpoint& ep) {
  addrinfo* res = nullptr;
  int rc = Lookup(ep.host, ep.port, 0, &res);
  if (rc != 0 && IsLocalhostName(ep.host)) rc = Lookup(kLoopback, ep.port, AI_NUMERICHOST, &res);
  if (rc != 0) {
    return absl::UnavailableError(absl::StrCat("cannot resolve \"", ep.host, "\": ", gai_strerror(rc)));
  }
  return AddrInfoList(res);
}

GrpcTarget ChooseGrpcTarget(const Endpoint& ep) {
  if (IsLocalhostName(ep.host) && !SystemResolves(ep)) {
    return {absl::StrCat("ipv4:", kLoopback, ":", ep.port), true};
  }
  return {ep.HostPort(), false};
}

}  // namespace ketcd::etcdclient
