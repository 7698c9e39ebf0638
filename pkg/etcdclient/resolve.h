#pragma once
// Host name resolution for the TLS probe and the gRPC channel. The release binary is
// linked statically: glibc's own "files" and "dns" sources answer, without the host's
// NSS modules. Names under "localhost" (RFC 6761 section 6.3) are loopback even where
// nothing maps them (an empty chroot or container has no /etc/hosts).

#include <netdb.h>

#include <memory>
#include <string>
#include <string_view>

#include "pkg/base/status.h"
#include "pkg/etcdclient/endpoint.h"

namespace ketcd::etcdclient {

// "localhost", "LOCALHOST.", "etcd.localhost": names RFC 6761 reserves for loopback.
bool IsLocalhostName(std::string_view host);

struct AddrInfoFree {
  void operator()(addrinfo* ai) const { ::freeaddrinfo(ai); }
};
using AddrInfoList = std::unique_ptr<addrinfo, AddrInfoFree>;

// The TCP addresses of `ep`: the system resolver's answer, or 127.0.0.1 for a
// localhost name it cannot resolve.
absl::StatusOr<AddrInfoList> ResolveTcp(const Endpoint& ep);

// Where the gRPC channel for `ep` dials: "host:port" for the channel's own resolver, or
// "ipv4:127.0.0.1:port" for a localhost name the system cannot resolve. In that case
// (`by_address`) the TLS name and :authority must still be `ep.host`.
struct GrpcTarget {
  std::string target;
  bool by_address = false;
};
GrpcTarget ChooseGrpcTarget(const Endpoint& ep);

// Test seam: the system resolver (getaddrinfo), replaced while the object lives.
using LookupFunction = int (*)(const char* host, const char* port, const addrinfo* hints, addrinfo** out);
class ScopedLookupForTest {
 public:
  explicit ScopedLookupForTest(LookupFunction lookup);
  ~ScopedLookupForTest();
  ScopedLookupForTest(const ScopedLookupForTest&) = delete;
  ScopedLookupForTest& operator=(const ScopedLookupForTest&) = delete;

 private:
  LookupFunction previous_;
};

}  // namespace ketcd::etcdclient
