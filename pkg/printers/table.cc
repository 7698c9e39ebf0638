#include "pkg/printers/table.h"

#include <algorithm>
#include <ostream>

#include "absl/strings/str_cat.h"

namespace ketcd::printers {

Table::Table(std::vector<Column> columns, bool namespaced, std::string kind_prefix, const TableOptions& options)
    : columns_(std::move(columns)), namespaced_(namespaced), kind_prefix_(std::move(kind_prefix)), options_(options) {}

void Table::Add(const std::string& namespace_, Row row) {
  Row shown;
  shown.reserve(columns_.size() + 1);
  if (namespaced_ && options_.with_namespace) shown.push_back(namespace_);
  for (size_t i = 0; i < columns_.size(); i++) {
    if (columns_[i].wide && !options_.wide) continue;
    std::string cell = i < row.size() ? std::move(row[i]) : std::string();
    if (i == 0 && options_.with_kind) cell = absl::StrCat(kind_prefix_, "/", cell);
    shown.push_back(std::move(cell));
  }
  rows_.push_back(std::move(shown));
}

void Table::Print(std::ostream& out) const {
  std::vector<std::string> header;
  if (namespaced_ && options_.with_namespace) header.push_back("NAMESPACE");
  for (const Column& c : columns_) {
    if (!c.wide || options_.wide) header.push_back(c.name);
  }
  std::vector<size_t> width(header.size());
  for (size_t i = 0; i < header.size(); i++) width[i] = header[i].size();
  for (const Row& r : rows_) {
    for (size_t i = 0; i < r.size() && i < width.size(); i++) width[i] = std::max(width[i], r[i].size());
  }
  std::string text;
  auto line = [&](const std::vector<std::string>& cells) {
    for (size_t i = 0; i < cells.size(); i++) {
      text += cells[i];
      if (i + 1 < cells.size()) text.append(width[i] - cells[i].size() + 3, ' ');
    }
    text += '\n';
    if (text.size() >= (1 << 20)) {
      out << text;
      text.clear();
    }
  };
  line(header);
  for (const Row& r : rows_) line(r);
  out << text;
}

Table& Tables::For(const std::string& type, const std::vector<Column>& columns, bool namespaced,
                   const std::string& kind_prefix) {
  auto [it, added] = index_.emplace(type, tables_.size());
  if (added) tables_.push_back(std::make_unique<Table>(columns, namespaced, kind_prefix, options_));
  return *tables_[it->second];
}

bool Tables::empty() const {
  return std::all_of(tables_.begin(), tables_.end(), [](const auto& t) { return t->empty(); });
}

void Tables::Print(std::ostream& out) const {
  bool first = true;
  for (const auto& t : tables_) {
    if (t->empty()) continue;
    if (!first) out << "\n";
    first = false;
    t->Print(out);
  }
}

}  // namespace ketcd::printers
