#include "pkg/s3/client.h"

#include <gtest/gtest.h>

#include "pkg/s3/sigv4.h"

namespace ketcd::s3 {
namespace {

Config TestConfig(const std::string& endpoint) {
  Config c;
  c.endpoint = endpoint;
  c.region = "us-east-1";
  c.credentials = {"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "", "test"};
  return c;
}

// The S3 documentation's GET Object example, through the client's own request building
// (virtual-host style): GetObject's request for the first ten bytes carries the documented
// Range header, and it is signed.
TEST(ClientTest, PreparesTheDocumentedGetObject) {
  Client client(TestConfig("https://s3.amazonaws.com"));
  Client::Request req = Client::GetObjectRequest("examplebucket", "test.txt", {}, {.first = 0, .count = 10});
  EXPECT_EQ(req.method, "GET");
  EXPECT_EQ(req.headers["range"], "bytes=0-9");
  Client::Prepared p = client.Prepare(req, 1369353600);  // 2013-05-24T00:00:00Z
  EXPECT_EQ(p.url, "https://examplebucket.s3.amazonaws.com/test.txt");
  EXPECT_EQ(p.headers["x-amz-date"], "20130524T000000Z");
  EXPECT_EQ(p.headers["authorization"],
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(ClientTest, RangeHeader) {
  EXPECT_EQ(RangeHeader({}), "");
  EXPECT_EQ(RangeHeader({.first = 0, .count = 1}), "bytes=0-0");
  EXPECT_EQ(RangeHeader({.first = 100, .count = 65537}), "bytes=100-65636");
  // The whole object: no Range header at all.
  EXPECT_EQ(Client::GetObjectRequest("b", "k", {}, {}).headers.count("range"), 0u);
  EXPECT_EQ(Client::GetObjectRequest("b", "k", {.key = std::string(32, 'k')}, {.first = 0, .count = 4})
                .headers.count("x-amz-server-side-encryption-customer-key"),
            1u);
}

TEST(ClientTest, PathStyleKeysQueryAndSessionToken) {
  Config c = TestConfig("http://127.0.0.1:7070");
  c.credentials.session_token = "TOKEN";
  Client client(c);
  Client::Request req{"PUT", "bkt", "etcd/a b+c.db", {{"uploadId", "U/1"}, {"partNumber", "3"}}, {}, "body", "x"};
  Client::Prepared p = client.Prepare(req, 0);
  EXPECT_EQ(p.url, "http://127.0.0.1:7070/bkt/etcd/a%20b%2Bc.db?partNumber=3&uploadId=U%2F1");
  EXPECT_EQ(p.headers["host"], "127.0.0.1:7070");
  EXPECT_EQ(p.headers["x-amz-content-sha256"], Sha256Hex("body"));
  EXPECT_EQ(p.headers["x-amz-security-token"], "TOKEN");
  EXPECT_NE(p.headers["authorization"].find("x-amz-security-token"), std::string::npos);
  EXPECT_EQ(p.headers["authorization"].find("wJalr"), std::string::npos);
}

TEST(ClientTest, PutHeaders) {
  PutOptions o;
  o.lock_mode = LockMode::kCompliance;
  o.retain_until = 1893456000;
  o.sse = Sse::kKms;
  o.kms_key_id = "arn:key";
  o.sse_c.key = std::string(32, 'k');
  auto h = PutHeaders(o);
  EXPECT_EQ(h["x-amz-object-lock-mode"], "COMPLIANCE");
  EXPECT_EQ(h["x-amz-object-lock-retain-until-date"], "2030-01-01T00:00:00Z");
  EXPECT_EQ(h["x-amz-server-side-encryption"], "aws:kms");
  EXPECT_EQ(h["x-amz-server-side-encryption-aws-kms-key-id"], "arn:key");
  EXPECT_EQ(h["x-amz-server-side-encryption-customer-algorithm"], "AES256");
  EXPECT_EQ(h["x-amz-server-side-encryption-customer-key"], "a2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2s=");
  EXPECT_EQ(ContentMd5(""), "1B2M2Y8AsgTpgAmY7PhCfg==");
}

// No server at all: the request is retried, then reported as Unavailable with the endpoint.
TEST(ClientTest, UnreachableEndpointIsUnavailableAfterRetries) {
  Client::Options o;
  o.attempts = 2;
  int slept = 0;
  o.sleep = [&](std::chrono::milliseconds) { slept++; };
  Client client(TestConfig("http://127.0.0.1:1"), o);
  auto r = client.HeadObject("bkt", "k");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("HeadObject s3://bkt/k at http://127.0.0.1:1"), std::string::npos)
      << r.status();
  EXPECT_EQ(slept, 1);
}

}  // namespace
}  // namespace ketcd::s3
