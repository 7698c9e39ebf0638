#pragma once
// The columns `kubectl get` prints for a type: what the API server's table convertor gives
// (kubernetes pkg/printers/internalversion/printers.go for built-in types, the CRD's
// additionalPrinterColumns for custom resources, NAME and CREATED AT for the rest), worked
// out here from the served JSON of each object. See README.md.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "pkg/k8sobjects/served_json.h"
#include "pkg/k8sobjects/to_json.h"

namespace ketcd::printers {

using k8sobjects::Json;
using Row = std::vector<std::string>;

struct Column {
  std::string name;   // as kubectl prints it, upper case
  bool wide = false;  // priority > 0: only with -o wide
};

struct RowOptions {
  int64_t now = 0;  // seconds since the epoch: the AGE columns count from it
  bool wide = false;
};

// What the row of one object needs besides its JSON: the summary of the fast path, when
// the type's columns come from it alone (`from_summary`).
using JsonRowFn = Row (*)(const Json& obj, const RowOptions& opt);
using SummaryRowFn = Row (*)(std::string_view name, const k8sobjects::ServedSummary& s, const RowOptions& opt);

// The columns of one type and how to fill them. A row holds a cell for every column, wide
// ones included; Table drops the wide cells without -o wide.
struct TypeColumns {
  std::vector<Column> columns;
  JsonRowFn row = nullptr;              // from the object (null for custom resources: see CustomColumns)
  SummaryRowFn from_summary = nullptr;  // set when the summary is enough
};

// The columns of a built-in type (group "" for the core group, resource in plural), or the
// table convertor's default (NAME, CREATED AT) for types printers.go has no handler for.
const TypeColumns& BuiltinColumns(std::string_view group, std::string_view resource);

// The default table convertor's columns: NAME and CREATED AT (RFC 3339).
const TypeColumns& DefaultColumns();

// A custom resource's columns: NAME then the served version's additionalPrinterColumns
// (AGE alone when it has none), read from its CRD (as served: apiextensions.k8s.io/v1).
struct CustomColumns {
  std::vector<Column> columns;
  struct Spec {
    std::vector<std::string> path;  // ".spec.a[0].b" as {"spec", "a", "[0]", "b"}
    std::string type;               // string, integer, number, boolean, date (an age)
    bool valid = true;              // a path outside the supported subset prints nothing
  };
  std::vector<Spec> specs;  // one per column after NAME
  Row RowOf(const Json& obj, const RowOptions& opt) const;
};
absl::StatusOr<CustomColumns> CustomColumnsOf(const Json& crd, std::string_view version);
// A custom resource without a CRD in the snapshot: NAME, AGE.
CustomColumns DefaultCustomColumns();
// The version kubectl asks for: the served one of highest Kubernetes version priority
// (GA > beta > alpha > other, then the higher major and minor numbers); "" when none.
std::string PreferredVersion(const Json& crd);

}  // namespace ketcd::printers
