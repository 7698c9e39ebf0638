#pragma once
// The SHA-256 trailer etcd appends to a snapshot: file = bbolt image + sha256(image).
// Present iff the file size is 32 more than a multiple of 512 (etcd's own test).

#include <cstdint>
#include <string>

#include "absl/types/span.h"

namespace ketcd::bbolt {

enum class TrailerState {
  kAbsent,
  kMatch,
  kMismatch,
  kNotChecked,  // present, its hash not computed (only stored_hex is set)
};

struct TrailerCheck {
  TrailerState state = TrailerState::kAbsent;
  std::string stored_hex;    // when present
  std::string computed_hex;  // when present
};

bool HasSha256Trailer(uint64_t file_size);

// Hashes file[0, size-32) and compares it with the last 32 bytes. `release`, when set, is
// called with (offset, length) of each hashed chunk so the caller can drop it from memory.
TrailerCheck CheckSha256Trailer(absl::Span<const uint8_t> file,
                                void (*release)(void* ctx, uint64_t off, uint64_t n) = nullptr,
                                void* ctx = nullptr);

// kAbsent, or kNotChecked with stored_hex: reads the trailer without hashing the file.
TrailerCheck PeekSha256Trailer(absl::Span<const uint8_t> file);

const char* TrailerStateName(TrailerState s);  // "absent", "match", "mismatch", "not checked"

}  // namespace ketcd::bbolt
