#pragma once
// The steps of a node restore, in order, as one table: each step's plan text, its action
// and the action that undoes it. Every action is idempotent (it may run again after a
// kill at any instant), and so is every undo action. The runner (orchestrator.cc) records
// a step in the journal before its action runs; a rollback or `--undo` runs the undo
// actions from the step reached back to the first.

#include <chrono>
#include <span>
#include <string>
#include <vector>

#include "pkg/base/status.h"
#include "pkg/noderestore/journal.h"
#include "pkg/noderestore/node_ops.h"

namespace ketcd::noderestore {

struct RunContext {
  NodeOps& ops;
  Journal& journal;
  std::string host_root;
  std::chrono::seconds wait_timeout;
  std::vector<std::string> advice;  // printed at the end (kubeadm-config command, ...)
  std::string Host(const std::string& path) const;  // a journal path under the host root
};

enum class StepKind {
  kChange,    // a failure rolls the run back
  kFollowUp,  // after the restore is done: a failure is a warning
};

struct StepDef {
  const char* key;  // recorded in the journal: "stop-control-plane"
  StepKind kind;
  bool (*applies)(const Journal&);
  std::string (*describe)(const Journal&);  // the plan's line for it
  absl::StatusOr<std::string> (*action)(RunContext&);
  std::string (*describe_undo)(const Journal&);  // nullptr: nothing to undo
  absl::StatusOr<std::string> (*undo)(RunContext&);
};

std::span<const StepDef> Steps();
// Index in Steps() of `key`, or -1.
int StepIndex(const std::string& key);
// The plan's lines: describe() of every step that applies to `journal`.
std::vector<std::string> PlanSteps(const Journal& journal);

}  // namespace ketcd::noderestore
