// Fuzz target: the table row of any object a snapshot may hold. The first byte picks a
// built-in type (its printers.go columns), the rest is the object's JSON; the same JSON is
// also read as a CRD and, when it has columns, as one of its custom resources. Rows must
// hold a cell for every column; nothing may crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "pkg/k8sobjects/resources.h"
#include "pkg/printers/columns.h"

namespace {

void ExpectCells(const ketcd::printers::Row& row, size_t columns) {
  if (row.size() != columns) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using ketcd::printers::Json;
  if (size < 1) return 0;
  const auto resources = ketcd::k8sobjects::BuiltinResources();
  const ketcd::k8sobjects::ResourceInfo& type = resources[data[0] % resources.size()];
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  Json obj = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (obj.is_discarded()) return 0;
  const ketcd::printers::RowOptions opt{.now = 1767225600, .wide = (data[0] & 0x80) != 0};

  const ketcd::printers::TypeColumns& builtin = ketcd::printers::BuiltinColumns(type.group, type.resource);
  if (builtin.row != nullptr) ExpectCells(builtin.row(obj, opt), builtin.columns.size());

  const std::string version = ketcd::printers::PreferredVersion(obj);
  auto custom = ketcd::printers::CustomColumnsOf(obj, version);
  if (custom.ok()) ExpectCells(custom->RowOf(obj, opt), custom->columns.size());
  return 0;
}
