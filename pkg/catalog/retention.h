#pragma once
// Which snapshots of a catalog a retention policy keeps, in the model of restic's and
// borg's `forget --keep-*`:
//   - keep-last N: the N newest snapshots;
//   - keep-hourly/daily/weekly/monthly/yearly N: walking the snapshots newest first, the
//     newest snapshot of each period (UTC hour, UTC day, ISO 8601 week of the UTC date,
//     UTC month, UTC year), for the N most recent periods that have a snapshot: periods
//     without one do not count, so a schedule that stopped for a while does not make the
//     older snapshots go;
//   - keep-within D: every snapshot taken less than D before now (the clock);
// and a snapshot is kept when any rule keeps it, with every reason recorded.
//
// Only verified snapshots count. The newest verified snapshot is always kept, whatever the
// policy. Unverified snapshots are never removed (nothing says they are good, nor that a
// newer one replaces them: check them with `kubectl etcd status`, remove them by hand).
// Incomplete ones (.part leftovers, metadata without its snapshot) are removed only when
// asked (prune_incomplete).

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "pkg/base/status.h"
#include "pkg/catalog/catalog.h"

namespace ketcd::catalog {

// Unix seconds now; tests pass a fixed time.
using Clock = std::function<int64_t()>;
int64_t SystemNow();

enum class Rule { kLast, kHourly, kDaily, kWeekly, kMonthly, kYearly };
inline constexpr Rule kPeriodRules[] = {Rule::kHourly, Rule::kDaily, Rule::kWeekly, Rule::kMonthly, Rule::kYearly};
const char* RuleName(Rule r);  // "last", "hourly", ...

struct Policy {
  int last = 0, hourly = 0, daily = 0, weekly = 0, monthly = 0, yearly = 0;
  int64_t within_seconds = 0;  // keep-within; 0: not set
  bool prune_incomplete = false;

  int Count(Rule r) const;
  bool Empty() const;  // no rule keeps anything
};

// "30m", "36h", "7d", "2w", or a sum of them ("1d12h"), as seconds.
absl::StatusOr<int64_t> ParseDuration(const std::string& text);

// The period of `unix_seconds` for a rule ("2026-03-07T14", "2026-03-07", "2026-W10",
// "2026-03", "2026"); empty for kLast.
std::string PeriodOf(Rule r, int64_t unix_seconds);

enum class Why {
  kRule,            // `rule` in `period` (or the n-th newest for kLast)
  kWithin,          // newer than keep-within
  kNewestVerified,  // the newest verified snapshot, kept whatever the policy
  kUnverified,      // never removed by prune
  kIncomplete,      // kept: incomplete ones go only with prune_incomplete
};

struct Reason {
  Why why = Why::kRule;
  Rule rule = Rule::kLast;
  std::string period;        // kRule: the period, or "#n" for kLast
  std::string Text() const;  // "daily 2026-03-07", "last #1", "within 7d", ...
};

struct Decision {
  Snapshot snapshot;
  bool keep = true;
  std::vector<Reason> reasons;  // why it is kept (empty when removed)
};

// The decision for every snapshot of `catalog` (newest first, as LoadCatalog returns
// it), in the same order. InvalidArgument for a policy with no rule or a negative count.
absl::StatusOr<std::vector<Decision>> PlanRetention(const std::vector<Snapshot>& catalog, const Policy& policy,
                                                    const Clock& clock);

// The safety net under PlanRetention and any plan built otherwise: when the plan removes
// the newest verified snapshot it is kept after all (Why::kNewestVerified).
void KeepNewestVerified(std::vector<Decision>& plan);

}  // namespace ketcd::catalog
