#include "pkg/restore/snap_file.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <dirent.h>

#include "pkg/base/crc32c.h"
#include "pkg/base/format.h"
#include "pkg/fsutil/file.h"
#include "pkg/restore/golden_configs.h"
#include "pkg/restore/v2store.h"

namespace ketcd::restore {
namespace {

std::string TestdataDir() { return KETCD_RESTORE_TESTDATA; }

// The golden .snap for version/config and its file name suffix.
std::pair<std::string, std::string> GoldenSnap(const std::string& v, const std::string& config) {
  std::string prefix = v + "-" + config + "-";
  DIR* d = ::opendir(TestdataDir().c_str());
  std::string found;
  while (dirent* e = d ? ::readdir(d) : nullptr) {
    std::string n = e->d_name;
    if (n.rfind(prefix, 0) == 0 && n.size() > 5 && n.substr(n.size() - 5) == ".snap") found = n;
  }
  if (d) ::closedir(d);
  auto content = fsutil::ReadFile(TestdataDir() + "/" + found);
  return {found.empty() ? "" : found.substr(prefix.size()), content.ok() ? *content : ""};
}

// Members reordered as the golden's v2 event history lists them (3.6+ store the
// members in Go map order).
std::vector<Member> InGoldenOrder(std::vector<Member> members, const std::string& golden) {
  auto pos = [&](const Member& m) { return golden.find("\"key\":\"/0/members/" + IdHex(m.id) + "/raftAttributes\""); };
  std::stable_sort(members.begin(), members.end(), [&](const Member& a, const Member& b) { return pos(a) < pos(b); });
  return members;
}

TEST(SnapFileTest, MatchesEtcdGolden) {
  for (const auto& cfg : testing::GoldenConfigs()) {
    auto plan = PlanRestore(cfg.opts);
    ASSERT_TRUE(plan.ok()) << plan.status();
    for (const auto& v : cfg.versions) {
      auto [name, golden] = GoldenSnap(v, cfg.name);
      ASSERT_FALSE(golden.empty()) << v << " " << cfg.name;
      RestorePlan p = *plan;
      p.members = InGoldenOrder(p.members, golden);
      SnapFile got = BuildRestoreSnap(p, *ParseFormat(v));
      EXPECT_EQ(got.name, name);
      EXPECT_EQ(got.content, golden) << v << " " << cfg.name;
    }
  }
}

TEST(SnapFileTest, DeterministicOrderIsAscendingId) {
  RestoreOptions opts = testing::GoldenConfigs()[1].opts;  // three members
  auto plan = PlanRestore(opts);
  ASSERT_TRUE(plan.ok());
  // 3.4/3.5 store in ascending ID order: identical to the golden without reordering.
  EXPECT_EQ(BuildRestoreSnap(*plan, EtcdFormat::k35).content, GoldenSnap("3.5", "three").second);
}

TEST(SnapFileTest, V36CountsOneFailedGet) {
  auto plan = PlanRestore(testing::GoldenConfigs()[0].opts);
  ASSERT_TRUE(plan.ok());
  std::string c = BuildRestoreSnap(*plan, EtcdFormat::k36).content;
  EXPECT_EQ(c.find("\"getsFail\":1"), c.find("\"getsFail\":"));
}

TEST(V2StoreTest, MemberKeysAreUnpaddedHex) {
  Member m{0x03c56f27cd5bed64ULL, "z", {"http://127.0.0.1:45380"}};
  std::string j = V2StoreJson({m}, EtcdFormat::k35);
  EXPECT_NE(j.find("\"/0/members/3c56f27cd5bed64\""), std::string::npos);
  EXPECT_EQ(j.find("03c56f27cd5bed64"), std::string::npos);
}

}  // namespace
}  // namespace ketcd::restore
