#include "pkg/catalog/retention.h"

#include <time.h>

#include <cctype>
#include <ctime>

#include "absl/strings/str_cat.h"

namespace ketcd::catalog {
namespace {

// strftime over the UTC broken-down time.
std::string FormatUtc(const char* format, int64_t unix_seconds) {
  time_t t = static_cast<time_t>(unix_seconds);
  struct tm tm {};
  if (::gmtime_r(&t, &tm) == nullptr) return "?";
  char buf[64];
  size_t n = std::strftime(buf, sizeof buf, format, &tm);
  return std::string(buf, n);
}

std::string DurationText(int64_t seconds) {
  if (seconds % (7 * 86400) == 0) return absl::StrCat(seconds / (7 * 86400), "w");
  if (seconds % 86400 == 0) return absl::StrCat(seconds / 86400, "d");
  if (seconds % 3600 == 0) return absl::StrCat(seconds / 3600, "h");
  return absl::StrCat(seconds / 60, "m");
}

void KeepByRule(std::vector<Decision>& plan, Rule rule, int count) {
  if (count <= 0) return;
  int seen = 0;
  std::string last_period;
  for (Decision& d : plan) {
    if (!d.snapshot.verified()) continue;
    std::string period = rule == Rule::kLast ? absl::StrCat("#", seen + 1) : PeriodOf(rule, d.snapshot.time);
    if (rule != Rule::kLast && seen > 0 && period == last_period) continue;  // an older one of the same period
    d.keep = true;
    d.reasons.push_back({Why::kRule, rule, period});
    last_period = period;
    if (++seen == count) return;
  }
}

}  // namespace

int64_t SystemNow() { return static_cast<int64_t>(::time(nullptr)); }

const char* RuleName(Rule r) {
  switch (r) {
    case Rule::kLast:
      return "last";
    case Rule::kHourly:
      return "hourly";
    case Rule::kDaily:
      return "daily";
    case Rule::kWeekly:
      return "weekly";
    case Rule::kMonthly:
      return "monthly";
    case Rule::kYearly:
      return "yearly";
  }
  return "?";
}

int Policy::Count(Rule r) const {
  switch (r) {
    case Rule::kLast:
      return last;
    case Rule::kHourly:
      return hourly;
    case Rule::kDaily:
      return daily;
    case Rule::kWeekly:
      return weekly;
    case Rule::kMonthly:
      return monthly;
    case Rule::kYearly:
      return yearly;
  }
  return 0;
}

bool Policy::Empty() const {
  return last <= 0 && hourly <= 0 && daily <= 0 && weekly <= 0 && monthly <= 0 && yearly <= 0 && within_seconds <= 0;
}

absl::StatusOr<int64_t> ParseDuration(const std::string& text) {
  auto bad = [&] {
    return absl::InvalidArgumentError(
        absl::StrCat("duration \"", text, "\": want a number and a unit m, h, d or w (\"36h\", \"7d\", \"1d12h\")"));
  };
  if (text.empty()) return bad();
  int64_t total = 0;
  size_t i = 0;
  while (i < text.size()) {
    int64_t n = 0;
    size_t digits = 0;
    for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); i++, digits++) {
      if (n > 1'000'000'000) return bad();
      n = n * 10 + (text[i] - '0');
    }
    if (digits == 0 || i == text.size()) return bad();
    switch (text[i++]) {
      case 'm':
        total += n * 60;
        break;
      case 'h':
        total += n * 3600;
        break;
      case 'd':
        total += n * 86400;
        break;
      case 'w':
        total += n * 7 * 86400;
        break;
      default:
        return bad();
    }
  }
  if (total <= 0) return bad();
  return total;
}

std::string PeriodOf(Rule r, int64_t t) {
  switch (r) {
    case Rule::kLast:
      return "";
    case Rule::kHourly:
      return FormatUtc("%Y-%m-%dT%H", t);
    case Rule::kDaily:
      return FormatUtc("%Y-%m-%d", t);
    case Rule::kWeekly:
      return FormatUtc("%G-W%V", t);  // ISO 8601 week-based year and week
    case Rule::kMonthly:
      return FormatUtc("%Y-%m", t);
    case Rule::kYearly:
      return FormatUtc("%Y", t);
  }
  return "";
}

std::string Reason::Text() const {
  switch (why) {
    case Why::kRule:
      return absl::StrCat(RuleName(rule), " ", period);
    case Why::kWithin:
      return absl::StrCat("within ", period);
    case Why::kNewestVerified:
      return "newest verified";
    case Why::kUnverified:
      return "unverified: never pruned";
    case Why::kIncomplete:
      return "incomplete: pass --prune-incomplete";
  }
  return "";
}

absl::StatusOr<std::vector<Decision>> PlanRetention(const std::vector<Snapshot>& catalog, const Policy& policy,
                                                    const Clock& clock) {
  for (Rule r : {Rule::kLast, Rule::kHourly, Rule::kDaily, Rule::kWeekly, Rule::kMonthly, Rule::kYearly}) {
    if (policy.Count(r) < 0) return absl::InvalidArgumentError(absl::StrCat("--keep-", RuleName(r), " is negative"));
  }
  if (policy.Empty()) {
    return absl::InvalidArgumentError(
        "no retention policy: pass at least one of --keep-last, --keep-hourly, --keep-daily, --keep-weekly, "
        "--keep-monthly, --keep-yearly, --keep-within");
  }
  std::vector<Decision> plan;
  for (const Snapshot& s : catalog) {
    Decision d{s, false, {}};
    if (s.state == State::kUnverified) {
      d.keep = true;
      d.reasons.push_back({Why::kUnverified, Rule::kLast, ""});
    } else if (s.state == State::kIncomplete && !policy.prune_incomplete) {
      d.keep = true;
      d.reasons.push_back({Why::kIncomplete, Rule::kLast, ""});
    }
    plan.push_back(std::move(d));
  }
  KeepByRule(plan, Rule::kLast, policy.last);
  for (Rule r : kPeriodRules) KeepByRule(plan, r, policy.Count(r));
  if (policy.within_seconds > 0) {
    const int64_t since = clock() - policy.within_seconds;
    for (Decision& d : plan) {
      if (!d.snapshot.verified() || d.snapshot.time <= since) continue;
      d.keep = true;
      d.reasons.push_back({Why::kWithin, Rule::kLast, DurationText(policy.within_seconds)});
    }
  }
  KeepNewestVerified(plan);
  return plan;
}

void KeepNewestVerified(std::vector<Decision>& plan) {
  Decision* newest = nullptr;
  for (Decision& d : plan) {
    if (d.snapshot.verified() && (newest == nullptr || d.snapshot.time > newest->snapshot.time)) newest = &d;
  }
  if (newest == nullptr || newest->keep) return;
  newest->keep = true;
  newest->reasons.push_back({Why::kNewestVerified, Rule::kLast, ""});
}

}  // namespace ketcd::catalog
