#include "pkg/restore/member.h"

#include <gtest/gtest.h>

#include "pkg/base/format.h"

namespace ketcd::restore {
namespace {

TEST(MemberIdTest, EtcdDefaults) {
  uint64_t id = ComputeMemberId({"http://localhost:2380"}, "etcd-cluster");
  EXPECT_EQ(id, 0x8e9e05c52164694dULL);
  EXPECT_EQ(ComputeClusterId({id}), 0xcdf818194e3a8c32ULL);
}

TEST(MemberIdTest, LeadingZeroNibbleIsNotPadded) {
  uint64_t id = ComputeMemberId({"http://127.0.0.1:45380"}, "tz1");
  EXPECT_EQ(IdHex(id), "3c56f27cd5bed64");
}

TEST(MemberIdTest, UrlsAreSortedBeforeHashing) {
  EXPECT_EQ(ComputeMemberId({"http://10.0.0.3:2390", "http://10.0.0.3:2380"}, "tok3"),
            ComputeMemberId({"http://10.0.0.3:2380", "http://10.0.0.3:2390"}, "tok3"));
  // Three-member golden (testdata/README.md, "three").
  EXPECT_EQ(ComputeMemberId({"http://10.0.0.3:2380", "http://10.0.0.3:2390"}, "tok3"), 0x75e788d36473031fULL);
}

TEST(MemberIdTest, ClusterIdIgnoresOrder) {
  EXPECT_EQ(ComputeClusterId({1, 2, 3}), ComputeClusterId({3, 1, 2}));
  EXPECT_EQ(ComputeMemberId({"http://127.0.0.1:43380"}, "tokR"), 0xbc6d50624c17ed5bULL);
  EXPECT_EQ(ComputeClusterId({0xbc6d50624c17ed5bULL}), 0x9c632d128e0d3a3dULL);
}

TEST(MemberJsonTest, FullUint64AndFieldOrder) {
  Member m{17505536416763885568ULL, "n1", {"http://127.0.0.1:42380"}};
  EXPECT_EQ(MemberJson(m), "{\"id\":17505536416763885568,\"peerURLs\":[\"http://127.0.0.1:42380\"],\"name\":\"n1\"}");
  m.name = "";
  EXPECT_EQ(MemberJson(m), "{\"id\":17505536416763885568,\"peerURLs\":[\"http://127.0.0.1:42380\"]}");
  EXPECT_EQ(RaftAttributesJson(m), "{\"peerURLs\":[\"http://127.0.0.1:42380\"]}");
}

TEST(GoJsonStringTest, EscapesLikeGo) {
  EXPECT_EQ(GoJsonString("a<b>&c"), "\"a\\u003cb\\u003e\\u0026c\"");
  EXPECT_EQ(GoJsonString("q\"\\"), "\"q\\\"\\\\\"");
  EXPECT_EQ(GoJsonString("\n\r\t\x01"), "\"\\n\\r\\t\\u0001\"");
  EXPECT_EQ(GoJsonString("\b\f", true), "\"\\b\\f\"");
  EXPECT_EQ(GoJsonString("\b\f", false), "\"\\u0008\\u000c\"");
  EXPECT_EQ(GoJsonString("\xe2\x80\xa8"), "\"\\u2028\"");
  EXPECT_EQ(GoJsonString("h\xc3\xa9"), "\"h\xc3\xa9\"");
  EXPECT_EQ(GoJsonString("bad\xff"), "\"bad\\ufffd\"");
  EXPECT_EQ(GoJsonString("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\"");  // surrogate
}

}  // namespace
}  // namespace ketcd::restore
