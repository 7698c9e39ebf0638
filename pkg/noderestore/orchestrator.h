#pragma once
// Runs a Plan on the node (steps in plan_print.cc's order) and, on any failure after
// the control plane started to stop (or Ctrl-C), rolls back: the original definition
// file and the moved manifests go back, etcd returns to the old data dir, which is
// never touched. `Undo` returns to the state before a finished restore, from the state
// file in its backup dir.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "pkg/base/status.h"
#include "pkg/noderestore/lock.h"
#include "pkg/noderestore/plan.h"
#include "pkg/noderestore/state.h"

namespace ketcd::noderestore {

struct StepResult {
  std::string name;
  std::string result;  // "ok", "failed", "skipped", "warning", "rolled back"
  std::string detail;
};

struct RunResult {
  std::vector<StepResult> steps;
  bool rolled_back = false;
  State state;
  std::vector<std::string> advice;  // printed at the end (kubelet restarts, kubeadm-config command)
};

using StepFn = std::function<void(const StepResult&)>;

// `status` gets the first error (with " (rolled back)" context when it was). `lock` is
// the node's restore lock if the caller took it already (before building the plan).
RunResult Execute(const Plan& plan, std::unique_ptr<Lock> lock, const StepFn& on_step, absl::Status* status);

struct UndoOptions {
  std::string host_root = "/";
  std::string state_file;  // host path; empty: the newest under backup_base
  std::string backup_base = kDefaultBackupBase;
  etcdclient::ConnectionConfig connection;
  std::chrono::seconds wait_timeout{300};
  std::string kubeconfig;
  bool kubeadm_config = true;
};
RunResult Undo(const UndoOptions& opts, const StepFn& on_step, absl::Status* status);

nlohmann::ordered_json RunJson(const RunResult& r, const absl::Status& status);

}  // namespace ketcd::noderestore
