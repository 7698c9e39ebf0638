#pragma once
// An S3 client over libcurl, the subset kubectl-etcd needs (README.md): objects (put, get
// streamed, head, delete), listings (ListObjectsV2 with prefix, delimiter and continuation
// tokens), multipart uploads (create, upload part, complete, abort, list) and CreateBucket.
// Every request is signed with SigV4 (sigv4.h) over the SHA-256 of its body.
//
// Errors: the <Error> S3 answers becomes a Status whose message names the operation,
// bucket and key, the S3 code and message (CodeForS3Error: bad credentials or signatures
// are Unauthenticated, exit 3; a missing bucket or key NotFound, exit 6). No connection,
// 5xx and SlowDown are retried (`Options::attempts`, with backoff) and then Unavailable.
// Ctrl-C (Interrupted()) stops a transfer with Cancelled, except for AbortMultipartUpload,
// which must still run after it.
//
// A Client holds no connection and may be used from several threads at once.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "pkg/base/status.h"
#include "pkg/s3/config.h"
#include "pkg/s3/responses.h"

namespace ketcd::s3 {

enum class LockMode { kNone, kGovernance, kCompliance };
enum class Sse { kNone, kAes256, kKms };

// Server-side encryption with a key of the caller's (SSE-C): sent with every request that
// writes or reads the object's data.
struct SseCustomerKey {
  std::string key;  // 32 raw bytes; empty: none
};

struct PutOptions {
  LockMode lock_mode = LockMode::kNone;
  int64_t retain_until = 0;  // unix seconds; with lock_mode
  Sse sse = Sse::kNone;
  std::string kms_key_id;  // with Sse::kKms; "" = the account's default key
  SseCustomerKey sse_c;
  std::string content_type = "application/octet-stream";
};

struct ObjectInfo {
  uint64_t size = 0;
  std::string etag;
  std::string last_modified;
  std::string lock_mode;          // x-amz-object-lock-mode
  std::string lock_retain_until;  // x-amz-object-lock-retain-until-date
  std::string sse;                // x-amz-server-side-encryption
  std::map<std::string, std::string> headers;  // every header, lower-case names
};

struct ListOptions {
  std::string prefix = "";
  std::string delimiter = "";
  std::string continuation_token = "";
  int max_keys = 0;  // 0: the server's default (1000)
};

// Bytes [first, first + count) of an object: GetObject's Range header. count 0: the whole
// object (no header).
struct ByteRange {
  uint64_t first = 0;
  uint64_t count = 0;
};
// "bytes=0-1023" for {0, 1024}; "" for the whole object.
std::string RangeHeader(const ByteRange& range);

struct CompletedPart {
  int number = 0;
  std::string etag;
};

class Client {
 public:
  struct Options {
    int attempts = 4;  // per request, for retryable failures
    std::chrono::milliseconds first_backoff{500};
    std::chrono::seconds connect_timeout{10};
    // A transfer slower than 1 byte/s for this long fails (Unavailable).
    std::chrono::seconds stall_timeout{60};
    std::function<int64_t()> now;  // unix seconds, for x-amz-date; default: the clock
    std::function<void(std::chrono::milliseconds)> sleep;  // backoff; default: sleeps, stops on Ctrl-C
  };
  explicit Client(Config config);
  Client(Config config, Options options);

  const Config& config() const { return config_; }

  absl::StatusOr<std::string> PutObject(const std::string& bucket, const std::string& key, std::string_view body,
                                        const PutOptions& opts = {}) const;
  // Streams the object's bytes to `sink` as they arrive; with a `range`, only those (the
  // server answers 206 with at most range.count bytes, fewer past the end; S3 refuses a
  // range of an empty object with InvalidRange). A sink that returns an error stops the
  // transfer, and that error is the result.
  using BodyFn = std::function<absl::Status(const char* data, size_t n)>;
  absl::StatusOr<ObjectInfo> GetObject(const std::string& bucket, const std::string& key, const BodyFn& sink,
                                       const SseCustomerKey& sse_c = {}, const ByteRange& range = {}) const;
  absl::StatusOr<ObjectInfo> HeadObject(const std::string& bucket, const std::string& key,
                                        const SseCustomerKey& sse_c = {}) const;
  absl::Status DeleteObject(const std::string& bucket, const std::string& key) const;
  // One page; loop with page.next_continuation_token while page.truncated.
  absl::StatusOr<ListObjectsPage> ListObjectsV2(const std::string& bucket, const ListOptions& opts) const;

  absl::StatusOr<std::string> CreateMultipartUpload(const std::string& bucket, const std::string& key,
                                                    const PutOptions& opts) const;
  // `number` from 1; returns the part's ETag. Content-MD5 is sent when `opts` asks for
  // object lock (S3 requires it there).
  absl::StatusOr<std::string> UploadPart(const std::string& bucket, const std::string& key,
                                         const std::string& upload_id, int number, std::string_view data,
                                         const PutOptions& opts) const;
  absl::StatusOr<std::string> CompleteMultipartUpload(const std::string& bucket, const std::string& key,
                                                      const std::string& upload_id,
                                                      const std::vector<CompletedPart>& parts) const;
  // Runs even after Ctrl-C.
  absl::Status AbortMultipartUpload(const std::string& bucket, const std::string& key,
                                    const std::string& upload_id) const;
  absl::StatusOr<ListMultipartUploadsPage> ListMultipartUploads(const std::string& bucket, const std::string& prefix,
                                                                const std::string& key_marker = "",
                                                                const std::string& upload_id_marker = "") const;
  // For tests and setup: a bucket in the configured region, with Object Lock if asked.
  absl::Status CreateBucket(const std::string& bucket, bool object_lock = false) const;

  // The request machinery, public for tests of what is sent.
  struct Request {
    std::string method;
    std::string bucket;
    std::string key;  // "" for bucket requests
    std::vector<std::pair<std::string, std::string>> query;
    std::map<std::string, std::string> headers;
    std::string_view body;
    std::string what;  // "PutObject", for messages
    bool interruptible = true;
  };
  struct Response {
    long http_status = 0;
    std::map<std::string, std::string> headers;
    std::string body;  // unless streamed
  };
  // The URL and the signed headers of `req` at time `now`.
  struct Prepared {
    std::string url;
    std::map<std::string, std::string> headers;
  };
  Prepared Prepare(const Request& req, int64_t now) const;
  // The request GetObject sends.
  static Request GetObjectRequest(const std::string& bucket, const std::string& key, const SseCustomerKey& sse_c,
                                  const ByteRange& range);
  absl::StatusOr<Response> Perform(const Request& req, const BodyFn& stream_body = nullptr) const;

 private:
  absl::StatusOr<Response> PerformOnce(const Request& req, const BodyFn& stream_body, bool* retryable,
                                       bool* delivered) const;
  std::string Describe(const Request& req) const;
  Config config_;
  Options options_;
};

// The headers of `opts` (lock, SSE, SSE-C) for a request that writes an object.
std::map<std::string, std::string> PutHeaders(const PutOptions& opts);
// The three SSE-C headers, or none.
std::map<std::string, std::string> SseCustomerHeaders(const SseCustomerKey& key);
const char* LockModeName(LockMode m);  // "GOVERNANCE", "COMPLIANCE", ""
// The Content-MD5 header's value: base64 of the MD5 of `data`.
std::string ContentMd5(std::string_view data);
// "2030-01-02T03:04:05Z"
std::string Rfc3339(int64_t unix_seconds);

// A test hook: libcurl's upload speed limit (CURLOPT_MAX_SEND_SPEED_LARGE) for every
// request; 0 = none. Only the end-to-end tests' binary sets it.
void SetMaxSendSpeedForTests(int64_t bytes_per_second);

}  // namespace ketcd::s3
