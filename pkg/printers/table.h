#pragma once
// kubectl's table of one type: its columns (wide ones only with -o wide), NAMESPACE first
// with -A, names as kind.group/name when several types are printed, cells padded as
// kubectl's tabwriter pads them (3 spaces). Tables (several types) prints one per type in
// the order they were first seen, a blank line between them.

#include <iosfwd>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "pkg/printers/columns.h"

namespace ketcd::printers {

struct TableOptions {
  bool wide = false;
  bool with_namespace = false;  // for namespaced types only
  bool with_kind = false;       // "configmap/a", "deployment.apps/b"
};

class Table {
 public:
  // `kind_prefix`: "configmap", "deployment.apps" (used with with_kind).
  Table(std::vector<Column> columns, bool namespaced, std::string kind_prefix, const TableOptions& options);
  // `row` holds a cell for every column (wide ones too); missing cells print empty.
  void Add(const std::string& namespace_, Row row);
  bool empty() const { return rows_.empty(); }
  void Print(std::ostream& out) const;

 private:
  std::vector<Column> columns_;
  bool namespaced_;
  std::string kind_prefix_;
  TableOptions options_;
  std::vector<Row> rows_;
};

class Tables {
 public:
  explicit Tables(const TableOptions& options) : options_(options) {}
  // The table of `type` (any key naming one type), made with `columns` the first time.
  Table& For(const std::string& type, const std::vector<Column>& columns, bool namespaced,
             const std::string& kind_prefix);
  bool empty() const;
  void Print(std::ostream& out) const;

 private:
  TableOptions options_;
  std::map<std::string, size_t> index_;
  std::vector<std::unique_ptr<Table>> tables_;
};

}  // namespace ketcd::printers
