#pragma once
// The Kubernetes object schemas built into the binary (schema_data.h): protobuf descriptors
// of every k8s.io/api type, the group/version of each proto package, and what the Go
// struct tags say about each field's JSON form.
//
//   const Schema& s = Schema::Get();
//   const google::protobuf::Descriptor* d = s.FindKind("apps/v1", "Deployment");
//   std::unique_ptr<google::protobuf::Message> m(s.New(d));

#include <google/protobuf/descriptor.h>
#include <google/protobuf/dynamic_message.h>

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

namespace ketcd::k8sobjects {

// How encoding/json writes a Go struct field (its tag and type).
struct GoField {
  std::string json_name;    // "" for an inlined field
  bool omitempty = false;   // ,omitempty: zero scalars and empty collections are left out
  bool omitzero = false;    // ,omitzero: zero values (structs too) are left out
  bool pointer = false;     // *T: nil is absent, a set zero is written
  bool collection = false;  // []T or map[K]V: nil is absent
  bool inlined = false;     // embedded: its fields are the parent's
};

class Schema {
 public:
  // Built once from the embedded data on first use (thread-safe).
  static const Schema& Get();

  const std::string& api_module_version() const { return api_version_; }
  // The message of `kind` in apiVersion "group/version" (or "v1" for the core group);
  // the meta.v1 kinds (Status, DeleteOptions...) in any known group/version; null when the
  // group/version or the kind is not known.
  const google::protobuf::Descriptor* FindKind(std::string_view api_version, std::string_view kind) const;
  // A message by full name ("k8s.io.apimachinery.pkg.runtime.Unknown").
  const google::protobuf::Descriptor* FindMessage(const std::string& full_name) const;
  // A new empty message of `d` (which must come from this schema).
  std::unique_ptr<google::protobuf::Message> New(const google::protobuf::Descriptor* d) const;
  // The Go field of a message field, or null when the Go source had none (then the proto
  // field name is the JSON name and the field is written when set).
  const GoField* Go(const google::protobuf::FieldDescriptor* f) const;
  size_t message_count() const { return messages_; }

 private:
  Schema();
  std::string api_version_;
  google::protobuf::DescriptorPool pool_;
  mutable google::protobuf::DynamicMessageFactory factory_{&pool_};
  std::unordered_map<std::string, std::string> packages_;  // "apps/v1" -> "k8s.io.api.apps.v1"
  std::unordered_map<std::string, GoField> go_fields_;     // "pkg.Message.field"
  size_t messages_ = 0;
};

}  // namespace ketcd::k8sobjects
