#include "pkg/snapshot/proto_lite.h"

#include "absl/strings/str_cat.h"
#include "pkg/base/status.h"

namespace ketcd::snapshot {
namespace {

class Reader {
 public:
  explicit Reader(std::string_view b) : b_(b) {}
  bool done() const { return pos_ >= b_.size(); }

  absl::StatusOr<uint64_t> Varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= b_.size()) return absl::DataLossError("protobuf: truncated varint");
      uint8_t c = static_cast<uint8_t>(b_[pos_++]);
      v |= uint64_t{c & 0x7Fu} << shift;
      if ((c & 0x80) == 0) return v;
    }
    return absl::DataLossError("protobuf: varint too long");
  }
  absl::StatusOr<std::string_view> Bytes() {
    KETCD_ASSIGN_OR_RETURN(uint64_t n, Varint());
    if (n > b_.size() - pos_) return absl::DataLossError("protobuf: length past the end");
    std::string_view s = b_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  absl::Status Skip(uint32_t wire) {
    switch (wire) {
      case 0:
        return Varint().status();
      case 1:
        return Advance(8);
      case 2:
        return Bytes().status();
      case 5:
        return Advance(4);
      default:
        return absl::DataLossError(absl::StrCat("protobuf: unsupported wire type ", wire));
    }
  }

 private:
  absl::Status Advance(size_t n) {
    if (n > b_.size() - pos_) return absl::DataLossError("protobuf: fixed field past the end");
    pos_ += n;
    return absl::OkStatus();
  }
  std::string_view b_;
  size_t pos_ = 0;
};

// Calls on_varint(field, value) / on_bytes(field, view) for every field, skipping others.
template <typename OnVarint, typename OnBytes>
absl::Status Parse(std::string_view bytes, OnVarint on_varint, OnBytes on_bytes) {
  Reader r(bytes);
  while (!r.done()) {
    KETCD_ASSIGN_OR_RETURN(uint64_t tag, r.Varint());
    const uint32_t field = static_cast<uint32_t>(tag >> 3), wire = static_cast<uint32_t>(tag & 7);
    if (field == 0) return absl::DataLossError("protobuf: field number 0");
    if (wire == 0) {
      KETCD_ASSIGN_OR_RETURN(uint64_t v, r.Varint());
      on_varint(field, v);
    } else if (wire == 2) {
      KETCD_ASSIGN_OR_RETURN(std::string_view s, r.Bytes());
      on_bytes(field, s);
    } else {
      KETCD_RETURN_IF_ERROR(r.Skip(wire));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<KeyValue> DecodeKeyValue(std::string_view bytes) {
  KeyValue kv;
  auto on_varint = [&](uint32_t f, uint64_t v) {
    int64_t s = static_cast<int64_t>(v);
    if (f == 2) kv.create_revision = s;
    if (f == 3) kv.mod_revision = s;
    if (f == 4) kv.version = s;
    if (f == 6) kv.lease = s;
  };
  auto on_bytes = [&](uint32_t f, std::string_view s) {
    if (f == 1) kv.key = s;
    if (f == 5) kv.value = s;
  };
  KETCD_RETURN_IF_ERROR(Parse(bytes, on_varint, on_bytes));
  return kv;
}

absl::StatusOr<AlarmMember> DecodeAlarmMember(std::string_view bytes) {
  AlarmMember a;
  auto on_varint = [&](uint32_t f, uint64_t v) {
    if (f == 1) a.member_id = v;
    if (f == 2) a.alarm = static_cast<int32_t>(v);
  };
  KETCD_RETURN_IF_ERROR(Parse(bytes, on_varint, [](uint32_t, std::string_view) {}));
  return a;
}

absl::StatusOr<Lease> DecodeLease(std::string_view bytes) {
  Lease l;
  auto on_varint = [&](uint32_t f, uint64_t v) {
    if (f == 1) l.id = static_cast<int64_t>(v);
    if (f == 2) l.ttl = static_cast<int64_t>(v);
  };
  KETCD_RETURN_IF_ERROR(Parse(bytes, on_varint, [](uint32_t, std::string_view) {}));
  return l;
}

}  // namespace ketcd::snapshot
