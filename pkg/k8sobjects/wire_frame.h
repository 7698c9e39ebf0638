#pragma once
// The fields of one protobuf message as they are on the wire, found by one pass over its
// bytes and grouped by field (served_json.cc). Views point into the bytes; nothing is
// copied. Frames live on a stack of reusable levels, so a message costs no allocation once
// the stack has grown to the nesting depth.

#include <cstdint>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "pkg/k8sobjects/wire_plan.h"

namespace ketcd::k8sobjects {

struct Occurrence {
  uint32_t field = 0;  // index into the plan's fields
  uint32_t len = 0;    // length-delimited: the bytes
  uint64_t v = 0;      // varint, fixed32, fixed64
  const char* p = nullptr;
  std::string_view bytes() const { return {p, len}; }
};

struct Scalar {
  enum class Kind { kInt, kUint, kDouble, kBool, kString, kBytes };
  Kind kind = Kind::kInt;
  int64_t i = 0;
  uint64_t u = 0;
  double d = 0;
  std::string_view s;
};
// The value of a scalar field occurrence, or the field's default when `o` is null.
Scalar DecodeScalar(const FieldPlan& fp, const Occurrence* o);
bool IsZero(const Scalar& s);

struct Frame {
  const MessagePlan* plan = nullptr;
  std::vector<Occurrence> occ;  // grouped by field, wire order within a field
  std::vector<uint32_t> first, count;
  std::vector<std::pair<size_t, Frame*>> inlined;

  uint32_t Count(size_t field) const { return count[field]; }
  const Occurrence* At(size_t field, uint32_t i) const { return &occ[first[field] + i]; }
  const Occurrence* Last(size_t field) const { return count[field] ? At(field, count[field] - 1) : nullptr; }
  Frame* Inlined(size_t field) const;
  // A scalar field by proto name as int64 / bytes (default when absent or not there).
  int64_t Int64(const char* name) const;
  std::string_view String(const char* name) const;
};

struct MapItem {
  std::string_view key;
  bool has_value = false;
  Occurrence value;
};

class Frames {
 public:
  static constexpr size_t kMaxDepth = 100;  // protobuf's default recursion limit

  // Levels taken inside a scope are given back when it ends.
  class Scope {
   public:
    explicit Scope(Frames& f) : frames_(f), saved_(f.top_) {}
    ~Scope() { frames_.top_ = saved_; }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;
    // Null when the bytes are not a well-formed message of the plan's fields.
    Frame* Parse(const MessagePlan& plan, std::string_view bytes);
    std::vector<MapItem>* Items();

   private:
    Frames& frames_;
    size_t saved_;
  };

  // The frame of a struct inlined in `parent` (field `index`), kept until parent's scope ends.
  Frame* ParseInlined(const MessagePlan& plan, std::string_view bytes, Frame* parent, size_t index);

 private:
  struct Level {
    Frame frame;
    std::vector<MapItem> items;
  };
  Level* Acquire();
  static bool ParseInto(Frame& f, const MessagePlan& plan, std::string_view bytes);

  std::vector<std::unique_ptr<Level>> levels_;
  size_t top_ = 0;
};

}  // namespace ketcd::k8sobjects
