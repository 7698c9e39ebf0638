#include "pkg/etcdclient/resolve.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>

namespace ketcd::etcdclient {
namespace {

int FailingLookup(const char*, const char*, const addrinfo*, addrinfo**) { return EAI_AGAIN; }

Endpoint At(const std::string& host) { return Endpoint{"https", host, 2379}; }

std::string FirstAddress(const addrinfo* ai) {
  char text[INET6_ADDRSTRLEN] = {};
  if (ai->ai_family == AF_INET) {
    ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(ai->ai_addr)->sin_addr, text, sizeof text);
  } else {
    ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(ai->ai_addr)->sin6_addr, text, sizeof text);
  }
  return text;
}

TEST(IsLocalhostName, Rfc6761Names) {
  EXPECT_TRUE(IsLocalhostName("localhost"));
  EXPECT_TRUE(IsLocalhostName("LocalHost"));
  EXPECT_TRUE(IsLocalhostName("localhost."));
  EXPECT_TRUE(IsLocalhostName("etcd.localhost"));
  EXPECT_FALSE(IsLocalhostName("localhost.example.com"));
  EXPECT_FALSE(IsLocalhostName("mylocalhost"));
  EXPECT_FALSE(IsLocalhostName("127.0.0.1"));
  EXPECT_FALSE(IsLocalhostName(""));
}

TEST(ResolveTcp, LocalhostIsLoopbackWhenTheSystemCannotResolveIt) {
  ScopedLookupForTest no_resolver(&FailingLookup);
  auto addresses = ResolveTcp(At("localhost"));
  ASSERT_TRUE(addresses.ok()) << addresses.status();
  EXPECT_EQ(FirstAddress(addresses->get()), "127.0.0.1");
  EXPECT_EQ(ntohs(reinterpret_cast<const sockaddr_in*>((*addresses)->ai_addr)->sin_port), 2379);
  EXPECT_TRUE(ChooseGrpcTarget(At("localhost")).by_address);
  EXPECT_EQ(ChooseGrpcTarget(At("etcd.localhost")).target, "ipv4:127.0.0.1:2379");
}

TEST(ResolveTcp, OtherNamesFailWithTheResolversReason) {
  ScopedLookupForTest no_resolver(&FailingLookup);
  auto addresses = ResolveTcp(At("etcd.example.com"));
  ASSERT_FALSE(addresses.ok());
  EXPECT_EQ(addresses.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(addresses.status().message().find("cannot resolve \"etcd.example.com\""), std::string::npos);
  EXPECT_FALSE(ChooseGrpcTarget(At("etcd.example.com")).by_address);
  EXPECT_EQ(ChooseGrpcTarget(At("etcd.example.com")).target, "etcd.example.com:2379");
}

TEST(ResolveTcp, NumericAddressesNeedNoResolver) {
  ScopedLookupForTest no_resolver(&FailingLookup);
  auto addresses = ResolveTcp(At("127.0.0.1"));
  ASSERT_TRUE(addresses.ok()) << addresses.status();
  EXPECT_EQ(FirstAddress(addresses->get()), "127.0.0.1");
  EXPECT_EQ(ChooseGrpcTarget(At("::1")).target, "[::1]:2379");
}

TEST(ResolveTcp, TheSystemAnswerWinsWhereItHasOne) {
  EXPECT_FALSE(ChooseGrpcTarget(At("localhost")).by_address);  // this machine has /etc/hosts
  EXPECT_EQ(ChooseGrpcTarget(At("localhost")).target, "localhost:2379");
}

}  // namespace
}  // namespace ketcd::etcdclient
