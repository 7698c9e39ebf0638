#pragma once
// The WAL a restore writes: one segment, 0000000000000000-0000000000000000.wal,
// preallocated to 64,000,000 bytes. Framing and CRC chaining follow etcd
// server/storage/wal (encoder.go, wal.go); README.md has the byte layout.

#include <cstdint>
#include <string>
#include <string_view>

#include "pkg/base/status.h"
#include "pkg/restore/etcd_format.h"
#include "pkg/restore/restore_options.h"

namespace ketcd::restore {

inline constexpr uint64_t kWalSegmentBytes = 64 * 1000 * 1000;  // wal.SegmentSizeBytes
inline constexpr char kFirstWalName[] = "0000000000000000-0000000000000000.wal";

enum class WalRecordType : int64_t { kMetadata = 1, kEntry = 2, kState = 3, kCrc = 4, kSnapshot = 5 };

// Frames walpb.Records: 8-byte little-endian length (top byte 0x80|pad when the
// record is padded to 8 bytes), the record, zero padding. Each record's crc is the
// running CRC-32C of all record data so far (a CRC record carries it unchanged).
class WalEncoder {
 public:
  explicit WalEncoder(uint32_t prev_crc = 0) : crc_(prev_crc) {}
  void Append(WalRecordType type, std::string_view data);
  void AppendCrc();  // the CRC record that starts every segment
  const std::string& bytes() const { return out_; }

 private:
  void Frame(const std::string& record);
  uint32_t crc_;
  std::string out_;
};

// The records of a fresh restore, in etcdutl's order: crc, metadata{local ID,
// cluster ID}, snapshot{0,0}, one ConfChange entry per member (ascending ID),
// HardState{term 1, vote smallest ID, commit N}, snapshot{N, 1}.
std::string BuildRestoreWal(const RestorePlan& plan, EtcdFormat f);

// Writes `content` as the first segment in `dir` (which must exist), extends it to
// kWalSegmentBytes with zeros (fallocate, else ftruncate), fsyncs file and dir.
absl::Status WriteWalSegment(const std::string& dir, std::string_view content);

}  // namespace ketcd::restore
