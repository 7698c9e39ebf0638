#pragma once
// The flags of s3:// snapshots: where S3 is and who we are (--s3-endpoint, --profile...,
// pkg/s3/config.h resolves them with the AWS environment and files) on backup, status and
// restore; object lock, server-side encryption and the part size on backup.

#include <cxxopts.hpp>

#include <memory>

#include "pkg/backup/s3_target.h"
#include "pkg/base/status.h"
#include "pkg/s3/client.h"
#include "pkg/s3/download.h"

namespace ketcd::cmd {

void AddS3Flags(cxxopts::Options& options);
void AddS3UploadFlags(cxxopts::Options& options);

absl::StatusOr<std::unique_ptr<s3::Client>> S3ClientFromFlags(const cxxopts::ParseResult& flags);
// --s3-sse-c-key-file: 32 bytes, raw or base64.
absl::StatusOr<s3::SseCustomerKey> SseCustomerKeyFromFlags(const cxxopts::ParseResult& flags);
// Everything of a backup to S3 but the client; `now` for a relative retain-until.
absl::StatusOr<backup::S3Target> S3TargetFromFlags(const cxxopts::ParseResult& flags, int64_t now);

// "30d", "12h", "90m" from `now`, or an RFC 3339 time (2030-01-31T00:00:00Z) or date
// (2030-01-31); unix seconds. Public for tests.
absl::StatusOr<int64_t> ParseRetainUntil(const std::string& value, int64_t now);

// status and restore of an s3:// URL: the object downloaded into a private directory under
// `temp_parent` ("" = $TMPDIR or /tmp), removed when the result goes.
absl::StatusOr<std::unique_ptr<s3::Downloaded>> DownloadSnapshot(const cxxopts::ParseResult& flags,
                                                                  const std::string& url,
                                                                  const std::string& temp_parent);

}  // namespace ketcd::cmd
