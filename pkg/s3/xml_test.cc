#include <gtest/gtest.h>

#include "pkg/s3/responses.h"
#include "pkg/s3/xml.h"

namespace ketcd::s3 {
namespace {

TEST(XmlTest, ParsesElementsEntitiesCdataAndSkipsTheRest) {
  auto root = ParseXml(
      "\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- c -->"
      "<s3:Root xmlns:s3=\"http://s3.amazonaws.com/doc/2006-03-01/\" a='1'>"
      "<A>x &amp; y &lt;&#65;&#x42;&#xE9;&gt;</A><B/><!-- in --><A><![CDATA[<raw>]]></A></s3:Root>\n");
  ASSERT_TRUE(root.ok()) << root.status();
  EXPECT_EQ(root->name, "Root");
  ASSERT_EQ(root->Children("A").size(), 2u);
  EXPECT_EQ(root->ChildText("A"), "x & y <AB\xC3\xA9>");
  EXPECT_EQ(root->Children("A")[1]->text, "<raw>");
  EXPECT_NE(root->Child("B"), nullptr);
  EXPECT_EQ(root->Child("C"), nullptr);
}

TEST(XmlTest, RejectsMalformedInput) {
  for (const char* bad : {"", "text", "<a>", "<a></b>", "<a><b></a></b>", "<a>&bogus;</a>", "<a>&#0;</a>",
                          "<a>&#xD800;</a>", "<a>&#99999999;</a>", "<a x=1></a>", "<a></a><b></b>", "<a><![CDATA[x</a>",
                          "<!DOCTYPE a [<!ENTITY e \"x\">]><a>&e;</a>", "<a>&amp</a>", "<>"}) {
    EXPECT_FALSE(ParseXml(bad).ok()) << bad;
  }
  std::string deep;
  for (int i = 0; i < 100; i++) deep += "<a>";
  EXPECT_FALSE(ParseXml(deep).ok());
}

TEST(ResponsesTest, Error) {
  auto e = ParseErrorReply(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SignatureDoesNotMatch</Code><Message>The request "
      "signature we calculated does not match the signature you provided.</Message><RequestId>R1</RequestId></Error>");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->code, "SignatureDoesNotMatch");
  EXPECT_EQ(e->request_id, "R1");
  EXPECT_EQ(CodeForS3Error(e->code, 403), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(CodeForS3Error("InvalidAccessKeyId", 403), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(CodeForS3Error("NoSuchBucket", 404), absl::StatusCode::kNotFound);
  EXPECT_EQ(CodeForS3Error("SlowDown", 503), absl::StatusCode::kUnavailable);
  EXPECT_FALSE(ParseErrorReply("<Other/>").ok());
}

TEST(ResponsesTest, ListObjectsV2) {
  auto page = ParseListObjectsV2(
      "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>b</Name><Prefix>p/</Prefix>"
      "<KeyCount>2</KeyCount><MaxKeys>2</MaxKeys><IsTruncated>true</IsTruncated>"
      "<NextContinuationToken>tok==</NextContinuationToken>"
      "<Contents><Key>p/a.db</Key><LastModified>2024-01-02T03:04:05.000Z</LastModified><ETag>&quot;e1&quot;</ETag>"
      "<Size>123</Size><StorageClass>STANDARD</StorageClass></Contents>"
      "<Contents><Key>p/a.db.json</Key><Size>4</Size></Contents>"
      "<CommonPrefixes><Prefix>p/sub/</Prefix></CommonPrefixes></ListBucketResult>");
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->objects.size(), 2u);
  EXPECT_EQ(page->objects[0].key, "p/a.db");
  EXPECT_EQ(page->objects[0].size, 123u);
  EXPECT_EQ(page->objects[0].etag, "\"e1\"");
  EXPECT_TRUE(page->truncated);
  EXPECT_EQ(page->next_continuation_token, "tok==");
  EXPECT_EQ(page->common_prefixes, std::vector<std::string>{"p/sub/"});
  EXPECT_FALSE(ParseListObjectsV2("<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>").ok());
  EXPECT_FALSE(ParseListObjectsV2("<ListBucketResult><Contents><Key>k</Key><Size>-1</Size></Contents>"
                                  "</ListBucketResult>").ok());
  EXPECT_FALSE(ParseListObjectsV2("<ListBucketResult><IsTruncated>maybe</IsTruncated></ListBucketResult>").ok());
}

TEST(ResponsesTest, MultipartReplies) {
  auto id = ParseInitiateMultipartUpload(
      "<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key><UploadId>U1</UploadId>"
      "</InitiateMultipartUploadResult>");
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(*id, "U1");
  EXPECT_FALSE(ParseInitiateMultipartUpload("<InitiateMultipartUploadResult/>").ok());
  auto etag = ParseCompleteMultipartUpload(
      "<CompleteMultipartUploadResult><Location>l</Location><ETag>\"x-2\"</ETag></CompleteMultipartUploadResult>");
  ASSERT_TRUE(etag.ok());
  EXPECT_EQ(*etag, "\"x-2\"");
  // A 200 reply that carries an error.
  auto failed = ParseCompleteMultipartUpload("<Error><Code>InternalError</Code><Message>m</Message></Error>");
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kUnavailable);
  auto list = ParseListMultipartUploads(
      "<ListMultipartUploadsResult><Bucket>b</Bucket><IsTruncated>false</IsTruncated>"
      "<Upload><Key>k</Key><UploadId>U1</UploadId><Initiated>2024-01-01T00:00:00Z</Initiated></Upload>"
      "</ListMultipartUploadsResult>");
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->uploads.size(), 1u);
  EXPECT_EQ(list->uploads[0].upload_id, "U1");
}

}  // namespace
}  // namespace ketcd::s3
