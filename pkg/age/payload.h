#pragma once
// The STREAM-encrypted payload of an age file (age.h), after the header and the nonce.

#include <cstdint>
#include <string>
#include <vector>

#include "pkg/age/crypto.h"
#include "pkg/stream/stream.h"

namespace ketcd::age {

inline constexpr size_t kChunkSize = 64 * 1024;
inline constexpr size_t kNonceSize = 16;

class PayloadWriter : public stream::Writer {
 public:
  PayloadWriter(stream::Writer* next, std::string_view file_key, std::string_view nonce);
  absl::Status Write(const void* data, size_t n) override;
  absl::Status Close() override;

 private:
  absl::Status Flush(bool last);
  stream::Writer* next_;
  ChaChaPoly aead_;
  std::string plain_;
  std::vector<unsigned char> out_;
  uint64_t counter_ = 0;
};

class PayloadReader : public stream::Reader {
 public:
  PayloadReader(stream::Reader* src, std::string_view file_key, std::string_view nonce, std::string name);
  absl::StatusOr<size_t> Read(void* data, size_t n) override;

 private:
  absl::Status NextChunk();
  stream::Reader* src_;
  ChaChaPoly aead_;
  std::string name_;
  std::vector<unsigned char> in_;
  size_t in_len_ = 0;
  bool eof_ = false;
  std::vector<unsigned char> plain_;
  size_t plain_pos_ = 0, plain_len_ = 0;
  uint64_t counter_ = 0;
  bool done_ = false;
  absl::Status pending_;  // returned once the released plaintext is read
};

}  // namespace ketcd::age
