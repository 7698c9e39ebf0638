#pragma once
// Just enough protobuf wire-format decoding for the etcd values `status` looks at:
// mvccpb.KeyValue (key bucket), leasepb.Lease, etcdserverpb.AlarmMember. Every length is
// bounds-checked; malformed input returns DataLoss.

#include <cstdint>
#include <string_view>

#include "absl/status/statusor.h"

namespace ketcd::snapshot {

struct KeyValue {
  std::string_view key;
  int64_t create_revision = 0;
  int64_t mod_revision = 0;
  int64_t version = 0;
  std::string_view value;
  int64_t lease = 0;
};
absl::StatusOr<KeyValue> DecodeKeyValue(std::string_view bytes);

struct AlarmMember {
  uint64_t member_id = 0;
  int32_t alarm = 0;  // 1 NOSPACE, 2 CORRUPT
};
absl::StatusOr<AlarmMember> DecodeAlarmMember(std::string_view bytes);

struct Lease {
  int64_t id = 0;
  int64_t ttl = 0;
};
absl::StatusOr<Lease> DecodeLease(std::string_view bytes);

}  // namespace ketcd::snapshot
