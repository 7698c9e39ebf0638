#pragma once
// `kubectl etcd get`'s table output: each object's row with kubectl's columns for its type
// (pkg/printers), the custom resources' columns read from their CRD in the same snapshot,
// one table per type.

#include <map>
#include <optional>
#include <ostream>
#include <string>

#include "pkg/printers/columns.h"
#include "pkg/printers/table.h"
#include "pkg/snapshot/object_query.h"
#include "pkg/snapshot/served_objects.h"

namespace ketcd::cmd {

// The kind and group of an object: from its apiVersion and kind, else from its key.
struct KindGroup {
  std::string kind;
  std::string group;
};
KindGroup KindGroupOf(std::string_view kind, std::string_view api_version, const k8sobjects::RegistryKey& where);
KindGroup KindGroupOf(const snapshot::FoundObject& f);
// kubectl -o name: kind.group/name, kind in lower case.
std::string NameOf(const KindGroup& k, const k8sobjects::RegistryKey& where);

class GetTable {
 public:
  // `now`: the clock the AGE columns count from. One table per type; `q` gives the
  // encryption keys (for CRDs) and must outlive this.
  GetTable(const bbolt::Db& db, const snapshot::ObjectQuery& q, const printers::TableOptions& options, int64_t now);
  // An object the fast path checked: its row from the summary when the type's columns need
  // no more, else from the object decoded here.
  void Add(const snapshot::ServedObject& o);
  // An object decoded (or not) by the general decoder.
  void Add(const snapshot::FoundObject& f);
  bool empty() const { return tables_.empty(); }
  void Print(std::ostream& out) const { tables_.Print(out); }

 private:
  printers::Table& TableOf(const k8sobjects::RegistryKey& where, const KindGroup& kg);
  const printers::CustomColumns* CustomOf(const k8sobjects::RegistryKey& where);

  const bbolt::Db& db_;
  const snapshot::ObjectQuery& query_;
  printers::RowOptions row_options_;
  printers::Tables tables_;
  std::map<std::string, std::optional<printers::CustomColumns>> custom_;  // by "plural.group"
};

}  // namespace ketcd::cmd
