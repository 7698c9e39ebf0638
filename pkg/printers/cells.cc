#include "pkg/printers/cells.h"

#include <algorithm>
#include <ctime>
#include <map>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace ketcd::printers {
namespace {

const Json& Null() {
  static const Json* null = new Json();
  return *null;
}

}  // namespace

const Json& At(const Json& obj, std::initializer_list<const char*> path) {
  const Json* j = &obj;
  for (const char* key : path) {
    if (!j->is_object()) return Null();
    auto it = j->find(key);
    if (it == j->end()) return Null();
    j = &*it;
  }
  return *j;
}

const Json& Items(const Json& j) {
  static const Json* empty = new Json(Json::array());
  return j.is_array() ? j : *empty;
}

std::string Str(const Json& obj, std::initializer_list<const char*> path) {
  const Json& j = At(obj, path);
  return j.is_string() ? j.get<std::string>() : std::string();
}

int64_t Int(const Json& obj, std::initializer_list<const char*> path) {
  const Json& j = At(obj, path);
  return j.is_number_integer() ? j.get<int64_t>() : 0;
}

bool Bool(const Json& obj, std::initializer_list<const char*> path) {
  const Json& j = At(obj, path);
  return j.is_boolean() && j.get<bool>();
}

size_t Len(const Json& obj, std::initializer_list<const char*> path) {
  const Json& j = At(obj, path);
  return j.is_array() || j.is_object() ? j.size() : 0;
}

std::string HumanDuration(int64_t s) {
  if (s < -1) return "<invalid>";
  if (s < 0) return "0s";
  if (s < 120) return absl::StrCat(s, "s");
  const int64_t minutes = s / 60;
  if (minutes < 10) return s % 60 == 0 ? absl::StrCat(minutes, "m") : absl::StrCat(minutes, "m", s % 60, "s");
  if (minutes < 3 * 60) return absl::StrCat(minutes, "m");
  const int64_t hours = minutes / 60;
  if (hours < 8) return minutes % 60 == 0 ? absl::StrCat(hours, "h") : absl::StrCat(hours, "h", minutes % 60, "m");
  if (hours < 48) return absl::StrCat(hours, "h");
  if (hours < 24 * 8)
    return hours % 24 == 0 ? absl::StrCat(hours / 24, "d") : absl::StrCat(hours / 24, "d", hours % 24, "h");
  if (hours < 24 * 365 * 2) return absl::StrCat(hours / 24, "d");
  const int64_t years = hours / 24 / 365;
  if (hours < 24 * 365 * 8) {
    const int64_t days = (hours / 24) % 365;
    return days == 0 ? absl::StrCat(years, "y") : absl::StrCat(years, "y", days, "d");
  }
  return absl::StrCat(years, "y");
}

int64_t ParseTime(std::string_view rfc3339) {
  std::string s(rfc3339.substr(0, 19));  // fractions and the zone ("Z": the API server writes UTC)
  std::tm tm{};
  const char* end = ::strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (end == nullptr || *end != '\0') return -1;
  return static_cast<int64_t>(::timegm(&tm));
}

std::string Since(std::string_view rfc3339, int64_t now) {
  const int64_t t = rfc3339.empty() ? -1 : ParseTime(rfc3339);
  if (t < 0) return "<unknown>";
  return HumanDuration(now - t);
}

std::string Age(const Json& obj, int64_t now) { return Since(Str(obj, {"metadata", "creationTimestamp"}), now); }

std::string FormatLabels(const Json& map) {
  if (!map.is_object() || map.empty()) return "<none>";
  std::vector<std::string> parts;
  for (auto it = map.begin(); it != map.end(); ++it) {  // nlohmann::json keeps keys sorted
    parts.push_back(absl::StrCat(it.key(), "=", it->is_string() ? it->get<std::string>() : ""));
  }
  return absl::StrJoin(parts, ",");
}

std::string FormatLabelSelector(const Json& selector) {
  if (!selector.is_object()) return "<none>";
  std::multimap<std::string, std::string> reqs;  // sorted by key, as labels.Selector sorts them
  const Json& labels = At(selector, {"matchLabels"});
  if (labels.is_object()) {
    for (auto it = labels.begin(); it != labels.end(); ++it) {
      reqs.emplace(it.key(), absl::StrCat(it.key(), "=", it->is_string() ? it->get<std::string>() : ""));
    }
  }
  const Json& exprs = At(selector, {"matchExpressions"});
  for (const Json& e : Items(exprs)) {
    const std::string key = Str(e, {"key"}), op = Str(e, {"operator"});
    std::vector<std::string> values;
    const Json& v = At(e, {"values"});
    for (const Json& x : Items(v)) values.push_back(x.is_string() ? x.get<std::string>() : "");
    std::sort(values.begin(), values.end());
    const std::string list = absl::StrJoin(values, ",");
    if (op == "In") reqs.emplace(key, absl::StrCat(key, " in (", list, ")"));
    if (op == "NotIn") reqs.emplace(key, absl::StrCat(key, " notin (", list, ")"));
    if (op == "Exists") reqs.emplace(key, key);
    if (op == "DoesNotExist") reqs.emplace(key, "!" + key);
  }
  if (reqs.empty()) return "<none>";
  std::vector<std::string> parts;
  for (const auto& [key, text] : reqs) parts.push_back(text);
  return absl::StrJoin(parts, ",");
}

namespace {
std::string JoinMembers(const Json& containers, const char* key) {
  std::vector<std::string> out;
  for (const Json& c : Items(containers)) out.push_back(Str(c, {key}));
  return absl::StrJoin(out, ",");
}
}  // namespace

std::string ContainerNames(const Json& containers) { return JoinMembers(containers, "name"); }
std::string ContainerImages(const Json& containers) { return JoinMembers(containers, "image"); }

}  // namespace ketcd::printers
