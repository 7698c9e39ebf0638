#include "pkg/snapshot/object_query.h"

#include "absl/strings/str_cat.h"

namespace ketcd::snapshot {
namespace {

bool Selected(const ObjectQuery& q, const k8sobjects::RegistryKey& k) {
  if (!q.all_resources) {
    if (q.resource.builtin != nullptr) {
      if (k.builtin != q.resource.builtin) return false;
    } else if (k.resource != q.resource.resource || (!q.resource.any_group && k.group != q.resource.group)) {
      return false;
    }
  }
  if (!q.namespace_.empty() && !k.namespace_.empty() && k.namespace_ != q.namespace_) return false;
  return q.name.empty() || k.name == q.name;
}

}  // namespace

std::string QueryPrefix(const ObjectQuery& q) {
  std::string prefix(k8sobjects::kRegistryPrefix);
  if (q.all_resources) return prefix;
  if (const k8sobjects::ResourceInfo* r = q.resource.builtin) {
    absl::StrAppend(&prefix, std::string(r->prefix), "/");
    if (r->namespaced && !q.namespace_.empty()) absl::StrAppend(&prefix, q.namespace_, "/");
    return prefix;
  }
  if (!q.resource.any_group) absl::StrAppend(&prefix, q.resource.group, "/", q.resource.resource, "/");
  return prefix;
}

absl::Status ForEachObject(const bbolt::Db& db, const ObjectQuery& q,
                           absl::FunctionRef<absl::Status(const FoundObject&)> fn, LatestStats* stats) {
  return ForEachLatest(
      db, QueryPrefix(q),
      [&](const KeyValue& kv) -> absl::Status {
        std::optional<k8sobjects::RegistryKey> where = k8sobjects::ParseRegistryKey(kv.key);
        if (!where || !Selected(q, *where)) return absl::OkStatus();
        FoundObject found{std::move(*where), kv.mod_revision, k8sobjects::DecodeObject(kv.value)};
        if (found.object.ok() && found.object->json.is_object()) {
          PrepareServed(found.object->json, kv.mod_revision, q.keep_managed_fields);
        }
        return fn(found);
      },
      stats);
}

void PrepareServed(k8sobjects::Json& obj, int64_t mod_revision, bool keep_managed_fields) {
  k8sobjects::Json& meta = obj["metadata"];
  if (!meta.is_object()) meta = k8sobjects::Json::object();
  meta["resourceVersion"] = std::to_string(mod_revision);
  if (!keep_managed_fields) meta.erase("managedFields");
}

}  // namespace ketcd::snapshot
