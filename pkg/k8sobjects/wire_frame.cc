#include "pkg/k8sobjects/wire_frame.h"

#include <algorithm>
#include <bit>
#include <cstring>

namespace ketcd::k8sobjects {
namespace {

using FD = google::protobuf::FieldDescriptor;

bool ReadVarint(const uint8_t*& p, const uint8_t* end, uint64_t& v) {
  v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (p == end) return false;
    uint8_t b = *p++;
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return true;
  }
  return false;
}

uint64_t ReadFixed(const uint8_t* p, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; i++) v |= static_cast<uint64_t>(p[i]) << (8 * i);
  return v;
}

}  // namespace

Scalar DecodeScalar(const FieldPlan& fp, const Occurrence* o) {
  const FD* fd = fp.fd;
  Scalar s;
  const uint64_t v = o ? o->v : 0;
  using K = Scalar::Kind;
  switch (fp.type) {
    case FD::TYPE_INT32:
    case FD::TYPE_SFIXED32:
      s.i = o ? static_cast<int32_t>(static_cast<uint32_t>(v)) : fd->default_value_int32();
      break;
    case FD::TYPE_SINT32: {
      uint32_t z = static_cast<uint32_t>(v);
      s.i = o ? static_cast<int32_t>((z >> 1) ^ (~(z & 1) + 1)) : fd->default_value_int32();
      break;
    }
    case FD::TYPE_INT64:
    case FD::TYPE_SFIXED64:
      s.i = o ? static_cast<int64_t>(v) : fd->default_value_int64();
      break;
    case FD::TYPE_SINT64:
      s.i = o ? static_cast<int64_t>((v >> 1) ^ (~(v & 1) + 1)) : fd->default_value_int64();
      break;
    case FD::TYPE_UINT32:
    case FD::TYPE_FIXED32:
      s.kind = K::kUint;
      s.u = o ? static_cast<uint32_t>(v) : fd->default_value_uint32();
      break;
    case FD::TYPE_UINT64:
    case FD::TYPE_FIXED64:
      s.kind = K::kUint;
      s.u = o ? v : fd->default_value_uint64();
      break;
    case FD::TYPE_BOOL:
      s.kind = K::kBool;
      s.i = o ? v != 0 : fd->default_value_bool();
      break;
    case FD::TYPE_FLOAT:
      s.kind = K::kDouble;
      s.d = o ? std::bit_cast<float>(static_cast<uint32_t>(v)) : fd->default_value_float();
      break;
    case FD::TYPE_DOUBLE:
      s.kind = K::kDouble;
      s.d = o ? std::bit_cast<double>(v) : fd->default_value_double();
      break;
    case FD::TYPE_STRING:
    case FD::TYPE_BYTES:
      s.kind = fp.type == FD::TYPE_BYTES ? K::kBytes : K::kString;
      s.s = o ? o->bytes() : std::string_view(fd->default_value_string());
      break;
    default:
      break;
  }
  return s;
}

bool IsZero(const Scalar& s) {
  switch (s.kind) {
    case Scalar::Kind::kInt:
    case Scalar::Kind::kBool:
      return s.i == 0;
    case Scalar::Kind::kUint:
      return s.u == 0;
    case Scalar::Kind::kDouble:
      return s.d == 0;
    case Scalar::Kind::kString:
    case Scalar::Kind::kBytes:
      return s.s.empty();
  }
  return false;
}

Frame* Frame::Inlined(size_t field) const {
  for (const auto& [f, frame] : inlined) {
    if (f == field) return frame;
  }
  return nullptr;
}

int64_t Frame::Int64(const char* name) const {
  int16_t i = plan->IndexByName(name);
  if (i < 0) return 0;
  Scalar s = DecodeScalar(plan->fields[i], Last(i));
  return s.kind == Scalar::Kind::kInt ? s.i : 0;
}

std::string_view Frame::String(const char* name) const {
  int16_t i = plan->IndexByName(name);
  if (i < 0) return {};
  Scalar s = DecodeScalar(plan->fields[i], Last(i));
  return s.kind == Scalar::Kind::kString || s.kind == Scalar::Kind::kBytes ? s.s : std::string_view();
}

Frames::Level* Frames::Acquire() {
  if (top_ >= kMaxDepth) return nullptr;
  if (top_ == levels_.size()) levels_.push_back(std::make_unique<Level>());
  return levels_[top_++].get();
}

Frame* Frames::Scope::Parse(const MessagePlan& plan, std::string_view bytes) {
  Level* l = frames_.Acquire();
  if (l == nullptr || !ParseInto(l->frame, plan, bytes)) return nullptr;
  return &l->frame;
}

std::vector<MapItem>* Frames::Scope::Items() {
  Level* l = frames_.Acquire();
  if (l == nullptr) return nullptr;
  l->items.clear();
  return &l->items;
}

Frame* Frames::ParseInlined(const MessagePlan& plan, std::string_view bytes, Frame* parent, size_t index) {
  Level* l = Acquire();
  if (l == nullptr || !ParseInto(l->frame, plan, bytes)) return nullptr;
  parent->inlined.emplace_back(index, &l->frame);
  return &l->frame;
}

bool Frames::ParseInto(Frame& f, const MessagePlan& plan, std::string_view bytes) {
  f.plan = &plan;
  f.occ.clear();
  f.inlined.clear();
  const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
  const uint8_t* end = p + bytes.size();
  bool sorted = true;
  while (p < end) {
    uint64_t tag;
    if (!ReadVarint(p, end, tag) || tag > 0xffffffffu || (tag >> 3) == 0) return false;
    Occurrence o;
    const auto wire = static_cast<uint32_t>(tag & 7);
    switch (wire) {
      case 0:
        if (!ReadVarint(p, end, o.v)) return false;
        break;
      case 1:
      case 5: {
        size_t n = wire == 1 ? 8 : 4;
        if (static_cast<size_t>(end - p) < n) return false;
        o.v = ReadFixed(p, n);
        p += n;
        break;
      }
      case 2: {
        uint64_t len;
        if (!ReadVarint(p, end, len) || len > static_cast<uint64_t>(end - p)) return false;
        o.p = reinterpret_cast<const char*>(p);
        o.len = static_cast<uint32_t>(len);
        p += len;
        break;
      }
      default:
        return false;  // groups (the general decoder reads those) and invalid wire types
    }
    const int16_t idx = plan.Index(static_cast<uint32_t>(tag >> 3));
    if (idx < 0) continue;  // unknown field: kept aside by protobuf, not printed
    if (static_cast<uint32_t>(plan.fields[idx].wire) != wire) return false;
    o.field = static_cast<uint32_t>(idx);
    if (!f.occ.empty() && f.occ.back().field > o.field) sorted = false;
    f.occ.push_back(o);
  }
  if (!sorted) {
    std::stable_sort(f.occ.begin(), f.occ.end(),
                     [](const Occurrence& a, const Occurrence& b) { return a.field < b.field; });
  }
  const size_t n = plan.fields.size();
  f.first.assign(n, 0);
  f.count.assign(n, 0);
  for (size_t i = 0; i < f.occ.size(); i++) {
    uint32_t field = f.occ[i].field;
    if (f.count[field]++ == 0) f.first[field] = static_cast<uint32_t>(i);
  }
  return true;
}

}  // namespace ketcd::k8sobjects
