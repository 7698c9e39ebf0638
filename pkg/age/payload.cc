// The payload: HKDF(file key, nonce, "payload") keys ChaCha20-Poly1305 over 64 KiB chunks,
// nonce = 11-byte big-endian chunk counter || 0x01 for the final chunk, else 0x00.
#include "pkg/age/payload.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "pkg/age/crypto.h"

namespace ketcd::age {
namespace {

void MakeNonce(uint64_t counter, bool last, unsigned char nonce[12]) {
  std::memset(nonce, 0, 12);
  for (int i = 0; i < 8; i++) nonce[10 - i] = static_cast<unsigned char>(counter >> (8 * i));
  nonce[11] = last ? 1 : 0;
}

}  // namespace

PayloadWriter::PayloadWriter(stream::Writer* next, std::string_view file_key, std::string_view nonce)
    : next_(next), aead_(HkdfSha256(file_key, nonce, "payload")), out_(kChunkSize + kTagSize) {
  plain_.reserve(kChunkSize);
}

absl::Status PayloadWriter::Write(const void* data, size_t n) {
  const auto* p = static_cast<const char*>(data);
  while (n > 0) {
    // A full chunk goes out only once more data follows it: the last one is flagged.
    if (plain_.size() == kChunkSize) KETCD_RETURN_IF_ERROR(Flush(false));
    size_t k = std::min(n, kChunkSize - plain_.size());
    plain_.append(p, k);
    p += k;
    n -= k;
  }
  return absl::OkStatus();
}

absl::Status PayloadWriter::Close() {
  KETCD_RETURN_IF_ERROR(Flush(true));
  return next_->Close();
}

absl::Status PayloadWriter::Flush(bool last) {
  unsigned char nonce[12];
  MakeNonce(counter_++, last, nonce);
  aead_.Seal(nonce, plain_.data(), plain_.size(), out_.data());
  absl::Status s = next_->Write(out_.data(), plain_.size() + kTagSize);
  plain_.clear();
  return s;
}

PayloadReader::PayloadReader(stream::Reader* src, std::string_view file_key, std::string_view nonce, std::string name)
    : src_(src), aead_(HkdfSha256(file_key, nonce, "payload")), name_(std::move(name)),
      in_(kChunkSize + kTagSize + 1), plain_(kChunkSize) {}

absl::StatusOr<size_t> PayloadReader::Read(void* data, size_t n) {
  if (plain_pos_ == plain_len_) {
    KETCD_RETURN_IF_ERROR(pending_);
    if (done_) return size_t{0};
    KETCD_RETURN_IF_ERROR(NextChunk());
  }
  size_t k = std::min(n, plain_len_ - plain_pos_);
  std::memcpy(data, plain_.data() + plain_pos_, k);
  plain_pos_ += k;
  return k;
}

absl::Status PayloadReader::NextChunk() {
  // One byte beyond a full chunk tells whether it is the last.
  while (in_len_ < in_.size() && !eof_) {
    KETCD_ASSIGN_OR_RETURN(size_t got, src_->Read(in_.data() + in_len_, in_.size() - in_len_));
    in_len_ += got;
    eof_ = got == 0;
  }
  const bool last = in_len_ <= kChunkSize + kTagSize;
  const size_t size = last ? in_len_ : kChunkSize + kTagSize;
  if (size < kTagSize || (size == kTagSize && (counter_ != 0 || !last))) {
    return absl::DataLossError(absl::StrCat(name_, ": the age file is truncated (no final chunk)"));
  }
  unsigned char nonce[12];
  MakeNonce(counter_, last, nonce);
  if (!aead_.Open(nonce, in_.data(), size, plain_.data())) {
    // A full chunk that authenticates with the other flag is released, as age does, and the
    // stream fails right after it: a final chunk with data after it, or no final chunk.
    MakeNonce(counter_, !last, nonce);
    if (size != kChunkSize + kTagSize || !aead_.Open(nonce, in_.data(), size, plain_.data())) {
      return absl::DataLossError(absl::StrCat(
          name_, ": the age payload is damaged or truncated (chunk ", counter_, " does not authenticate)"));
    }
    pending_ = absl::DataLossError(absl::StrCat(
        name_, last ? ": the age file is truncated (no final chunk)" : ": the age file has data after its final chunk"));
  }
  counter_++;
  plain_len_ = size - kTagSize;
  plain_pos_ = 0;
  std::memmove(in_.data(), in_.data() + size, in_len_ - size);
  in_len_ -= size;
  done_ = last;
  return absl::OkStatus();
}

}  // namespace ketcd::age
