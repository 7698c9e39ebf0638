#include "pkg/bbolt/trailer.h"

#include <algorithm>
#include <cstring>

#include "pkg/base/sha256.h"

namespace ketcd::bbolt {

bool HasSha256Trailer(uint64_t file_size) { return file_size % 512 == 32; }

TrailerCheck CheckSha256Trailer(absl::Span<const uint8_t> file, void (*release)(void*, uint64_t, uint64_t),
                                void* ctx) {
  TrailerCheck out;
  if (!HasSha256Trailer(file.size())) return out;
  const uint64_t body = file.size() - 32;
  constexpr uint64_t kChunk = 8 << 20;
  Sha256 h;
  for (uint64_t off = 0; off < body; off += kChunk) {
    uint64_t n = std::min(kChunk, body - off);
    h.Update(file.data() + off, n);
    if (release != nullptr) release(ctx, off, n);
  }
  Sha256Digest computed = h.Final();
  Sha256Digest stored;
  std::memcpy(stored.data(), file.data() + body, 32);
  out.state = computed == stored ? TrailerState::kMatch : TrailerState::kMismatch;
  out.stored_hex = DigestHex(stored);
  out.computed_hex = DigestHex(computed);
  return out;
}

TrailerCheck PeekSha256Trailer(absl::Span<const uint8_t> file) {
  TrailerCheck out;
  if (!HasSha256Trailer(file.size())) return out;
  Sha256Digest stored;
  std::memcpy(stored.data(), file.data() + file.size() - 32, 32);
  out.state = TrailerState::kNotChecked;
  out.stored_hex = DigestHex(stored);
  return out;
}

const char* TrailerStateName(TrailerState s) {
  switch (s) {
    case TrailerState::kAbsent:
      return "absent";
    case TrailerState::kMatch:
      return "match";
    case TrailerState::kMismatch:
      return "mismatch";
    case TrailerState::kNotChecked:
      return "not checked";
  }
  return "unknown";
}

}  // namespace ketcd::bbolt
