#include "pkg/s3/responses.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "pkg/s3/xml.h"

namespace ketcd::s3 {
namespace {

absl::StatusOr<XmlElement> Root(std::string_view body, std::string_view want) {
  KETCD_ASSIGN_OR_RETURN(XmlElement root, ParseXml(body));
  if (root.name != want) {
    return absl::InvalidArgumentError(absl::StrCat("expected <", std::string(want), ">, got <", root.name, ">"));
  }
  return root;
}

absl::StatusOr<bool> Bool(const XmlElement& e, std::string_view name) {
  std::string v = e.ChildText(name);
  if (v.empty() || v == "false") return false;
  if (v == "true") return true;
  return absl::InvalidArgumentError(absl::StrCat("<", std::string(name), "> is \"", v, "\", not true or false"));
}

}  // namespace

absl::StatusOr<ErrorReply> ParseErrorReply(std::string_view body) {
  KETCD_ASSIGN_OR_RETURN(XmlElement root, Root(body, "Error"));
  ErrorReply e;
  e.code = root.ChildText("Code");
  e.message = root.ChildText("Message");
  e.resource = root.ChildText("Resource");
  e.request_id = root.ChildText("RequestId");
  if (e.code.empty()) return absl::InvalidArgumentError("<Error> without a <Code>");
  return e;
}

absl::StatusOr<ListObjectsPage> ParseListObjectsV2(std::string_view body) {
  KETCD_ASSIGN_OR_RETURN(XmlElement root, Root(body, "ListBucketResult"));
  ListObjectsPage page;
  KETCD_ASSIGN_OR_RETURN(page.truncated, Bool(root, "IsTruncated"));
  page.next_continuation_token = root.ChildText("NextContinuationToken");
  if (page.truncated && page.next_continuation_token.empty()) {
    return absl::InvalidArgumentError("a truncated listing without a <NextContinuationToken>");
  }
  for (const XmlElement* c : root.Children("Contents")) {
    ObjectEntry o;
    o.key = c->ChildText("Key");
    if (o.key.empty()) return absl::InvalidArgumentError("<Contents> without a <Key>");
    if (!absl::SimpleAtoi(c->ChildText("Size"), &o.size)) {
      return absl::InvalidArgumentError(absl::StrCat("<Size> of \"", o.key, "\" is not a number"));
    }
    o.etag = c->ChildText("ETag");
    o.last_modified = c->ChildText("LastModified");
    o.storage_class = c->ChildText("StorageClass");
    page.objects.push_back(std::move(o));
  }
  for (const XmlElement* p : root.Children("CommonPrefixes")) page.common_prefixes.push_back(p->ChildText("Prefix"));
  return page;
}

absl::StatusOr<std::string> ParseInitiateMultipartUpload(std::string_view body) {
  KETCD_ASSIGN_OR_RETURN(XmlElement root, Root(body, "InitiateMultipartUploadResult"));
  std::string id = root.ChildText("UploadId");
  if (id.empty()) return absl::InvalidArgumentError("no <UploadId>");
  return id;
}

absl::StatusOr<std::string> ParseCompleteMultipartUpload(std::string_view body) {
  KETCD_ASSIGN_OR_RETURN(XmlElement root, ParseXml(body));
  if (root.name == "Error") {
    ErrorReply e{root.ChildText("Code"), root.ChildText("Message"), "", root.ChildText("RequestId")};
    return absl::Status(CodeForS3Error(e.code, 200),
                        absl::StrCat("completing the upload failed: ", e.code, ": ", e.message));
  }
  if (root.name != "CompleteMultipartUploadResult") {
    return absl::InvalidArgumentError(absl::StrCat("expected <CompleteMultipartUploadResult>, got <", root.name, ">"));
  }
  return root.ChildText("ETag");
}

absl::StatusOr<ListMultipartUploadsPage> ParseListMultipartUploads(std::string_view body) {
  KETCD_ASSIGN_OR_RETURN(XmlElement root, Root(body, "ListMultipartUploadsResult"));
  ListMultipartUploadsPage page;
  KETCD_ASSIGN_OR_RETURN(page.truncated, Bool(root, "IsTruncated"));
  page.next_key_marker = root.ChildText("NextKeyMarker");
  page.next_upload_id_marker = root.ChildText("NextUploadIdMarker");
  for (const XmlElement* u : root.Children("Upload")) {
    MultipartUploadEntry e{u->ChildText("Key"), u->ChildText("UploadId"), u->ChildText("Initiated")};
    if (e.upload_id.empty()) return absl::InvalidArgumentError("<Upload> without an <UploadId>");
    page.uploads.push_back(std::move(e));
  }
  if (page.truncated && page.next_key_marker.empty() && page.next_upload_id_marker.empty()) {
    return absl::InvalidArgumentError("a truncated upload listing without markers");
  }
  return page;
}

absl::StatusCode CodeForS3Error(std::string_view code, long http_status) {
  if (code == "SignatureDoesNotMatch" || code == "InvalidAccessKeyId" || code == "ExpiredToken" ||
      code == "InvalidToken" || code == "TokenRefreshRequired" || code == "AuthorizationHeaderMalformed" ||
      code == "RequestTimeTooSkewed" || code == "AccessDenied" || code == "AllAccessDisabled" ||
      code == "InvalidSecurity") {
    return absl::StatusCode::kUnauthenticated;
  }
  if (code == "NoSuchBucket" || code == "NoSuchKey" || code == "NoSuchUpload" || code == "NotFound") {
    return absl::StatusCode::kNotFound;
  }
  if (code == "PreconditionFailed" || code == "InvalidObjectState" || code == "ObjectLocked" ||
      code == "InvalidBucketState") {
    return absl::StatusCode::kFailedPrecondition;
  }
  if (code == "SlowDown" || code == "ServiceUnavailable" || code == "InternalError" ||
      code == "RequestTimeout" || http_status >= 500) {
    return absl::StatusCode::kUnavailable;
  }
  if (http_status == 401 || http_status == 403) return absl::StatusCode::kUnauthenticated;
  if (http_status == 404) return absl::StatusCode::kNotFound;
  if (http_status == 412) return absl::StatusCode::kFailedPrecondition;
  return absl::StatusCode::kUnknown;
}

}  // namespace ketcd::s3
