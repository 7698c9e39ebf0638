#pragma once
// The objects under an S3 prefix (`s3://BUCKET/PREFIX/`) as a Store, over s3::Client.
// Names are the keys relative to the prefix: the prefix's own objects only (ListObjectsV2
// with delimiter "/"), or every key below it when `recursive` ("sub/a.db").
//
// Multipart uploads that were started and neither completed nor aborted are no objects,
// but they hold storage: each key with such uploads is listed as "KEY.part" (size 0, the
// time of the newest upload), which the catalog takes for an incomplete backup. Removing
// that name aborts the uploads; those younger than `running_upload_seconds` may belong to
// a backup still streaming and stay (AlreadyExists, reported as busy). An account that may
// not list uploads (s3:ListBucketMultipartUploads) gets a warning and the objects only.
//
// Removals are DeleteObject (a missing key is fine) and durable when they return: Sync()
// does nothing. Errors are the client's (credentials: exit 3, a missing bucket: exit 6).

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pkg/catalog/store.h"
#include "pkg/s3/client.h"
#include "pkg/s3/url.h"

namespace ketcd::catalog {

// A day, unless a test binary changed it (SetRunningUploadSecondsForTests).
int64_t DefaultRunningUploadSeconds();
void SetRunningUploadSecondsForTests(int64_t seconds);

struct S3StoreOptions {
  bool recursive = false;
  s3::SseCustomerKey sse_c = {};  // SSE-C: backup writes both objects with it, so reads need it
  int64_t running_upload_seconds = DefaultRunningUploadSeconds();
  std::function<int64_t()> now = {};                  // unix seconds; default: the clock
  std::function<void(const std::string&)> warn = {};  // default: none
};

class S3Store : public Store {
 public:
  // `prefix.key` is "" (the whole bucket) or ends in '/'.
  S3Store(std::shared_ptr<const s3::Client> client, s3::ObjectUrl prefix, S3StoreOptions options);

  std::string Describe() const override { return prefix_.String(); }
  absl::StatusOr<std::vector<StoreEntry>> List() override;
  absl::StatusOr<std::string> ReadSmall(const std::string& name, size_t max_bytes) override;
  absl::Status Remove(const std::string& name) override;
  absl::Status Sync() override { return absl::OkStatus(); }

 private:
  struct Upload {
    std::string key, upload_id;
    int64_t initiated = 0;
  };
  absl::Status ListObjects(std::vector<StoreEntry>& out);
  absl::Status ListUploads(std::vector<StoreEntry>& out);
  absl::Status AbortUploads(const std::string& name);

  std::shared_ptr<const s3::Client> client_;
  s3::ObjectUrl prefix_;
  S3StoreOptions options_;
  std::map<std::string, uint64_t> sizes_;               // of the objects the last List() saw
  std::map<std::string, std::vector<Upload>> uploads_;  // "KEY.part" -> its uploads
};

// A LastModified or Initiated time as S3 writes it (ISO 8601 in UTC,
// "2026-03-14T02:00:00.000Z"), in unix seconds.
absl::StatusOr<int64_t> ParseS3Time(std::string_view text);

// The name of `key` under `prefix` ("" when the key is not a name in the store: the prefix
// itself, a "folder" marker, or a deeper key unless `recursive`).
std::string RelativeName(std::string_view prefix, std::string_view key, bool recursive);

}  // namespace ketcd::catalog
