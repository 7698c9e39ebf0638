#include "pkg/backup/s3_target.h"

#include "absl/strings/str_cat.h"

namespace ketcd::backup {
namespace {

absl::Status CheckOne(const S3Target& t, const s3::ObjectUrl& url, const std::string& key) {
  absl::StatusOr<s3::ObjectInfo> head = t.client->HeadObject(url.bucket, key, t.put.sse_c);
  if (head.ok()) {
    return absl::AlreadyExistsError(
        absl::StrCat("s3://", url.bucket, "/", key, " already exists; choose another key or pass --force to replace it"));
  }
  switch (head.status().code()) {
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kUnauthenticated:
    case absl::StatusCode::kPermissionDenied:
      return absl::OkStatus();
    default:
      return head.status();
  }
}

}  // namespace

absl::Status CheckS3Free(const S3Target& t, const s3::ObjectUrl& url, bool force) {
  if (force) return absl::OkStatus();
  KETCD_RETURN_IF_ERROR(CheckOne(t, url, url.key));
  return CheckOne(t, url, url.key + ".json");
}

absl::StatusOr<std::unique_ptr<s3::MultipartUpload>> StartS3Upload(const S3Target& t, const s3::ObjectUrl& url) {
  s3::MultipartUpload::Options o;
  o.part_size = t.part_size;
  o.put = t.put;
  o.on_retry = t.warn;
  return s3::MultipartUpload::Start(*t.client, url.bucket, url.key, o);
}

absl::Status PutS3Metadata(const S3Target& t, const s3::ObjectUrl& url, const std::string& json) {
  s3::PutOptions put = t.put;
  put.content_type = "application/json";
  absl::Status s = t.client->PutObject(url.bucket, url.key + ".json", json, put).status();
  if (s.ok()) return s;
  return absl::Status(s.code(), absl::StrCat("snapshot saved at ", url.String(),
                                             ", but its metadata object could not be written: ", s.message()));
}

absl::Status AbortS3Upload(s3::MultipartUpload& upload, const absl::Status& failure) {
  absl::Status aborted = upload.Abort();
  if (aborted.ok()) {
    return absl::Status(failure.code(),
                        absl::StrCat(failure.message(), "; the partial upload was aborted, nothing was stored"));
  }
  return absl::Status(failure.code(), absl::StrCat(failure.message(), "; and ", aborted.message()));
}

}  // namespace ketcd::backup
