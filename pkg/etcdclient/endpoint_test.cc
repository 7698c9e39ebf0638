#include "pkg/etcdclient/endpoint.h"

#include <gtest/gtest.h>

namespace ketcd::etcdclient {
namespace {

TEST(ParseEndpoint, Forms) {
  auto a = ParseEndpoint("https://10.0.0.11:2379", false);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->Url(), "https://10.0.0.11:2379");
  auto b = ParseEndpoint("127.0.0.1:2379", true);
  ASSERT_TRUE(b.ok());
  EXPECT_TRUE(b->tls());
  EXPECT_TRUE(b->IsLoopback());
  auto c = ParseEndpoint("https://[::1]:2379/", false);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->host, "::1");
  EXPECT_EQ(c->HostPort(), "[::1]:2379");
}

TEST(ParseEndpoint, Rejects) {
  EXPECT_FALSE(ParseEndpoint("unix:///run/etcd.sock", false).ok());
  EXPECT_FALSE(ParseEndpoint("https://10.0.0.11", false).ok());
  EXPECT_FALSE(ParseEndpoint("10.0.0.11:99999", false).ok());
  EXPECT_FALSE(ParseEndpoint("", false).ok());
}

TEST(ParseEndpoints, DeduplicatesKeepingOrder) {
  auto eps = ParseEndpoints("https://b:2379, https://a:2379,https://b:2379", false);
  ASSERT_TRUE(eps.ok());
  ASSERT_EQ(eps->size(), 2u);
  EXPECT_EQ((*eps)[0].host, "b");
  EXPECT_EQ((*eps)[1].host, "a");
}

}  // namespace
}  // namespace ketcd::etcdclient
