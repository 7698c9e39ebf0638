// SigV4 against published vectors: AWS's aws-sig-v4-test-suite (service "service",
// 2015-08-30) and the S3 documentation's signature examples (2013-05-24). Each checks
// the canonical request (or its hash, the last line of the string to sign) and the
// signature separately, so that a failure says which step is wrong.
#include "pkg/s3/sigv4.h"

#include <gtest/gtest.h>

namespace ketcd::s3 {
namespace {

const SigningCredentials kSuite{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"};
const SigningCredentials kS3Docs{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"};
const std::string kEmpty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

SigningInput Suite(const std::string& method, std::vector<std::pair<std::string, std::string>> query = {}) {
  SigningInput in;
  in.method = method;
  in.encoded_path = "/";
  in.query = std::move(query);
  in.headers = {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", "20150830T123600Z"}};
  in.payload_sha256_hex = kEmpty;
  in.region = "us-east-1";
  in.service = "service";
  in.amz_date = "20150830T123600Z";
  return in;
}

SigningInput S3Doc(const std::string& method, const std::string& path, const std::string& payload_hash) {
  SigningInput in;
  in.method = method;
  in.encoded_path = path;
  in.headers = {{"host", "examplebucket.s3.amazonaws.com"},
                {"x-amz-date", "20130524T000000Z"},
                {"x-amz-content-sha256", payload_hash}};
  in.payload_sha256_hex = payload_hash;
  in.region = "us-east-1";
  in.amz_date = "20130524T000000Z";
  return in;
}

std::string LastLine(const std::string& s) { return s.substr(s.rfind('\n') + 1); }

TEST(SigV4Test, GetVanilla) {
  Signature s = Sign(Suite("GET"), kSuite);
  EXPECT_EQ(s.canonical_request,
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" + kEmpty);
  EXPECT_EQ(s.string_to_sign,
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
            "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
  EXPECT_EQ(s.authorization,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            "SignedHeaders=host;x-amz-date, "
            "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

TEST(SigV4Test, GetVanillaQueryOrderKeyCase) {
  Signature s = Sign(Suite("GET", {{"Param2", "value2"}, {"Param1", "value1"}}), kSuite);
  EXPECT_EQ(s.canonical_request.substr(0, s.canonical_request.find("\nhost")), "GET\n/\nParam1=value1&Param2=value2");
  EXPECT_EQ(LastLine(s.string_to_sign), "816cd5b414d056048ba4f7c5386d6e0533120fb1fcfa93762cf0fc39e2cf19e0");
  EXPECT_EQ(s.signature, "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500");
}

TEST(SigV4Test, GetVanillaQueryOrderValue) {
  Signature s = Sign(Suite("GET", {{"Param1", "value2"}, {"Param1", "value1"}}), kSuite);
  EXPECT_EQ(s.signature, "5772eed61e12b33fae39ee5e7012498b51d56abc0abb7c60486157bd471c4694");
}

TEST(SigV4Test, GetUnreserved) {
  SigningInput in = Suite("GET");
  in.encoded_path = UriEncode("/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", true);
  EXPECT_EQ(Sign(in, kSuite).signature, "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f");
}

TEST(SigV4Test, PostXWwwFormUrlencoded) {
  SigningInput in = Suite("POST");
  in.headers["Content-Type"] = "application/x-www-form-urlencoded";
  in.payload_sha256_hex = Sha256Hex("Param1=value1");
  EXPECT_EQ(in.payload_sha256_hex, "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e");
  Signature s = Sign(in, kSuite);
  EXPECT_EQ(s.signed_headers, "content-type;host;x-amz-date");
  EXPECT_EQ(LastLine(s.string_to_sign), "42a5e5bb34198acb3e84da4f085bb7927f2bc277ca766e6d19c73c2154021281");
  EXPECT_EQ(s.signature, "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a");
}

TEST(SigV4Test, S3GetObjectWithRange) {
  SigningInput in = S3Doc("GET", "/test.txt", kEmpty);
  in.headers["Range"] = "bytes=0-9";
  Signature s = Sign(in, kS3Docs);
  EXPECT_EQ(s.signed_headers, "host;range;x-amz-content-sha256;x-amz-date");
  EXPECT_EQ(LastLine(s.string_to_sign), "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
  EXPECT_EQ(s.signature, "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(SigV4Test, S3PutObject) {
  const std::string payload = Sha256Hex("Welcome to Amazon S3.");
  EXPECT_EQ(payload, "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  SigningInput in = S3Doc("PUT", UriEncode("/test$file.text", true), payload);
  EXPECT_EQ(in.encoded_path, "/test%24file.text");
  in.headers["Date"] = "Fri, 24 May 2013 00:00:00 GMT";
  in.headers["x-amz-storage-class"] = "REDUCED_REDUNDANCY";
  Signature s = Sign(in, kS3Docs);
  EXPECT_EQ(LastLine(s.string_to_sign), "9e0e90d9c76de8fa5b200d8c849cd5b8dc7a3be3951ddb7f6a76b4158342019d");
  EXPECT_EQ(s.signature, "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
}

TEST(SigV4Test, S3GetBucketLifecycleAndListObjects) {
  SigningInput in = S3Doc("GET", "/", kEmpty);
  in.query = {{"lifecycle", ""}};
  EXPECT_EQ(Sign(in, kS3Docs).signature, "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
  in.query = {{"prefix", "J"}, {"max-keys", "2"}};
  EXPECT_EQ(Sign(in, kS3Docs).signature, "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

TEST(SigV4Test, EncodingAndHeaderValues) {
  EXPECT_EQ(UriEncode("a b/c+d=é", true), "a%20b/c%2Bd%3D%C3%A9");
  EXPECT_EQ(UriEncode("a/b", false), "a%2Fb");
  EXPECT_EQ(CanonicalQuery({{"uploadId", "x y"}, {"partNumber", "2"}, {"uploads", ""}}),
            "partNumber=2&uploadId=x%20y&uploads=");
  SigningInput in = Suite("GET");
  in.headers["My-Header1"] = "  value1   value2  ";
  EXPECT_NE(Sign(in, kSuite).canonical_request.find("my-header1:value1 value2\n"), std::string::npos);
  EXPECT_EQ(AmzDate(1440938160), "20150830T123600Z");
}

}  // namespace
}  // namespace ketcd::s3
