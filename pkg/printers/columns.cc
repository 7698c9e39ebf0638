#include "pkg/printers/columns.h"

#include <cstdio>
#include <tuple>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "pkg/printers/cells.h"
#include "pkg/printers/types.h"

namespace ketcd::printers {
namespace {

const TypeTable& Table() {
  static const TypeTable* table = [] {
    auto* t = new TypeTable();
    AddWorkloads(*t);
    AddCore(*t);
    AddApis(*t);
    return t;
  }();
  return *table;
}

// Go's zero time in RFC 3339, what the default convertor prints for no creationTimestamp.
constexpr char kZeroTime[] = "0001-01-01T00:00:00Z";

Row DefaultRow(const Json& o, const RowOptions&) {
  const std::string created = Str(o, {"metadata", "creationTimestamp"});
  return {Str(o, {"metadata", "name"}), created.empty() ? kZeroTime : created};
}
Row DefaultSummaryRow(std::string_view name, const k8sobjects::ServedSummary& s, const RowOptions&) {
  return {std::string(name), s.created.value_or(kZeroTime)};
}

// ".a.b[0].c" as {"a", "b", "[0]", "c"}; false for what the subset leaves out (filters,
// wildcards, recursive descent, quoted or escaped names, ranges).
bool ParsePath(std::string_view path, std::vector<std::string>* out) {
  if (path.empty() || path[0] != '.') return false;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '.') {
      size_t j = ++i;
      while (j < path.size() && path[j] != '.' && path[j] != '[') j++;
      if (j == i) return false;
      std::string_view name = path.substr(i, j - i);
      for (char c : name) {
        if (!(absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '/')) return false;
      }
      out->emplace_back(name);
      i = j;
    } else if (path[i] == '[') {
      size_t close = path.find(']', i);
      int index = 0;
      const std::string digits(path.substr(i + 1, close == std::string_view::npos ? 0 : close - i - 1));
      if (close == std::string_view::npos || !absl::SimpleAtoi(digits, &index) || index < 0) return false;
      out->push_back(absl::StrCat("[", index, "]"));
      i = close + 1;
    } else {
      return false;
    }
  }
  return true;
}

const Json* Follow(const Json& obj, const std::vector<std::string>& path) {
  const Json* j = &obj;
  for (const std::string& step : path) {
    if (step[0] == '[') {
      size_t index = std::stoul(step.substr(1, step.size() - 2));
      if (!j->is_array() || index >= j->size()) return nullptr;
      j = &(*j)[index];
    } else {
      if (!j->is_object()) return nullptr;
      auto it = j->find(step);
      if (it == j->end()) return nullptr;
      j = &*it;
    }
  }
  return j;
}

// Go's fmt.Sprint of a float64 (%v: the shortest form, exponent from 1e21).
std::string Float(double d) {
  char buf[32] = "";
  for (int precision = 1; precision <= 17; precision++) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, d);
    if (std::strtod(buf, nullptr) == d) break;
  }
  return buf;
}

// cellForJSONValue, or jsonpath's printing for type string.
std::string Cell(const std::string& type, const Json& v, int64_t now) {
  if (v.is_null()) return "";
  if (type == "string") {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
    if (v.is_number_integer()) return absl::StrCat(v.get<int64_t>());
    if (v.is_number()) return Float(v.get<double>());
    return v.dump();
  }
  if (type == "integer" && v.is_number()) {
    return absl::StrCat(v.is_number_integer() ? v.get<int64_t>() : static_cast<int64_t>(v.get<double>()));
  }
  if (type == "number" && v.is_number()) return Float(v.get<double>());
  if (type == "boolean" && v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (type == "date" && v.is_string()) {
    const std::string s = v.get<std::string>();
    return ParseTime(s) < 0 ? "<invalid>" : Since(s, now);
  }
  return "";
}

}  // namespace

const TypeColumns& DefaultColumns() {
  static const TypeColumns* d = new TypeColumns{{{"NAME"}, {"CREATED AT"}}, DefaultRow, DefaultSummaryRow};
  return *d;
}

const TypeColumns& BuiltinColumns(std::string_view group, std::string_view resource) {
  const TypeColumns* c = Table().Find(group, resource);
  return c != nullptr ? *c : DefaultColumns();
}

absl::StatusOr<CustomColumns> CustomColumnsOf(const Json& crd, std::string_view version) {
  const Json& versions = At(crd, {"spec", "versions"});
  const Json* chosen = nullptr;
  for (const Json& v : Items(versions)) {
    if (Str(v, {"name"}) == version) chosen = &v;
  }
  if (chosen == nullptr) {
    return absl::NotFoundError(absl::StrCat("CustomResourceDefinition ", Str(crd, {"metadata", "name"}),
                                            " has no version ", std::string(version)));
  }
  const Json& cols = At(*chosen, {"additionalPrinterColumns"});
  if (!cols.is_array() || cols.empty()) return DefaultCustomColumns();
  CustomColumns c;
  c.columns.push_back({"NAME"});
  for (const Json& col : cols) {
    c.columns.push_back({absl::AsciiStrToUpper(Str(col, {"name"})), Int(col, {"priority"}) != 0});
    CustomColumns::Spec spec;
    spec.type = Str(col, {"type"});
    spec.valid = ParsePath(Str(col, {"jsonPath"}), &spec.path);
    c.specs.push_back(std::move(spec));
  }
  return c;
}

CustomColumns DefaultCustomColumns() {
  CustomColumns c;
  c.columns = {{"NAME"}, {"AGE"}};
  c.specs.push_back({{"metadata", "creationTimestamp"}, "date", true});
  return c;
}

namespace {

// Kubernetes version priority (apimachinery's CompareKubeAwareVersionStrings): a key that
// sorts the highest priority first.
std::tuple<int, int, int, std::string> VersionKey(const std::string& v) {
  int major = 0, minor = 0;
  size_t i = 1;
  auto digits = [&](int* out) {
    size_t start = i;
    while (i < v.size() && absl::ascii_isdigit(static_cast<unsigned char>(v[i]))) i++;
    return i > start && absl::SimpleAtoi(v.substr(start, i - start), out);
  };
  if (v.size() < 2 || v[0] != 'v' || !digits(&major)) return {3, 0, 0, v};  // other: by name
  if (i == v.size()) return {0, -major, 0, v};
  static constexpr std::pair<std::string_view, int> kStages[] = {{"beta", 1}, {"alpha", 2}};
  for (const auto& [word, rank] : kStages) {
    std::string_view rest = std::string_view(v).substr(i);
    if (rest.starts_with(word)) {
      i += word.size();
      if (digits(&minor) && i == v.size()) return {rank, -major, -minor, v};
    }
  }
  return {3, 0, 0, v};
}

}  // namespace

std::string PreferredVersion(const Json& crd) {
  std::string best;
  const Json& versions = At(crd, {"spec", "versions"});
  for (const Json& v : Items(versions)) {
    const std::string name = Str(v, {"name"});
    if (!Bool(v, {"served"})) continue;
    if (best.empty() || VersionKey(name) < VersionKey(best)) best = name;
  }
  return best;
}

Row CustomColumns::RowOf(const Json& obj, const RowOptions& opt) const {
  Row r = {Str(obj, {"metadata", "name"})};
  for (const Spec& s : specs) {
    const Json* v = s.valid ? Follow(obj, s.path) : nullptr;
    r.push_back(v == nullptr ? "" : Cell(s.type, *v, opt.now));
  }
  return r;
}

}  // namespace ketcd::printers
