#include "pkg/snapshot/object_query.h"

#include "absl/strings/str_cat.h"
#include "pkg/atrest/decrypt.h"
#include "pkg/base/status.h"

namespace ketcd::snapshot {

bool Selects(const ObjectQuery& q, const k8sobjects::RegistryKey& k) {
  if (!q.all_resources && !MatchesResource(q.resource, k)) return false;
  if (q.namespaced_only && k.namespace_.empty()) return false;
  if (!q.namespace_.empty() && !k.namespace_.empty() && k.namespace_ != q.namespace_) return false;
  return q.name.empty() || k.name == q.name;
}

bool MatchesResource(const k8sobjects::ResourceSelector& r, const k8sobjects::RegistryKey& k) {
  if (r.builtin != nullptr) return k.builtin == r.builtin;
  return k.resource == r.resource && (r.any_group || k.group == r.group);
}

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

absl::Status ForEachStored(const bbolt::Db& db, const ObjectQuery& q,
                           absl::FunctionRef<absl::Status(k8sobjects::RegistryKey&, const KeyValue&)> fn,
                           LatestStats* stats) {
  return ForEachLatest(
      db, QueryPrefix(q),
      [&](const KeyValue& kv) -> absl::Status {
        std::optional<k8sobjects::RegistryKey> where = k8sobjects::ParseRegistryKey(kv.key);
        if (!where || !Selects(q, *where)) return absl::OkStatus();
        return fn(*where, kv);
      },
      stats);
}

absl::Status ForEachObject(const bbolt::Db& db, const ObjectQuery& q,
                           absl::FunctionRef<absl::Status(const FoundObject&)> fn, LatestStats* stats) {
  return ForEachStored(
      db, q,
      [&](k8sobjects::RegistryKey& where, const KeyValue& kv) -> absl::Status {
        FoundObject found = DecodeFound(std::move(where), kv, q.encryption);
        if (found.object.ok() && found.object->json.is_object()) {
          PrepareServed(found.object->json, kv.mod_revision, q.keep_managed_fields);
        }
        return fn(found);
      },
      stats);
}

FoundObject DecodeFound(k8sobjects::RegistryKey where, const KeyValue& kv, const atrest::EncryptionConfig* encryption) {
  FoundObject found{std::move(where), kv.mod_revision, k8sobjects::DecodeObject(kv.value), {}};
  if (!found.object.ok() || found.object->encoding != k8sobjects::Encoding::kEncrypted) return found;
  found.at_rest.provider = found.object->provider;
  found.at_rest.key_name = found.object->key_name;
  found.at_rest.state = AtRestState::kEncrypted;
  if (encryption == nullptr) return found;
  found.at_rest.state = AtRestState::kNotDecrypted;
  absl::StatusOr<std::string> plain =
      atrest::Decrypt(*encryption, found.where.group, found.where.resource, kv.key, kv.value);
  if (!plain.ok()) {
    found.at_rest.why = plain.status();
    return found;
  }
  absl::StatusOr<k8sobjects::Object> object = k8sobjects::DecodeObject(*plain);
  if (!object.ok() || !object->json.is_object()) {
    // aescbc has no tag: a key of the same name but other bytes gives noise, not an error.
    found.at_rest.why =
        absl::DataLossError(absl::StrCat(found.at_rest.provider, " key \"", found.at_rest.key_name,
                                         "\": the decrypted value is not a Kubernetes object (wrong key?)"));
    return found;
  }
  found.object = std::move(object);
  found.at_rest.state = AtRestState::kDecrypted;
  return found;
}

absl::StatusOr<std::optional<AggregatedApi>> FindAggregatedApi(const bbolt::Db& db, const std::string& group) {
  ObjectQuery q;
  q.all_resources = false;
  q.resource.group = "apiregistration.k8s.io";
  q.resource.resource = "apiservices";
  std::optional<AggregatedApi> found;
  KETCD_RETURN_IF_ERROR(ForEachObject(db, q, [&](const FoundObject& f) -> absl::Status {
    if (found || !f.object.ok() || !f.object->json.is_object()) return absl::OkStatus();
    const k8sobjects::Json& spec = f.object->json.value("spec", k8sobjects::Json::object());
    if (!spec.is_object() || spec.value("group", k8sobjects::Json()) != group) return absl::OkStatus();
    const k8sobjects::Json& service = spec.value("service", k8sobjects::Json());
    if (!service.is_object()) return absl::OkStatus();  // "Local": served by kube-apiserver itself
    auto text = [&](const char* key) {
      auto it = service.find(key);
      return it != service.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    found = AggregatedApi{f.where.name, absl::StrCat(text("namespace"), "/", text("name"))};
    return absl::OkStatus();
  }));
  return found;
}

void PrepareServed(k8sobjects::Json& obj, int64_t mod_revision, bool keep_managed_fields) {
  k8sobjects::Json& meta = obj["metadata"];
  if (!meta.is_object()) meta = k8sobjects::Json::object();
  meta["resourceVersion"] = std::to_string(mod_revision);
  if (!keep_managed_fields) meta.erase("managedFields");
}

}  // namespace ketcd::snapshot
