#include "pkg/s3/multipart.h"

#include <algorithm>
#include <thread>

#include "absl/strings/str_cat.h"

namespace ketcd::s3 {

absl::StatusOr<std::unique_ptr<MultipartUpload>> MultipartUpload::Start(const Client& client, std::string bucket,
                                                                         std::string key, Options opts) {
  if (opts.part_size < kMinPartSize) {
    return absl::InvalidArgumentError(absl::StrCat("S3 part size ", opts.part_size, " is below S3's minimum of 5 MiB"));
  }
  std::unique_ptr<MultipartUpload> u(new MultipartUpload(client, std::move(bucket), std::move(key), std::move(opts)));
  KETCD_ASSIGN_OR_RETURN(u->upload_id_, client.CreateMultipartUpload(u->bucket_, u->key_, u->opts_.put));
  u->buffer_ = std::make_unique<std::string>();
  u->buffer_->reserve(u->opts_.part_size);
  return u;
}

MultipartUpload::~MultipartUpload() {
  if (!completed_ && !aborted_ && !upload_id_.empty()) (void)Abort();
  // The futures' destructors wait for the uploads still running (S3 has dropped them).
}

absl::Status MultipartUpload::SendPart() {
  const int number = next_number_;
  if (number > kMaxParts) {
    return absl::FailedPreconditionError(absl::StrCat("the object would need more than ", kMaxParts,
                                                      " parts: use a larger --s3-part-size"));
  }
  while (!in_flight_.empty() && static_cast<int>(in_flight_.size()) >= std::max(opts_.parts_in_flight, 1)) {
    KETCD_RETURN_IF_ERROR(CollectOldest());
  }
  next_number_++;
  std::unique_ptr<std::string> data = std::move(buffer_);
  if (spare_.empty()) {
    buffer_ = std::make_unique<std::string>();
    buffer_->reserve(opts_.part_size);
  } else {
    buffer_ = std::move(spare_.back());
    spare_.pop_back();
  }
  auto upload = [this, number, part = std::string_view(*data)] {
    return client_.UploadPart(bucket_, key_, upload_id_, number, part, opts_.put);
  };
  if (opts_.parts_in_flight <= 0) {
    std::promise<absl::StatusOr<std::string>> done;
    done.set_value(upload());
    in_flight_.push_back({number, std::move(data), done.get_future()});
    return CollectOldest();
  }
  in_flight_.push_back({number, std::move(data), std::async(std::launch::async, upload)});
  return absl::OkStatus();
}

absl::Status MultipartUpload::CollectOldest() {
  InFlight& oldest = in_flight_.front();
  absl::StatusOr<std::string> etag = oldest.etag.get();
  const int number = oldest.number;
  oldest.data->clear();
  spare_.push_back(std::move(oldest.data));
  in_flight_.pop_front();
  if (!etag.ok()) return etag.status();
  parts_.push_back({number, *std::move(etag)});
  return absl::OkStatus();
}

absl::Status MultipartUpload::Write(const void* data, size_t n) {
  if (closed_) return absl::InternalError("write after close");
  const char* p = static_cast<const char*>(data);
  bytes_ += n;
  while (n > 0) {
    size_t take = std::min(n, opts_.part_size - buffer_->size());
    buffer_->append(p, take);
    p += take;
    n -= take;
    if (buffer_->size() == opts_.part_size) KETCD_RETURN_IF_ERROR(SendPart());
  }
  return absl::OkStatus();
}

absl::Status MultipartUpload::Close() {
  if (closed_) return absl::OkStatus();
  closed_ = true;
  // The last part may be short; an empty object still needs one (empty) part.
  if (!buffer_->empty() || next_number_ == 1) KETCD_RETURN_IF_ERROR(SendPart());
  while (!in_flight_.empty()) KETCD_RETURN_IF_ERROR(CollectOldest());
  return absl::OkStatus();
}

absl::StatusOr<std::string> MultipartUpload::Complete() {
  KETCD_RETURN_IF_ERROR(Close());
  KETCD_ASSIGN_OR_RETURN(std::string etag, client_.CompleteMultipartUpload(bucket_, key_, upload_id_, parts_));
  completed_ = true;
  return etag;
}

absl::Status MultipartUpload::Abort() {
  if (aborted_ || completed_ || upload_id_.empty()) return absl::OkStatus();
  const auto give_up = std::chrono::steady_clock::now() + opts_.abort_retry_for;
  auto wait = std::chrono::milliseconds(1000);
  for (;;) {
    absl::Status s = client_.AbortMultipartUpload(bucket_, key_, upload_id_);
    // Already gone (aborted by someone else, or expired): nothing is left.
    if (s.ok() || s.code() == absl::StatusCode::kNotFound) {
      aborted_ = true;
      return absl::OkStatus();
    }
    if (s.code() != absl::StatusCode::kUnavailable || std::chrono::steady_clock::now() + wait > give_up) {
      return absl::Status(s.code(), absl::StrCat(
          "the multipart upload ", upload_id_, " of s3://", bucket_, "/", key_, " could not be aborted (", s.message(),
          "); remove it with `aws s3api abort-multipart-upload --bucket ", bucket_, " --key ", key_,
          " --upload-id ", upload_id_, "` or a lifecycle rule with AbortIncompleteMultipartUpload"));
    }
    if (opts_.on_retry) {
      opts_.on_retry(absl::StrCat("aborting the multipart upload of s3://", bucket_, "/", key_, " failed (",
                                  s.message(), "); retrying in ", wait.count() / 1000, "s"));
    }
    std::this_thread::sleep_for(wait);
    wait = std::min(wait * 2, std::chrono::milliseconds(8000));
  }
}

}  // namespace ketcd::s3
