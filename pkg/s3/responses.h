#pragma once
// The S3 replies the client reads, from their XML (xml.h): errors, object listings (V2),
// multipart uploads. Each parser takes the body as the server sent it (untrusted) and
// checks the root element's name.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pkg/base/status.h"

namespace ketcd::s3 {

struct ErrorReply {
  std::string code;        // "NoSuchBucket", "SignatureDoesNotMatch", ...
  std::string message;
  std::string resource;
  std::string request_id;
};
// An <Error> document; NotFound-free: InvalidArgument when the body is not one.
absl::StatusOr<ErrorReply> ParseErrorReply(std::string_view body);

struct ObjectEntry {
  std::string key;
  uint64_t size = 0;
  std::string etag;           // as sent, quotes included
  std::string last_modified;  // RFC 3339 as S3 writes it
  std::string storage_class;
};

struct ListObjectsPage {
  std::vector<ObjectEntry> objects;
  std::vector<std::string> common_prefixes;  // with a delimiter: the "directories"
  bool truncated = false;
  std::string next_continuation_token;  // set when truncated
};
absl::StatusOr<ListObjectsPage> ParseListObjectsV2(std::string_view body);

// CreateMultipartUpload: the UploadId.
absl::StatusOr<std::string> ParseInitiateMultipartUpload(std::string_view body);

// CompleteMultipartUpload: the ETag of the object. S3 may answer 200 with an <Error>
// body when the completion failed after it started: that is returned as its error.
absl::StatusOr<std::string> ParseCompleteMultipartUpload(std::string_view body);

struct MultipartUploadEntry {
  std::string key;
  std::string upload_id;
  std::string initiated;
};
struct ListMultipartUploadsPage {
  std::vector<MultipartUploadEntry> uploads;
  bool truncated = false;
  std::string next_key_marker, next_upload_id_marker;
};
absl::StatusOr<ListMultipartUploadsPage> ParseListMultipartUploads(std::string_view body);

// The status an S3 error code (and HTTP status) maps to: exit 3 for credentials and
// signatures (Unauthenticated), 6 for a missing bucket or key (NotFound), 5 for an object
// locked or a precondition (FailedPrecondition), 3 for a server that is down or throttles
// (Unavailable); kUnknown otherwise (the client makes a 400 InvalidArgument, another
// 4xx FailedPrecondition).
absl::StatusCode CodeForS3Error(std::string_view code, long http_status);

}  // namespace ketcd::s3
