#include "pkg/restore/peer_url.h"

#include <gtest/gtest.h>

namespace ketcd::restore {
namespace {

std::string Canon(const std::string& s) {
  auto r = CanonicalPeerUrl(s);
  return r.ok() ? *r : "ERROR: " + std::string(r.status().message());
}

TEST(PeerUrlTest, CanonicalFormLikeGo) {
  EXPECT_EQ(Canon("http://localhost:2380"), "http://localhost:2380");
  EXPECT_EQ(Canon("  HTTP://Node-1:2380 "), "http://Node-1:2380");
  EXPECT_EQ(Canon("https://[::1]:2380"), "https://[::1]:2380");
  EXPECT_EQ(Canon("http://u:p@h:1"), "http://u:p@h:1");
  EXPECT_EQ(Canon("http://h:1?"), "http://h:1?");
  EXPECT_EQ(Canon("unix://localhost:1234"), "unix://localhost:1234");
  EXPECT_EQ(Canon("unix:///var/run/etcd.sock"), "unix:///var/run/etcd.sock");
}

TEST(PeerUrlTest, RejectsWhatEtcdRejects) {
  for (const char* bad : {"", "localhost:2380", "http://localhost", "http://h:2380/path", "ftp://h:1",
                          "http://h:port", "://h:1", "http://h h:1", "http://[::1:2380"}) {
    EXPECT_FALSE(CanonicalPeerUrl(bad).ok()) << bad;
  }
  EXPECT_NE(Canon("http://h:2380/x").find("must not contain a path"), std::string::npos);
  EXPECT_NE(Canon("http://h").find("host:port"), std::string::npos);
}

TEST(PeerUrlTest, ListIsSorted) {
  auto r = ParsePeerUrls({"http://b:1", "http://a:1"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, (std::vector<std::string>{"http://a:1", "http://b:1"}));
  EXPECT_FALSE(ParsePeerUrls({}).ok());
}

TEST(PeerUrlTest, UrlsMapRepeatsNamesAndSkipsEmptyItems) {
  auto r = ParseUrlsMap("a=http://a:2,,b=http://b:1,a=http://a:1,");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->size(), 2u);
  EXPECT_EQ(r->at("a"), (std::vector<std::string>{"http://a:1", "http://a:2"}));
  EXPECT_FALSE(ParseUrlsMap("a").ok());  // no '=': empty URL
  EXPECT_FALSE(ParseUrlsMap("a=localhost:1").ok());
}

}  // namespace
}  // namespace ketcd::restore
