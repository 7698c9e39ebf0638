#include "pkg/catalog/prune.h"

#include <gtest/gtest.h>

#include <map>

namespace ketcd::catalog {
namespace {

// A store in memory that records what is done to it and fails the names it is told to.
class FakeStore : public Store {
 public:
  std::string Describe() const override { return "fake"; }
  absl::StatusOr<std::vector<StoreEntry>> List() override { return std::vector<StoreEntry>{}; }
  absl::StatusOr<std::string> ReadSmall(const std::string&, size_t) override { return std::string(); }
  absl::Status Remove(const std::string& name) override {
    if (auto it = fail.find(name); it != fail.end()) return it->second;
    log.push_back("remove " + name);
    return absl::OkStatus();
  }
  absl::Status Sync() override {
    log.push_back("sync");
    return sync_status;
  }

  std::map<std::string, absl::Status> fail;
  absl::Status sync_status;
  std::vector<std::string> log;
};

Decision D(const std::string& name, bool keep, State state = State::kVerified, bool with_json = true) {
  Decision d;
  d.snapshot.name = name;
  d.snapshot.metadata_name = with_json ? name + ".json" : "";
  d.snapshot.state = state;
  d.keep = keep;
  return d;
}

TEST(PruneTest, RemovesSnapshotThenMetadataThenSyncs) {
  FakeStore store;
  std::vector<PruneResult> results;
  std::vector<Decision> plan = {D("new.db", true), D("old.db", false),
                                D("x.db.part", false, State::kIncomplete, false)};
  ASSERT_TRUE(Prune(store, plan, false, results).ok());
  EXPECT_EQ(store.log, (std::vector<std::string>{"remove old.db", "remove old.db.json", "remove x.db.part", "sync"}));
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0].outcome, Outcome::kKept);
  EXPECT_EQ(results[1].outcome, Outcome::kRemoved);
  EXPECT_EQ(results[2].outcome, Outcome::kRemoved);
}

TEST(PruneTest, DryRunTouchesNothing) {
  FakeStore store;
  std::vector<PruneResult> results;
  ASSERT_TRUE(Prune(store, {D("new.db", true), D("old.db", false)}, true, results).ok());
  EXPECT_TRUE(store.log.empty());
  EXPECT_EQ(results[1].outcome, Outcome::kWouldRemove);
}

TEST(PruneTest, BusyAndFailedRemovalsDoNotStopTheOthers) {
  FakeStore store;
  store.fail["busy.db.part"] = absl::AlreadyExistsError("being written");
  store.fail["broken.db.json"] = absl::InternalError("EIO");
  std::vector<PruneResult> results;
  std::vector<Decision> plan = {D("new.db", true), D("busy.db.part", false, State::kIncomplete, false),
                                D("broken.db", false), D("old.db", false)};
  absl::Status s = Prune(store, plan, false, results);
  EXPECT_TRUE(absl::IsInternal(s)) << s;
  EXPECT_EQ(results[1].outcome, Outcome::kBusy);
  EXPECT_EQ(results[2].outcome, Outcome::kFailed);
  EXPECT_EQ(results[2].error, "EIO");
  EXPECT_EQ(results[3].outcome, Outcome::kRemoved);
  EXPECT_EQ(store.log.back(), "sync");
}

TEST(PruneTest, SyncFailureIsReported) {
  FakeStore store;
  store.sync_status = absl::InternalError("fsync failed");
  std::vector<PruneResult> results;
  EXPECT_TRUE(absl::IsInternal(Prune(store, {D("new.db", true), D("old.db", false)}, false, results)));
}

TEST(PruneTest, RefusesAPlanThatKeepsNoVerifiedSnapshot) {
  FakeStore store;
  std::vector<PruneResult> results;
  std::vector<Decision> plan = {D("u.db", true, State::kUnverified), D("a.db", false), D("b.db", false)};
  EXPECT_TRUE(absl::IsFailedPrecondition(Prune(store, plan, false, results)));
  EXPECT_TRUE(store.log.empty());
  // Nothing verified at all: only leftovers go.
  ASSERT_TRUE(Prune(store, {D("x.db.part", false, State::kIncomplete, false)}, false, results).ok());
  EXPECT_EQ(store.log, (std::vector<std::string>{"remove x.db.part", "sync"}));
}

}  // namespace
}  // namespace ketcd::catalog
