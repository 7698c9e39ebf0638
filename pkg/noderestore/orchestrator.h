#pragma once
// Runs the steps of a node restore (steps.h) on a NodeOps, journaled: the journal names the
// step in progress before it acts, so that after a kill at any instant `Resume` finishes
// the run and `Undo` returns the node to the state before it. A failed step (or Ctrl-C)
// rolls the run back at once: the undo actions run from that step back to the first.

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "pkg/base/status.h"
#include "pkg/noderestore/journal.h"
#include "pkg/noderestore/node_ops.h"
#include "pkg/noderestore/plan.h"

namespace ketcd::noderestore {

enum class StepOutcome { kOk, kFailed, kWarning, kRolledBack, kRollbackFailed };
const char* OutcomeName(StepOutcome outcome);  // "ok", "failed", "warning", "rolled back", "rollback failed"

struct StepResult {
  std::string name;
  StepOutcome outcome = StepOutcome::kOk;
  std::string detail;
};

struct RunResult {
  std::vector<StepResult> steps;
  bool rolled_back = false;  // the run was rolled back (or undone) and every undo action succeeded
  Journal journal;
  std::vector<std::string> advice;  // printed at the end (kubelet restarts, kubeadm-config command)
};

using StepFn = std::function<void(const StepResult&)>;

// Starts the run the plan describes: creates its backup dir (copies of the definition file
// before and after the patch), writes the journal, and runs every step. The caller holds
// the node's lock. `status` gets the first error, with the rollback's outcome in its text.
RunResult Execute(const Plan& plan, NodeOps& ops, const StepFn& on_step, absl::Status* status);

struct RecoverOptions {
  std::string host_root = "/";
  std::string backup_base = kDefaultBackupBase;  // host path without the root
  std::string run_id;                            // empty: the newest run
  std::chrono::seconds wait_timeout{300};
};

// Finishes the newest run when it is unfinished (killed while running).
RunResult Resume(const RecoverOptions& options, NodeOps& ops, const StepFn& on_step, absl::Status* status);
// Returns the node to the state before a run: the newest (whatever its phase; refused when
// it was already rolled back or undone) or the one named. An undo killed half-way is
// finished by running it again.
RunResult Undo(const RecoverOptions& options, NodeOps& ops, const StepFn& on_step, absl::Status* status);

// FailedPrecondition, naming `--resume` and `--undo`, when the newest run under
// `backup_base` is unfinished: a new run would plan from a half-changed node.
absl::Status CheckNoUnfinishedRun(NodeOps& ops, const std::string& host_root, const std::string& backup_base);

nlohmann::ordered_json RunJson(const RunResult& r, const absl::Status& status);
nlohmann::ordered_json RunListJson(const std::vector<RunEntry>& runs);
std::string RunListText(const std::vector<RunEntry>& runs);

}  // namespace ketcd::noderestore
