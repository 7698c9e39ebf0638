#pragma once
// Per message type, what writing its JSON straight from the protobuf wire bytes needs
// (served_json.h), worked out once from the schema: the fields by number in a flat array,
// the wire type each must have, the Go field behind it, and the JSON members in the order
// they are printed (names sorted, inlined structs merged in). Plans are built on first use
// and kept for the life of the process (thread-safe).

#include <google/protobuf/descriptor.h>

#include <cstdint>
#include <string>
#include <vector>

#include "pkg/k8sobjects/schema.h"
#include "pkg/k8sobjects/to_json.h"

namespace ketcd::k8sobjects {

enum class WireType : uint8_t { kVarint = 0, kFixed64 = 1, kLength = 2, kFixed32 = 5 };

struct MessagePlan;

struct FieldPlan {
  const google::protobuf::FieldDescriptor* fd = nullptr;
  google::protobuf::FieldDescriptor::Type type{};
  WireType wire = WireType::kVarint;
  bool repeated = false;
  bool is_map = false;
  const GoField* go = nullptr;  // null: no Go field (proto name, written when set)
  std::string key;              // the member's name, quoted, with ": "
  // Message fields: the message's plan; maps: the entry's plan (key = field 1, value = 2).
  const MessagePlan* message = nullptr;
};

// One JSON member of a message: a field of this message, or of a struct inlined into it
// (`path` holds the inlined fields' indices, outermost first).
struct Member {
  std::string name;
  std::vector<uint16_t> path;
  uint16_t field = 0;
};

struct MessagePlan {
  const google::protobuf::Descriptor* descriptor = nullptr;
  JsonForm form = JsonForm::kObject;
  // False when the message (or a message it holds) uses what the writer leaves to the
  // general decoder: enums, groups, inlined repeated fields, two members of one name.
  bool supported = true;
  bool finished = false;           // members worked out
  std::vector<FieldPlan> fields;   // declaration order
  std::vector<int16_t> by_number;  // field number -> index into fields, -1 none
  std::vector<Member> members;     // sorted by name
  int16_t Index(uint32_t number) const {
    return number < by_number.size() ? by_number[number] : static_cast<int16_t>(-1);
  }
  int16_t IndexByName(const char* name) const;
};

// The plan of `d` (which must come from Schema::Get()).
const MessagePlan& PlanOf(const google::protobuf::Descriptor* d);

}  // namespace ketcd::k8sobjects
