// Events (printEvent) and APIServices (kube-aggregator's table: NAME, SERVICE, AVAILABLE,
// AGE; SERVICE is "Local" when kube-apiserver serves the group itself).
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "pkg/printers/cells.h"
#include "pkg/printers/types.h"

namespace ketcd::printers {
namespace {

std::string FirstNonEmpty(const std::string& a, const std::string& b) { return a.empty() ? b : a; }

Row Event(const Json& o, const RowOptions& opt) {
  std::string first = Since(Str(o, {"firstTimestamp"}), opt.now);
  if (Str(o, {"firstTimestamp"}).empty()) first = Since(Str(o, {"eventTime"}), opt.now);
  std::string last = Str(o, {"lastTimestamp"}).empty() ? first : Since(Str(o, {"lastTimestamp"}), opt.now);
  int64_t count = Int(o, {"count"});
  if (At(o, {"series"}).is_object()) {
    last = Since(Str(o, {"series", "lastObservedTime"}), opt.now);
    count = Int(o, {"series", "count"});
  } else if (count == 0) {
    count = 1;
  }
  const std::string kind = absl::AsciiStrToLower(Str(o, {"involvedObject", "kind"}));
  const std::string name = Str(o, {"involvedObject", "name"});
  const std::string component = FirstNonEmpty(Str(o, {"source", "component"}), Str(o, {"reportingComponent"}));
  const std::string instance = FirstNonEmpty(Str(o, {"source", "host"}), Str(o, {"reportingInstance"}));
  std::string message = Str(o, {"message"});
  absl::StripAsciiWhitespace(&message);
  return {last,
          Str(o, {"type"}),
          Str(o, {"reason"}),
          name.empty() ? kind : absl::StrCat(kind, "/", name),
          Str(o, {"involvedObject", "fieldPath"}),
          instance.empty() ? component : absl::StrCat(component, ", ", instance),
          message,
          first,
          absl::StrCat(count),
          Str(o, {"metadata", "name"})};
}

Row ApiService(const Json& o, const RowOptions& opt) {
  std::string service = "Local";
  if (At(o, {"spec", "service"}).is_object()) {
    service = absl::StrCat(Str(o, {"spec", "service", "namespace"}), "/", Str(o, {"spec", "service", "name"}));
  }
  std::string available = "Unknown";
  const Json& conditions = At(o, {"status", "conditions"});
  for (const Json& c : Items(conditions)) {
    if (Str(c, {"type"}) != "Available") continue;
    available = Str(c, {"status"});
    if (available != "True" && !Str(c, {"reason"}).empty()) absl::StrAppend(&available, " (", Str(c, {"reason"}), ")");
    break;
  }
  return {Str(o, {"metadata", "name"}), service, available, Age(o, opt.now)};
}

}  // namespace

void AddApis(TypeTable& t) {
  t.Add("", "events",
        {{{"LAST SEEN"},
          {"TYPE"},
          {"REASON"},
          {"OBJECT"},
          {"SUBOBJECT", true},
          {"SOURCE", true},
          {"MESSAGE"},
          {"FIRST SEEN", true},
          {"COUNT", true},
          {"NAME", true}},
         Event});
  t.Add("apiregistration.k8s.io", "apiservices", {{{"NAME"}, {"SERVICE"}, {"AVAILABLE"}, {"AGE"}}, ApiService});
}

}  // namespace ketcd::printers
