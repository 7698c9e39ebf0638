#pragma once
// A backup's destination in S3 (`backup s3://BUCKET/KEY`): the snapshot goes up as a
// multipart upload fed by the writer thread while etcd is still sending (s3/multipart.h),
// after compression and encryption when asked; the upload is completed only once the
// stream has passed its checks (snapshot_save.h), and aborted on any failure or Ctrl-C, so
// that neither an object nor a partial upload is left. KEY.json, the same metadata as a
// local FILE.json, is put beside it afterwards.

#include <functional>
#include <memory>
#include <string>

#include "pkg/base/status.h"
#include "pkg/s3/client.h"
#include "pkg/s3/multipart.h"
#include "pkg/s3/url.h"

namespace ketcd::backup {

struct S3Target {
  const s3::Client* client = nullptr;  // null: not an S3 destination
  s3::PutOptions put;                  // object lock, server-side encryption (both objects)
  size_t part_size = s3::kDefaultPartSize;
  std::function<void(const std::string&)> warn;  // e.g. while the abort is retried
};

// Refuses (AlreadyExists) when KEY or KEY.json is there, unless `force`. A HEAD that is
// refused (403: no s3:ListBucket permission, or wrong credentials, which the upload will
// then name) does not stop the backup.
absl::Status CheckS3Free(const S3Target& t, const s3::ObjectUrl& url, bool force);

absl::StatusOr<std::unique_ptr<s3::MultipartUpload>> StartS3Upload(const S3Target& t, const s3::ObjectUrl& url);

// KEY.json, written after the snapshot object.
absl::Status PutS3Metadata(const S3Target& t, const s3::ObjectUrl& url, const std::string& json);

// `failure` with what became of the upload: removed, or why it could not be and how to.
absl::Status AbortS3Upload(s3::MultipartUpload& upload, const absl::Status& failure);

}  // namespace ketcd::backup
