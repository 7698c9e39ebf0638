#pragma once
// CRC-32C (Castagnoli), the checksum of etcd's WAL records, .snap files and the
// `snapshot status` hash. Same conventions as Go's crc32.MakeTable(crc32.Castagnoli):
// reflected polynomial 0x82F63B78, initial value and final xor 0xFFFFFFFF.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ketcd {

// Returns the CRC of (the data whose CRC is `crc`) followed by `data`.
// Crc32cExtend(0, whole) == CRC-32C of `whole`.
uint32_t Crc32cExtend(uint32_t crc, const void* data, size_t n);
inline uint32_t Crc32cExtend(uint32_t crc, std::string_view data) {
  return Crc32cExtend(crc, data.data(), data.size());
}
inline uint32_t Crc32c(std::string_view data) { return Crc32cExtend(0, data); }

// CRC of A||B from crc(A), crc(B) and |B|: lets a long input be hashed in parallel pieces.
uint32_t Crc32cCombine(uint32_t crc_a, uint32_t crc_b, uint64_t len_b);

}  // namespace ketcd
