#pragma once
// Fixed-width integer loads/stores and overflow-checked arithmetic for parsing
// untrusted files. bbolt stores little-endian integers; etcd's keys are big-endian.

#include <cstdint>
#include <cstring>
#include <optional>

namespace ketcd {

inline uint16_t LoadLE16(const void* p) {
  uint16_t v;
  std::memcpy(&v, p, 2);
  return v;  // all supported hosts are little-endian (checked in bytes.cc)
}
inline uint32_t LoadLE32(const void* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
inline uint64_t LoadLE64(const void* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
inline void StoreLE16(void* p, uint16_t v) { std::memcpy(p, &v, 2); }
inline void StoreLE32(void* p, uint32_t v) { std::memcpy(p, &v, 4); }
inline void StoreLE64(void* p, uint64_t v) { std::memcpy(p, &v, 8); }

inline uint64_t LoadBE64(const void* p) { return __builtin_bswap64(LoadLE64(p)); }
inline void StoreBE64(void* p, uint64_t v) { StoreLE64(p, __builtin_bswap64(v)); }

// nullopt on overflow.
inline std::optional<uint64_t> CheckedAdd(uint64_t a, uint64_t b) {
  uint64_t r;
  if (__builtin_add_overflow(a, b, &r)) return std::nullopt;
  return r;
}
inline std::optional<uint64_t> CheckedMul(uint64_t a, uint64_t b) {
  uint64_t r;
  if (__builtin_mul_overflow(a, b, &r)) return std::nullopt;
  return r;
}

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "kubectl-etcd supports little-endian hosts only");

}  // namespace ketcd
