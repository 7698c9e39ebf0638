#pragma once
// `diff` of two snapshots: the Kubernetes objects added, removed and changed, found by
// walking both files' live keys in key order side by side (LatestIndex: keys in memory,
// values read one pair at a time).
//
// Changed means the stored value differs and, once decoded, the object differs other than in
// metadata.managedFields (field managers' timestamps move on every write) and
// metadata.resourceVersion (not stored: the key's mod revision). Values encrypted at rest
// without their keys are compared as bytes (a re-encryption alone counts as a change).

#include <optional>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "pkg/snapshot/object_query.h"

namespace ketcd::snapshot {

enum class Change { kAdded, kRemoved, kChanged };
const char* ChangeName(Change c);  // "added", "removed", "changed"

struct FieldChange {
  std::string path;  // JSON path: .spec.replicas, .metadata.labels["app.kubernetes.io/name"], .items[2]
  std::optional<k8sobjects::Json> before, after;  // nullopt: absent on that side
  bool secret = false;                            // a Secret's data/stringData: values never shown
};

struct ObjectChange {
  Change change = Change::kChanged;
  k8sobjects::RegistryKey where;
  bool compared_as_bytes = false;   // changed: a side was not decoded (encrypted without its key, malformed)
  std::vector<FieldChange> fields;  // changed, with `fields` asked for
};

// Calls fn for each object `q` selects that differs between `before` and `after`, in key order.
absl::Status DiffObjects(const bbolt::Db& before, const bbolt::Db& after, const ObjectQuery& q, bool fields,
                         absl::FunctionRef<absl::Status(const ObjectChange&)> fn);

// The field changes between two objects (paths as above; Secret values marked secret).
std::vector<FieldChange> DiffFields(const k8sobjects::Json& before, const k8sobjects::Json& after);

}  // namespace ketcd::snapshot
