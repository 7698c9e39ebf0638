#pragma once
// Inside the package: the table of built-in types' columns, filled by one function per
// area (workloads.cc, core.cc).

#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "pkg/printers/columns.h"

namespace ketcd::printers {

class TypeTable {
 public:
  void Add(std::string group, std::string resource, TypeColumns c) {
    types_.emplace(std::make_pair(std::move(group), std::move(resource)), std::move(c));
  }
  const TypeColumns* Find(std::string_view group, std::string_view resource) const {
    auto it = types_.find(std::make_pair(std::string(group), std::string(resource)));
    return it == types_.end() ? nullptr : &it->second;
  }

 private:
  std::map<std::pair<std::string, std::string>, TypeColumns> types_;
};

void AddWorkloads(TypeTable& t);
void AddCore(TypeTable& t);
void AddApis(TypeTable& t);

}  // namespace ketcd::printers
