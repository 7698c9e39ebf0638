// The S3 operations of Client, each one Request through Client::Perform.
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "pkg/s3/client.h"

namespace ketcd::s3 {
namespace {

ObjectInfo InfoFrom(const Client::Response& r) {
  ObjectInfo info;
  info.headers = r.headers;
  auto get = [&](const char* name) {
    auto it = r.headers.find(name);
    return it == r.headers.end() ? std::string() : it->second;
  };
  (void)absl::SimpleAtoi(get("content-length"), &info.size);
  info.etag = get("etag");
  info.last_modified = get("last-modified");
  info.lock_mode = get("x-amz-object-lock-mode");
  info.lock_retain_until = get("x-amz-object-lock-retain-until-date");
  info.sse = get("x-amz-server-side-encryption");
  return info;
}

// The XML text of `s` with &, <, > escaped.
std::string XmlEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '&') {
      out += "&amp;";
    } else if (c == '<') {
      out += "&lt;";
    } else if (c == '>') {
      out += "&gt;";
    } else if (c == '"') {
      out += "&quot;";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace

absl::StatusOr<std::string> Client::PutObject(const std::string& bucket, const std::string& key,
                                              std::string_view body, const PutOptions& opts) const {
  Request req{"PUT", bucket, key, {}, PutHeaders(opts), body, "PutObject"};
  if (opts.lock_mode != LockMode::kNone) req.headers["content-md5"] = ContentMd5(body);
  KETCD_ASSIGN_OR_RETURN(Response r, Perform(req));
  return InfoFrom(r).etag;
}

std::string RangeHeader(const ByteRange& range) {
  if (range.count == 0) return "";
  return absl::StrCat("bytes=", range.first, "-", range.first + range.count - 1);
}

Client::Request Client::GetObjectRequest(const std::string& bucket, const std::string& key, const SseCustomerKey& sse_c,
                                         const ByteRange& range) {
  Request req{"GET", bucket, key, {}, SseCustomerHeaders(sse_c), {}, "GetObject"};
  if (range.count > 0) req.headers["range"] = RangeHeader(range);
  return req;
}

absl::StatusOr<ObjectInfo> Client::GetObject(const std::string& bucket, const std::string& key, const BodyFn& sink,
                                             const SseCustomerKey& sse_c, const ByteRange& range) const {
  KETCD_ASSIGN_OR_RETURN(Response r, Perform(GetObjectRequest(bucket, key, sse_c, range), sink));
  return InfoFrom(r);
}

absl::StatusOr<ObjectInfo> Client::HeadObject(const std::string& bucket, const std::string& key,
                                              const SseCustomerKey& sse_c) const {
  Request req{"HEAD", bucket, key, {}, SseCustomerHeaders(sse_c), {}, "HeadObject"};
  KETCD_ASSIGN_OR_RETURN(Response r, Perform(req));
  return InfoFrom(r);
}

absl::Status Client::DeleteObject(const std::string& bucket, const std::string& key) const {
  Request req{"DELETE", bucket, key, {}, {}, {}, "DeleteObject"};
  return Perform(req).status();
}

absl::StatusOr<ListObjectsPage> Client::ListObjectsV2(const std::string& bucket, const ListOptions& opts) const {
  Request req{"GET", bucket, "", {{"list-type", "2"}}, {}, {}, "ListObjectsV2"};
  if (!opts.prefix.empty()) req.query.emplace_back("prefix", opts.prefix);
  if (!opts.delimiter.empty()) req.query.emplace_back("delimiter", opts.delimiter);
  if (!opts.continuation_token.empty()) req.query.emplace_back("continuation-token", opts.continuation_token);
  if (opts.max_keys > 0) req.query.emplace_back("max-keys", std::to_string(opts.max_keys));
  KETCD_ASSIGN_OR_RETURN(Response r, Perform(req));
  absl::StatusOr<ListObjectsPage> page = ParseListObjectsV2(r.body);
  if (!page.ok()) return absl::UnavailableError(absl::StrCat(Describe(req), ": bad reply: ", page.status().message()));
  return page;
}

absl::StatusOr<std::string> Client::CreateMultipartUpload(const std::string& bucket, const std::string& key,
                                                          const PutOptions& opts) const {
  Request req{"POST", bucket, key, {{"uploads", ""}}, PutHeaders(opts), {}, "CreateMultipartUpload"};
  KETCD_ASSIGN_OR_RETURN(Response r, Perform(req));
  absl::StatusOr<std::string> id = ParseInitiateMultipartUpload(r.body);
  if (!id.ok()) return absl::UnavailableError(absl::StrCat(Describe(req), ": bad reply: ", id.status().message()));
  return id;
}

absl::StatusOr<std::string> Client::UploadPart(const std::string& bucket, const std::string& key,
                                               const std::string& upload_id, int number, std::string_view data,
                                               const PutOptions& opts) const {
  Request req{"PUT", bucket, key, {{"partNumber", std::to_string(number)}, {"uploadId", upload_id}},
              SseCustomerHeaders(opts.sse_c), data, absl::StrCat("UploadPart ", number)};
  if (opts.lock_mode != LockMode::kNone) req.headers["content-md5"] = ContentMd5(data);
  KETCD_ASSIGN_OR_RETURN(Response r, Perform(req));
  std::string etag = InfoFrom(r).etag;
  if (etag.empty()) return absl::UnavailableError(absl::StrCat(Describe(req), ": no ETag in the reply"));
  return etag;
}

absl::StatusOr<std::string> Client::CompleteMultipartUpload(const std::string& bucket, const std::string& key,
                                                            const std::string& upload_id,
                                                            const std::vector<CompletedPart>& parts) const {
  std::string body = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">";
  for (const CompletedPart& p : parts) {
    absl::StrAppend(&body, "<Part><PartNumber>", p.number, "</PartNumber><ETag>", XmlEscape(p.etag), "</ETag></Part>");
  }
  body += "</CompleteMultipartUpload>";
  Request req{"POST", bucket, key, {{"uploadId", upload_id}}, {{"content-type", "application/xml"}}, body,
              "CompleteMultipartUpload"};
  KETCD_ASSIGN_OR_RETURN(Response r, Perform(req));
  absl::StatusOr<std::string> etag = ParseCompleteMultipartUpload(r.body);
  if (!etag.ok()) return absl::Status(etag.status().code() == absl::StatusCode::kInvalidArgument
                                          ? absl::StatusCode::kUnavailable
                                          : etag.status().code(),
                                      absl::StrCat(Describe(req), ": ", etag.status().message()));
  return etag;
}

absl::Status Client::AbortMultipartUpload(const std::string& bucket, const std::string& key,
                                          const std::string& upload_id) const {
  Request req{"DELETE", bucket, key, {{"uploadId", upload_id}}, {}, {}, "AbortMultipartUpload"};
  req.interruptible = false;
  return Perform(req).status();
}

absl::StatusOr<ListMultipartUploadsPage> Client::ListMultipartUploads(const std::string& bucket,
                                                                      const std::string& prefix,
                                                                      const std::string& key_marker,
                                                                      const std::string& upload_id_marker) const {
  Request req{"GET", bucket, "", {{"uploads", ""}}, {}, {}, "ListMultipartUploads"};
  if (!prefix.empty()) req.query.emplace_back("prefix", prefix);
  if (!key_marker.empty()) req.query.emplace_back("key-marker", key_marker);
  if (!upload_id_marker.empty()) req.query.emplace_back("upload-id-marker", upload_id_marker);
  KETCD_ASSIGN_OR_RETURN(Response r, Perform(req));
  absl::StatusOr<ListMultipartUploadsPage> page = ParseListMultipartUploads(r.body);
  if (!page.ok()) return absl::UnavailableError(absl::StrCat(Describe(req), ": bad reply: ", page.status().message()));
  return page;
}

absl::Status Client::CreateBucket(const std::string& bucket, bool object_lock) const {
  std::string body;
  if (config_.region != "us-east-1") {
    body = absl::StrCat(
        "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LocationConstraint>",
        XmlEscape(config_.region), "</LocationConstraint></CreateBucketConfiguration>");
  }
  Request req{"PUT", bucket, "", {}, {}, body, "CreateBucket"};
  if (object_lock) req.headers["x-amz-bucket-object-lock-enabled"] = "true";
  return Perform(req).status();
}

}  // namespace ketcd::s3
