// Retention over a generated catalog: hourly snapshots for 90 days with gaps, checked against
// expectations computed another way (integer division of the time for hours, days and ISO
// weeks; std::chrono calendar types for months and years) and against hand-written cases.
#include "pkg/catalog/retention.h"

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <set>

namespace ketcd::catalog {
namespace {

constexpr int64_t kHour = 3600, kDay = 86400;
// The fake clock: Sunday 2026-03-15 12:30:00 UTC.
constexpr int64_t kNow = 1773577800;
const Clock kClock = [] { return kNow; };

Snapshot Snap(int64_t t, State state = State::kVerified) {
  Snapshot s;
  s.name = "etcd-snapshot-" + std::to_string(t) + ".db";
  s.time = t;
  s.state = state;
  return s;
}

// Newest first, as LoadCatalog returns it.
std::vector<Snapshot> Sorted(std::vector<Snapshot> v) {
  std::sort(v.begin(), v.end(), [](const Snapshot& a, const Snapshot& b) { return a.time > b.time; });
  return v;
}

// Every hour at :05 for 90 days up to kNow, except: all of the day 3 days back, the 23:05 of
// the day 10 days back, and a few single hours.
std::vector<Snapshot> HourlyCatalog() {
  const int64_t last = kNow - 25 * 60;  // 12:05 today
  const int64_t day3 = (last / kDay - 3) * kDay, day10_2305 = (last / kDay - 10) * kDay + 23 * kHour + 5 * 60;
  std::set<int64_t> skip = {last - 7 * kHour, last - 100 * kHour, last - 1000 * kHour};
  std::vector<Snapshot> out;
  for (int64_t t = last; t > last - 90 * kDay; t -= kHour) {
    if ((t >= day3 && t < day3 + kDay) || t == day10_2305 || skip.count(t)) continue;
    out.push_back(Snap(t));
  }
  return Sorted(out);
}

// Newest snapshot of each of the `n` most recent groups (group: a key that grows with time).
std::set<int64_t> NewestPerGroup(const std::vector<Snapshot>& catalog, int n, int64_t (*group)(int64_t)) {
  std::map<int64_t, int64_t, std::greater<>> newest;  // group -> time
  for (const Snapshot& s : catalog) {
    if (!s.verified()) continue;
    auto [it, inserted] = newest.try_emplace(group(s.time), s.time);
    if (!inserted) it->second = std::max(it->second, s.time);
  }
  std::set<int64_t> out;
  for (const auto& [g, t] : newest) {
    if (static_cast<int>(out.size()) == n) break;
    out.insert(t);
  }
  return out;
}

int64_t HourOf(int64_t t) { return t / kHour; }
int64_t DayOf(int64_t t) { return t / kDay; }
int64_t IsoWeekOf(int64_t t) { return (t / kDay + 3) / 7; }  // 1970-01-01 was a Thursday; weeks start Monday
int64_t MonthOf(int64_t t) {
  using namespace std::chrono;
  year_month_day ymd{floor<days>(sys_seconds{seconds{t}})};
  return static_cast<int>(ymd.year()) * 12 + static_cast<int64_t>(static_cast<unsigned>(ymd.month()));
}
int64_t YearOf(int64_t t) {
  using namespace std::chrono;
  return static_cast<int>(year_month_day{floor<days>(sys_seconds{seconds{t}})}.year());
}

std::set<int64_t> Kept(const std::vector<Decision>& plan) {
  std::set<int64_t> out;
  for (const Decision& d : plan) {
    if (d.keep) out.insert(d.snapshot.time);
  }
  return out;
}

std::set<int64_t> Plan(const std::vector<Snapshot>& catalog, const Policy& p) {
  auto plan = PlanRetention(catalog, p, kClock);
  EXPECT_TRUE(plan.ok()) << plan.status();
  return plan.ok() ? Kept(*plan) : std::set<int64_t>{};
}

std::set<int64_t> Union(std::initializer_list<std::set<int64_t>> sets) {
  std::set<int64_t> out;
  for (const auto& s : sets) out.insert(s.begin(), s.end());
  return out;
}

TEST(RetentionTest, GeneratedCatalogEachRule) {
  const auto catalog = HourlyCatalog();
  ASSERT_GT(catalog.size(), 2000u);
  std::set<int64_t> last5;
  for (int i = 0; i < 5; i++) last5.insert(catalog[i].time);
  EXPECT_EQ(Plan(catalog, {.last = 5}), last5);
  EXPECT_EQ(Plan(catalog, {.hourly = 48}), NewestPerGroup(catalog, 48, HourOf));
  EXPECT_EQ(Plan(catalog, {.daily = 7}), NewestPerGroup(catalog, 7, DayOf));
  EXPECT_EQ(Plan(catalog, {.weekly = 5}), NewestPerGroup(catalog, 5, IsoWeekOf));
  EXPECT_EQ(Plan(catalog, {.monthly = 12}), NewestPerGroup(catalog, 12, MonthOf));
  EXPECT_EQ(Plan(catalog, {.yearly = 3}), NewestPerGroup(catalog, 3, YearOf));
  // 90 days span four calendar months (Dec to Mar): a longer policy keeps what there is.
  EXPECT_EQ(Plan(catalog, {.monthly = 12}).size(), 4u);
}

TEST(RetentionTest, GeneratedCatalogCombinedIsTheUnion) {
  const auto catalog = HourlyCatalog();
  const Policy p{.last = 3, .hourly = 24, .daily = 7, .weekly = 4, .monthly = 6};
  std::set<int64_t> kept = Plan(catalog, p);
  EXPECT_EQ(kept, Union({Plan(catalog, {.last = 3}), Plan(catalog, {.hourly = 24}), Plan(catalog, {.daily = 7}),
                         Plan(catalog, {.weekly = 4}), Plan(catalog, {.monthly = 6})}));
  EXPECT_LE(kept.size(), 3u + 24 + 7 + 4 + 6);
  EXPECT_TRUE(kept.count(catalog.front().time));
}

TEST(RetentionTest, GeneratedCatalogHandCheckedDays) {
  const auto catalog = HourlyCatalog();
  const int64_t today = kNow / kDay * kDay;
  // Today's newest is 12:05; yesterday's and the day before's 23:05; the day 3 days back has
  // none (it does not count); then 4 to 7 days back. Then the day 10 days back is 22:05.
  std::set<int64_t> want = {today + 12 * kHour + 300};
  for (int d : {1, 2, 4, 5, 6, 7}) want.insert(today - d * kDay + 23 * kHour + 300);
  EXPECT_EQ(Plan(catalog, {.daily = 7}), want);
  std::set<int64_t> ten = Plan(catalog, {.daily = 10});
  EXPECT_TRUE(ten.count(today - 10 * kDay + 22 * kHour + 300));
  EXPECT_EQ(ten.size(), 10u);
  // Hours: 12:05 .. 06:05 today with 05:05 missing (7 hours back), so 24 periods reach back 25 hours.
  std::set<int64_t> hours = Plan(catalog, {.hourly = 24});
  EXPECT_EQ(*hours.begin(), today + 12 * kHour + 300 - 24 * kHour);
}

TEST(RetentionTest, GeneratedCatalogWithinUsesTheClock) {
  const auto catalog = HourlyCatalog();
  std::set<int64_t> want;
  for (const auto& s : catalog) {
    if (s.time > kNow - 36 * kHour) want.insert(s.time);
  }
  EXPECT_EQ(want.size(), 36u - 1);  // one of those hours is missing
  EXPECT_EQ(Plan(catalog, {.within_seconds = 36 * kHour}), want);
}

TEST(RetentionTest, WeeksAreIsoWeeksOfTheUtcDate) {
  // Sunday 2024-12-29 23:59:59 UTC is 2024-W52; Monday 2024-12-30 00:00:01 is 2025-W01.
  const int64_t sunday = 1735516799, monday = 1735516801;
  EXPECT_EQ(PeriodOf(Rule::kWeekly, sunday), "2024-W52");
  EXPECT_EQ(PeriodOf(Rule::kWeekly, monday), "2025-W01");
  EXPECT_EQ(PeriodOf(Rule::kDaily, monday), "2024-12-30");
  EXPECT_EQ(PeriodOf(Rule::kHourly, monday), "2024-12-30T00");
  EXPECT_EQ(PeriodOf(Rule::kMonthly, monday), "2024-12");
  EXPECT_EQ(PeriodOf(Rule::kYearly, monday), "2024");
  auto catalog = Sorted({Snap(sunday), Snap(sunday - 60), Snap(monday)});
  EXPECT_EQ(Plan(catalog, {.weekly = 2}), (std::set<int64_t>{sunday, monday}));
  EXPECT_EQ(Plan(catalog, {.yearly = 5}), (std::set<int64_t>{monday}));  // the ISO week is 2025's, the year 2024
  EXPECT_EQ(Plan(catalog, {.daily = 5}), (std::set<int64_t>{sunday, monday}));
  EXPECT_EQ(Plan(catalog, {.weekly = 1}), (std::set<int64_t>{monday}));
}

TEST(RetentionTest, ReasonsNameEveryRuleThatKeeps) {
  auto catalog = Sorted({Snap(kNow - 60), Snap(kNow - 2 * kDay)});
  auto plan = PlanRetention(catalog, {.last = 1, .daily = 2}, kClock);
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->size(), 2u);
  std::vector<std::string> first, second;
  for (const auto& r : (*plan)[0].reasons) first.push_back(r.Text());
  for (const auto& r : (*plan)[1].reasons) second.push_back(r.Text());
  EXPECT_EQ(first, (std::vector<std::string>{"last #1", "daily 2026-03-15"}));
  EXPECT_EQ(second, (std::vector<std::string>{"daily 2026-03-13"}));
}

TEST(RetentionTest, UnverifiedAndIncompleteDoNotCount) {
  auto catalog = Sorted({Snap(kNow - 10, State::kUnverified), Snap(kNow - 20, State::kIncomplete), Snap(kNow - 30),
                         Snap(kNow - 40), Snap(kNow - 50, State::kIncomplete)});
  auto plan = PlanRetention(catalog, {.last = 1}, kClock);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(Kept(*plan), (std::set<int64_t>{kNow - 10, kNow - 20, kNow - 30, kNow - 50}));
  EXPECT_EQ((*plan)[0].reasons[0].why, Why::kUnverified);
  EXPECT_EQ((*plan)[1].reasons[0].why, Why::kIncomplete);
  EXPECT_EQ((*plan)[2].reasons[0].Text(), "last #1");

  auto pruning = PlanRetention(catalog, {.last = 1, .prune_incomplete = true}, kClock);
  ASSERT_TRUE(pruning.ok());
  EXPECT_EQ(Kept(*pruning), (std::set<int64_t>{kNow - 10, kNow - 30}));  // unverified stays even so
}

TEST(RetentionTest, NewestVerifiedIsKeptWhateverThePolicy) {
  // Backups stopped three days ago: keep-within 1h alone would keep nothing.
  auto catalog = Sorted({Snap(kNow - 3 * kDay), Snap(kNow - 4 * kDay), Snap(kNow - 10, State::kUnverified)});
  auto plan = PlanRetention(catalog, {.within_seconds = kHour}, kClock);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(Kept(*plan), (std::set<int64_t>{kNow - 10, kNow - 3 * kDay}));
  EXPECT_EQ((*plan)[1].reasons.at(0).why, Why::kNewestVerified);

  std::vector<Decision> by_hand = {{Snap(kNow - 5), false, {}}, {Snap(kNow - 9), false, {}}};
  KeepNewestVerified(by_hand);
  EXPECT_TRUE(by_hand[0].keep);
  EXPECT_FALSE(by_hand[1].keep);
}

TEST(RetentionTest, RefusesAnEmptyOrNegativePolicy) {
  auto catalog = Sorted({Snap(kNow)});
  EXPECT_TRUE(absl::IsInvalidArgument(PlanRetention(catalog, {}, kClock).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(PlanRetention(catalog, {.prune_incomplete = true}, kClock).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(PlanRetention(catalog, {.last = 2, .daily = -1}, kClock).status()));
}

TEST(RetentionTest, Durations) {
  EXPECT_EQ(*ParseDuration("30m"), 1800);
  EXPECT_EQ(*ParseDuration("36h"), 36 * kHour);
  EXPECT_EQ(*ParseDuration("1d12h"), 36 * kHour);
  EXPECT_EQ(*ParseDuration("2w"), 14 * kDay);
  for (const char* bad : {"", "7", "d", "7x", "-1d", "0d", "1.5d", "99999999999d"}) {
    EXPECT_FALSE(ParseDuration(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace ketcd::catalog
