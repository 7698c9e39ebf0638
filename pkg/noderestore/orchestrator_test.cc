// The node restore's state machine on a simulated node (sim_node_test_util.h): the happy
// path and undo, every call failing once (ENOSPC, EIO, fsync, rename, waits, systemctl),
// and a kill at every call followed by --undo or --resume. Whatever happens, the node ends
// serving either the old data with the original definition file or the snapshot, with
// all three control-plane manifests in place.
#include <gtest/gtest.h>

#include <filesystem>

#include "pkg/base/status.h"
#include "pkg/noderestore/orchestrator.h"
#include "pkg/noderestore/sim_node_test_util.h"

namespace ketcd::noderestore {
namespace {

using testing::FaultyOps;
using testing::SimNode;

class Scratch {
 public:
  // In memory where the machine has it: the simulated runs make thousands of fsyncs.
  Scratch() {
    std::string tmpl = std::filesystem::is_directory("/dev/shm") ? "/dev/shm/ketcd-sim.XXXXXX" : "/tmp/ketcd-sim.XXXXXX";
    path_ = ::mkdtemp(tmpl.data());
  }
  ~Scratch() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

RecoverOptions Recover(const SimNode& node, const std::string& run_id = "") {
  RecoverOptions o;
  o.host_root = node.Root();
  o.backup_base = node.MakePlan().opts.backup_base;
  o.run_id = run_id;
  o.wait_timeout = std::chrono::seconds(1);
  return o;
}

std::string Trace(const RunResult& r) {
  std::string t;
  for (const auto& s : r.steps) t += std::string("  [") + OutcomeName(s.outcome) + "] " + s.name + ": " + s.detail + "\n";
  return t;
}

void ExpectOld(const SimNode& node, const std::string& context) {
  EXPECT_TRUE(node.ServesOld()) << context;
  EXPECT_EQ(node.DefinitionText(), SimNode::kOriginal) << context;
  EXPECT_TRUE(node.ControlPlaneInPlace()) << context;
  EXPECT_TRUE(node.ApiServerUp()) << context;
  EXPECT_EQ(node.KubeadmDataDir(), "/var/lib/etcd") << context;
}

bool Warned(const RunResult& r) {
  for (const auto& s : r.steps) {
    if (s.outcome == StepOutcome::kWarning) return true;
  }
  return false;
}

// `warned`: a follow-up failed (a warning), so kubeadm-config may still name the old dir.
void ExpectNew(const SimNode& node, Layout layout, const std::string& context, bool warned = false) {
  EXPECT_TRUE(node.ServesNew()) << context;
  EXPECT_EQ(node.DefinitionText(), SimNode::kPatched) << context;
  EXPECT_TRUE(node.ControlPlaneInPlace()) << context;
  EXPECT_TRUE(node.ApiServerUp()) << context;
  if (layout == Layout::kKubeadm && !warned) {
    EXPECT_EQ(node.KubeadmDataDir(), "/var/lib/etcd-restored-sim") << context;
  }
}

class OrchestratorTest : public ::testing::TestWithParam<Layout> {};

TEST_P(OrchestratorTest, RestoreThenUndoThenNothingLeftToUndo) {
  Scratch dir;
  SimNode node(dir.path(), GetParam());
  absl::Status st;
  RunResult r = Execute(node.MakePlan(), node, {}, &st);
  ASSERT_TRUE(st.ok()) << st << Trace(r);
  ExpectNew(node, GetParam(), Trace(r));
  EXPECT_EQ(r.journal.phase, Phase::kDone);

  RunResult u = Undo(Recover(node), node, {}, &st);
  ASSERT_TRUE(st.ok()) << st << Trace(u);
  ExpectOld(node, Trace(u));
  EXPECT_EQ(u.journal.phase, Phase::kUndone);

  // The newest run is undone: a second --undo must not go back to anything older.
  Undo(Recover(node), node, {}, &st);
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition) << st;
  EXPECT_NE(st.message().find("undone already"), std::string::npos) << st;
  Resume(Recover(node), node, {}, &st);
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition) << st;
  ExpectOld(node, "after the refusals");
}

// Counts the calls of a clean run, for the loops below.
int CallsOfCleanRun(Layout layout) {
  Scratch dir;
  SimNode node(dir.path(), layout);
  FaultyOps counting(node, -1, FaultyOps::Fault::kFailOnce);
  absl::Status st;
  Execute(node.MakePlan(), counting, {}, &st);
  EXPECT_TRUE(st.ok()) << st;
  return counting.calls();
}

TEST_P(OrchestratorTest, EveryCallFailingOnceEndsOnOneSideOrTheOther) {
  int calls = CallsOfCleanRun(GetParam());
  ASSERT_GT(calls, 20);
  for (int n = 1; n <= calls; n++) {
    Scratch dir;
    SimNode node(dir.path(), GetParam());
    FaultyOps faulty(node, n, FaultyOps::Fault::kFailOnce);
    absl::Status st;
    RunResult r = Execute(node.MakePlan(), faulty, {}, &st);
    std::string context = "fault at call " + std::to_string(n) + " (" + faulty.fired_on() + "): " +
                          std::string(st.message()) + "\n" + Trace(r);
    ASSERT_TRUE(faulty.fired()) << context;
    if (st.ok()) {
      ExpectNew(node, GetParam(), context, Warned(r));  // a follow-up only warned, or the fault was harmless
    } else {
      ExpectOld(node, context);
      EXPECT_TRUE(CheckNoUnfinishedRun(node, node.Root(), Recover(node).backup_base).ok()) << context;
    }
  }
}

TEST_P(OrchestratorTest, KillAtEveryCallThenUndoOrResume) {
  int calls = CallsOfCleanRun(GetParam());
  for (int n = 1; n <= calls; n++) {
    for (bool undo : {true, false}) {
      Scratch dir;
      SimNode node(dir.path(), GetParam());
      FaultyOps killed(node, n, FaultyOps::Fault::kKill);
      absl::Status st;
      RunResult first = Execute(node.MakePlan(), killed, {}, &st);
      std::string context = std::string(undo ? "undo" : "resume") + " after a kill at call " + std::to_string(n) +
                            " (" + killed.fired_on() + ")\n" + Trace(first);
      ASSERT_TRUE(killed.fired()) << context;
      auto runs = ListRuns(node, dir.path() + Recover(node).backup_base);
      if (runs.empty()) {  // killed before the journal existed: nothing changed
        ExpectOld(node, context);
        continue;
      }
      ASSERT_TRUE(runs[0].journal.ok()) << runs[0].journal.status() << context;
      bool unfinished = Unfinished(runs[0].journal->phase);
      EXPECT_EQ(CheckNoUnfinishedRun(node, node.Root(), Recover(node).backup_base).ok(), !unfinished) << context;
      RunResult second = undo ? Undo(Recover(node), node, {}, &st) : Resume(Recover(node), node, {}, &st);
      context += "then:\n" + Trace(second) + std::string(st.message());
      if (!undo && runs[0].journal->phase == Phase::kDone) {
        EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition) << context;
        ExpectNew(node, GetParam(), context);
        continue;
      }
      ASSERT_TRUE(st.ok()) << context;
      if (undo) {
        ExpectOld(node, context);
      } else {
        ExpectNew(node, GetParam(), context);
      }
      EXPECT_TRUE(CheckNoUnfinishedRun(node, node.Root(), Recover(node).backup_base).ok()) << context;
    }
  }
}

TEST_P(OrchestratorTest, KillDuringUndoThenUndoAgain) {
  Scratch probe_dir;
  SimNode probe(probe_dir.path(), GetParam());
  absl::Status st;
  Execute(probe.MakePlan(), probe, {}, &st);
  ASSERT_TRUE(st.ok()) << st;
  FaultyOps counting(probe, -1, FaultyOps::Fault::kFailOnce);
  Undo(Recover(probe), counting, {}, &st);
  ASSERT_TRUE(st.ok()) << st;
  for (int n = 1; n <= counting.calls(); n++) {
    Scratch dir;
    SimNode node(dir.path(), GetParam());
    Execute(node.MakePlan(), node, {}, &st);
    ASSERT_TRUE(st.ok()) << st;
    FaultyOps killed(node, n, FaultyOps::Fault::kKill);
    RunResult first = Undo(Recover(node), killed, {}, &st);
    RunResult second = Undo(Recover(node), node, {}, &st);
    std::string context = "kill at undo call " + std::to_string(n) + " (" + killed.fired_on() + ")\n" +
                          Trace(first) + "then:\n" + Trace(second) + std::string(st.message());
    if (!st.ok()) {
      // Killed after the undo had finished: the run says so.
      EXPECT_NE(st.message().find("undone already"), std::string::npos) << context;
    }
    ExpectOld(node, context);
  }
}

// --undo acts on the newest run whatever its phase; an older run only when named.
TEST_P(OrchestratorTest, UndoNeverSkipsTheNewestRun) {
  Scratch dir;
  SimNode node(dir.path(), GetParam());
  absl::Status st;
  RunResult r = Execute(node.MakePlan(), node, {}, &st);
  ASSERT_TRUE(st.ok()) << st;
  // A newer run that was rolled back (its journal copied under a later run ID).
  std::string base = dir.path() + Recover(node).backup_base;
  Journal newer = r.journal;
  newer.run_id = "20260101T000001Z";
  newer.backup_dir = Recover(node).backup_base + "/" + newer.run_id;
  newer.phase = Phase::kRolledBack;
  std::filesystem::create_directories(base + "/" + newer.run_id);
  ASSERT_TRUE(SaveJournal(node, node.Root(), newer).ok());

  Undo(Recover(node), node, {}, &st);
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition) << st;
  EXPECT_NE(st.message().find("20260101T000001Z"), std::string::npos) << st;
  ExpectNew(node, GetParam(), "the older run must stay as it is");

  RunResult named = Undo(Recover(node, r.journal.run_id), node, {}, &st);
  ASSERT_TRUE(st.ok()) << st << Trace(named);
  ExpectOld(node, Trace(named));

  Undo(Recover(node, "20990101T000000Z"), node, {}, &st);
  EXPECT_EQ(st.code(), absl::StatusCode::kNotFound) << st;
}

std::string LayoutParamName(const ::testing::TestParamInfo<Layout>& param_info) {
  return param_info.param == Layout::kSystemd ? "systemd" : "kubeadm";
}

INSTANTIATE_TEST_SUITE_P(Layouts, OrchestratorTest, ::testing::Values(Layout::kKubeadm, Layout::kSystemd),
                         LayoutParamName);

}  // namespace
}  // namespace ketcd::noderestore
