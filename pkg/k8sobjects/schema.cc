#include "pkg/k8sobjects/schema.h"

#include <google/protobuf/descriptor.pb.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "pkg/k8sobjects/schema_data.h"

namespace ketcd::k8sobjects {

namespace pb = google::protobuf;

namespace {

GoField ParseFlags(absl::string_view flags) {
  GoField g;
  for (char c : flags) {
    switch (c) {
      case 'o':
        g.omitempty = true;
        break;
      case 'z':
        g.omitzero = true;
        break;
      case 'p':
        g.pointer = true;
        break;
      case 'c':
        g.collection = true;
        break;
      case 'i':
        g.inlined = true;
        break;
      default:
        break;
    }
  }
  return g;
}

}  // namespace

const Schema& Schema::Get() {
  static const Schema* schema = new Schema();
  return *schema;
}

Schema::Schema() : api_version_(kSchemaApiVersion) {
  pb::FileDescriptorSet set;
  // The data is ours, made at build time: a file that does not build leaves its types unknown.
  if (set.ParseFromArray(kDescriptorSet, static_cast<int>(kDescriptorSetSize))) {
    for (const pb::FileDescriptorProto& file : set.file()) {
      const pb::FileDescriptor* fd = pool_.BuildFile(file);
      if (fd != nullptr) messages_ += static_cast<size_t>(fd->message_type_count());
    }
  }
  for (size_t i = 0; i < kGroupVersionCount; i++) {
    const GroupVersionPackage& gv = kGroupVersions[i];
    std::string key = gv.group[0] == '\0' ? gv.version : absl::StrCat(gv.group, "/", gv.version);
    packages_.emplace(std::move(key), gv.package);
  }
  for (absl::string_view line : absl::StrSplit(kGoFields, '\n', absl::SkipEmpty())) {
    std::vector<absl::string_view> cols = absl::StrSplit(line, '\t');
    for (size_t i = 1; i < cols.size(); i++) {
      absl::string_view field = cols[i], flags;
      if (size_t slash = field.find('/'); slash != absl::string_view::npos) {
        flags = field.substr(slash + 1);
        field = field.substr(0, slash);
      }
      absl::string_view proto_name = field, json_name = field;
      if (size_t eq = field.find('='); eq != absl::string_view::npos) {
        proto_name = field.substr(0, eq);
        json_name = field.substr(eq + 1);
      }
      GoField g = ParseFlags(flags);
      if (!g.inlined) g.json_name = std::string(json_name);
      go_fields_.emplace(absl::StrCat(cols[0], ".", proto_name), std::move(g));
    }
  }
}

const pb::Descriptor* Schema::FindKind(std::string_view api_version, std::string_view kind) const {
  auto it = packages_.find(std::string(api_version));
  if (it == packages_.end()) return nullptr;
  const pb::Descriptor* d = pool_.FindMessageTypeByName(absl::StrCat(it->second, ".", std::string(kind)));
  if (d != nullptr) return d;
  // Status, the options and discovery types are registered in every group version.
  return pool_.FindMessageTypeByName(absl::StrCat("k8s.io.apimachinery.pkg.apis.meta.v1.", std::string(kind)));
}

const pb::Descriptor* Schema::FindMessage(const std::string& full_name) const {
  return pool_.FindMessageTypeByName(full_name);
}

std::unique_ptr<pb::Message> Schema::New(const pb::Descriptor* d) const {
  return std::unique_ptr<pb::Message>(factory_.GetPrototype(d)->New());
}

const GoField* Schema::Go(const pb::FieldDescriptor* f) const {
  auto it = go_fields_.find(f->full_name());
  return it == go_fields_.end() ? nullptr : &it->second;
}

}  // namespace ketcd::k8sobjects
