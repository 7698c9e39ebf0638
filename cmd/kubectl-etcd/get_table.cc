#include "cmd/kubectl-etcd/get_table.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace ketcd::cmd {

KindGroup KindGroupOf(std::string_view kind, std::string_view api_version, const k8sobjects::RegistryKey& where) {
  KindGroup k;
  if (!kind.empty()) {
    k.kind = std::string(kind);
  } else {
    k.kind = where.builtin != nullptr ? std::string(where.builtin->kind) : where.resource;
  }
  if (!api_version.empty()) {
    size_t slash = api_version.find('/');
    k.group = slash == std::string_view::npos ? "" : std::string(api_version.substr(0, slash));
  } else {
    k.group = where.group;
  }
  return k;
}

KindGroup KindGroupOf(const snapshot::FoundObject& f) {
  return f.object.ok() ? KindGroupOf(f.object->kind, f.object->api_version, f.where) : KindGroupOf("", "", f.where);
}

std::string NameOf(const KindGroup& k, const k8sobjects::RegistryKey& where) {
  return absl::StrCat(absl::AsciiStrToLower(k.kind), k.group.empty() ? "" : ".", k.group, "/", where.name);
}

namespace {

bool IsCustom(const k8sobjects::RegistryKey& where) { return where.builtin == nullptr && !where.group.empty(); }

}  // namespace

GetTable::GetTable(const bbolt::Db& db, const snapshot::ObjectQuery& q, const printers::TableOptions& options,
                   int64_t now)
    : db_(db), query_(q), row_options_{.now = now, .wide = options.wide}, tables_(options) {}

const printers::CustomColumns* GetTable::CustomOf(const k8sobjects::RegistryKey& where) {
  const std::string crd_name = absl::StrCat(where.resource, ".", where.group);
  const auto inserted = custom_.emplace(crd_name, std::nullopt);
  const auto it = inserted.first;
  if (!inserted.second) return it->second ? &*it->second : nullptr;
  snapshot::ObjectQuery q;
  q.all_resources = false;
  q.resource = k8sobjects::SelectResource("customresourcedefinitions.apiextensions.k8s.io");
  q.name = crd_name;
  q.encryption = query_.encryption;
  // No CRD (or one that does not decode): NAME and AGE, as for a CRD without columns.
  (void)snapshot::ForEachObject(db_, q, [&](const snapshot::FoundObject& f) -> absl::Status {
    if (!f.object.ok() || !f.object->json.is_object()) return absl::OkStatus();
    absl::StatusOr<printers::CustomColumns> c =
        printers::CustomColumnsOf(f.object->json, printers::PreferredVersion(f.object->json));
    if (c.ok()) it->second = std::move(*c);
    return absl::OkStatus();
  });
  if (!it->second) it->second = printers::DefaultCustomColumns();
  return &*it->second;
}

printers::Table& GetTable::TableOf(const k8sobjects::RegistryKey& where, const KindGroup& kg) {
  const std::string prefix = absl::StrCat(absl::AsciiStrToLower(kg.kind), kg.group.empty() ? "" : ".", kg.group);
  const bool namespaced = where.builtin != nullptr ? where.builtin->namespaced : !where.namespace_.empty();
  if (IsCustom(where)) {
    return tables_.For(prefix, CustomOf(where)->columns, namespaced, prefix);
  }
  return tables_.For(prefix, printers::BuiltinColumns(where.group, where.resource).columns, namespaced, prefix);
}

void GetTable::Add(const snapshot::ServedObject& o) {
  const KindGroup kg = KindGroupOf(o.summary.kind, o.summary.api_version, o.where);
  const printers::TypeColumns& c = printers::BuiltinColumns(o.where.group, o.where.resource);
  if (!IsCustom(o.where) && c.from_summary != nullptr) {
    TableOf(o.where, kg).Add(o.where.namespace_, c.from_summary(o.where.name, o.summary, row_options_));
    return;
  }
  Add(snapshot::DecodeFound(o.where, o.kv, query_.encryption));
}

void GetTable::Add(const snapshot::FoundObject& f) {
  const KindGroup kg = KindGroupOf(f);
  printers::Table& table = TableOf(f.where, kg);
  if (!f.object.ok() || !f.object->json.is_object()) {
    std::string why = "<unknown>";
    if (f.object.ok() && f.object->encoding == k8sobjects::Encoding::kEncrypted) {
      why = absl::StrCat("<encrypted: ", f.object->provider, ", key ", f.object->key_name, ">");
    }
    table.Add(f.where.namespace_, {f.where.name, why});
    return;
  }
  if (IsCustom(f.where)) {
    table.Add(f.where.namespace_, CustomOf(f.where)->RowOf(f.object->json, row_options_));
    return;
  }
  const printers::TypeColumns& c = printers::BuiltinColumns(f.where.group, f.where.resource);
  table.Add(f.where.namespace_, c.row(f.object->json, row_options_));
}

}  // namespace ketcd::cmd
