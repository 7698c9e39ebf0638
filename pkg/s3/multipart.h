#pragma once
// An object written as a stream: a multipart upload whose parts are sent as the bytes
// come, `part_size` at a time. Up to `parts_in_flight` parts upload on threads of their
// own while the next one fills, so the writer is not held up by each round trip; memory
// stays at (parts_in_flight + 1) parts whatever the object's size.
// The object only appears when Complete is called; until then Abort (or the destructor)
// removes everything uploaded. A writer, so compression and encryption
// (pkg/envelope) can write into it.
//
// One thread writes, then completes or aborts; Abort may also come from another thread
// while parts are still in flight (S3 then drops those parts too). The destructor waits
// for the parts in flight.

#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "pkg/s3/client.h"
#include "pkg/stream/stream.h"

namespace ketcd::s3 {

inline constexpr size_t kMinPartSize = 5 << 20;   // S3's minimum for all parts but the last
inline constexpr size_t kDefaultPartSize = 8 << 20;
inline constexpr int kMaxParts = 10000;

class MultipartUpload : public stream::Writer {
 public:
  struct Options {
    size_t part_size = kDefaultPartSize;
    int parts_in_flight = 2;  // uploads running while the next part fills (0: one at a time)
    PutOptions put;
    // How long Abort keeps trying while S3 does not answer; `on_retry` is told each wait.
    std::chrono::seconds abort_retry_for{60};
    std::function<void(const std::string& message)> on_retry;
  };
  static absl::StatusOr<std::unique_ptr<MultipartUpload>> Start(const Client& client, std::string bucket,
                                                                std::string key, Options opts);
  // Aborts the upload unless it was completed or aborted.
  ~MultipartUpload() override;

  absl::Status Write(const void* data, size_t n) override;
  // Sends what is buffered as the last part. The object is not there yet: Complete.
  absl::Status Close() override;
  // Makes the object from the parts sent; its ETag.
  absl::StatusOr<std::string> Complete();
  // Removes the parts. Retries for `abort_retry_for` while S3 cannot be reached; the error
  // then names the upload and how to remove it by hand.
  absl::Status Abort();

  const std::string& upload_id() const { return upload_id_; }
  uint64_t bytes() const { return bytes_; }
  int parts() const { return static_cast<int>(parts_.size()); }

 private:
  MultipartUpload(const Client& client, std::string bucket, std::string key, Options opts)
      : client_(client), bucket_(std::move(bucket)), key_(std::move(key)), opts_(std::move(opts)) {}
  struct InFlight {
    int number;
    std::unique_ptr<std::string> data;  // read by the upload's thread: destroyed after `etag`
    std::future<absl::StatusOr<std::string>> etag;
  };
  // Starts uploading the buffered part; waits first while `parts_in_flight` are running.
  absl::Status SendPart();
  // Waits for the oldest part in flight and records its ETag.
  absl::Status CollectOldest();

  const Client& client_;
  std::string bucket_, key_, upload_id_;
  Options opts_;
  std::unique_ptr<std::string> buffer_;  // the part filling
  std::vector<std::unique_ptr<std::string>> spare_;  // sent parts' buffers, reused: no new allocations
  std::vector<CompletedPart> parts_;
  std::deque<InFlight> in_flight_;
  int next_number_ = 1;
  uint64_t bytes_ = 0;
  bool closed_ = false;
  // Read by Abort, which may run on another thread than a writer that was left behind.
  std::atomic<bool> completed_{false}, aborted_{false};
};

}  // namespace ketcd::s3
