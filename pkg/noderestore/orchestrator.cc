#include "pkg/noderestore/orchestrator.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "pkg/discovery/discovery.h"
#include "pkg/fsutil/file.h"
#include "pkg/noderestore/steps.h"

namespace ketcd::noderestore {
namespace {

class Runner {
 public:
  Runner(RunContext& ctx, RunResult& result, const StepFn& on_step) : c_(ctx), r_(result), on_step_(on_step) {}

  void Report(const std::string& name, StepOutcome outcome, const std::string& detail) {
    StepResult sr{name, outcome, detail};
    r_.steps.push_back(sr);
    if (on_step_) on_step_(sr);
  }

  absl::Status Save() { return SaveJournal(c_.ops, c_.host_root, c_.journal); }

  // Runs the steps from index `from` on; rolls back on the first failure of a change.
  absl::Status Forward(int from) {
    auto steps = Steps();
    for (int i = from; i < static_cast<int>(steps.size()); i++) {
      const StepDef& s = steps[i];
      if (!s.applies(c_.journal)) continue;
      std::string name = s.describe(c_.journal);
      c_.journal.phase = Phase::kRunning;
      c_.journal.step = s.key;
      absl::Status st = Save();  // before the action: a kill from here on finds this step
      if (st.ok() && c_.ops.Interrupted()) st = absl::CancelledError("interrupted");
      absl::StatusOr<std::string> done = st.ok() ? s.action(c_) : absl::StatusOr<std::string>(st);
      if (done.ok()) {
        Report(name, StepOutcome::kOk, *done);
        continue;
      }
      if (s.kind == StepKind::kFollowUp && !absl::IsCancelled(done.status())) {
        Report(name, StepOutcome::kWarning, std::string(done.status().message()));
        continue;
      }
      Report(name, StepOutcome::kFailed, std::string(done.status().message()));
      return RollBack(i, done.status());
    }
    c_.journal.phase = Phase::kDone;
    c_.journal.step.clear();
    absl::Status saved = Save();
    if (!saved.ok()) {
      Report("record the run as done", StepOutcome::kWarning, std::string(saved.message()));
    }
    return absl::OkStatus();
  }

  absl::Status RollBack(int from, const absl::Status& cause) {
    c_.journal.phase = Phase::kRollingBack;
    c_.journal.undo_next = from;
    c_.journal.error = std::string(cause.message());
    absl::Status undone = Backward();
    r_.rolled_back = undone.ok();
    std::string how = undone.ok()
                          ? absl::StrCat("rolled back: the original ", fsutil::Basename(c_.journal.definition_file),
                                         " and the control plane are in place again, etcd serves ",
                                         c_.journal.old_data_dir)
                          : absl::StrCat("ROLLBACK INCOMPLETE (", undone.message(),
                                         "): finish it with `kubectl etcd restore --undo`");
    return absl::Status(cause.code(), absl::StrCat(cause.message(), " (", how, ")"));
  }

  // Runs the undo actions from journal.undo_next back to the first step; each is recorded
  // before it acts. Returns the first failure; the other undo actions still run.
  absl::Status Backward() {
    c_.ops.IgnoreInterrupts(true);
    auto steps = Steps();
    absl::Status first;
    int retry_from = -1;  // the first undo action that failed: a later `--undo` starts there
    for (int i = std::min<int>(c_.journal.undo_next, static_cast<int>(steps.size()) - 1); i >= 0; i--) {
      const StepDef& s = steps[i];
      if (!s.applies(c_.journal) || s.undo == nullptr) continue;
      c_.journal.undo_next = i;
      absl::Status saved = Save();
      std::string name = "undo: " + s.describe_undo(c_.journal);
      absl::StatusOr<std::string> done = saved.ok() ? s.undo(c_) : absl::StatusOr<std::string>(saved);
      if (!done.ok() && s.kind == StepKind::kFollowUp) {
        Report(name, StepOutcome::kWarning, std::string(done.status().message()));
        continue;
      }
      Report(name, done.ok() ? StepOutcome::kRolledBack : StepOutcome::kRollbackFailed,
             done.ok() ? *done : std::string(done.status().message()));
      if (!done.ok() && first.ok()) {
        first = done.status();
        retry_from = i;
      }
    }
    c_.journal.undo_next = retry_from;
    if (first.ok()) {
      c_.journal.phase = c_.journal.phase == Phase::kUndoing ? Phase::kUndone : Phase::kRolledBack;
      first = Save();
    } else {
      Save().IgnoreError();  // stays rolling back / undoing: `--undo` runs the rest again
    }
    return first;
  }

 private:
  RunContext& c_;
  RunResult& r_;
  const StepFn& on_step_;
};

std::string Base(const RecoverOptions& o) { return discovery::UnderRoot(o.host_root, o.backup_base); }

std::string RunListHint() { return "`kubectl etcd restore --list-runs` lists the runs on this node"; }

// The run to resume or undo (the named one or the newest) into r->journal; false with
// `status` set when there is none or it cannot be read.
bool PickRun(NodeOps& ops, const RecoverOptions& o, RunResult* r, bool* newest, absl::Status* status) {
  std::vector<RunEntry> runs = ListRuns(ops, Base(o));
  *status = runs.empty() ? absl::NotFoundError(absl::StrCat("no restore has run on this node (", Base(o), ")"))
                         : absl::NotFoundError(absl::StrCat("no run ", o.run_id, " under ", Base(o), "; ",
                                                            RunListHint()));
  for (size_t i = 0; i < runs.size(); i++) {
    if (!o.run_id.empty() && runs[i].id != o.run_id) continue;
    *newest = i == 0;
    *status = runs[i].journal.status();
    if (!status->ok()) return false;
    r->journal = *runs[i].journal;
    return true;
  }
  return false;
}

void Finish(RunContext& ctx, RunResult& r) {
  r.journal = ctx.journal;
  r.advice.insert(r.advice.end(), ctx.advice.begin(), ctx.advice.end());
}

}  // namespace

const char* OutcomeName(StepOutcome outcome) {
  switch (outcome) {
    case StepOutcome::kOk: return "ok";
    case StepOutcome::kFailed: return "failed";
    case StepOutcome::kWarning: return "warning";
    case StepOutcome::kRolledBack: return "rolled back";
    case StepOutcome::kRollbackFailed: return "rollback failed";
  }
  return "unknown";
}

RunResult Execute(const Plan& plan, NodeOps& ops, const StepFn& on_step, absl::Status* status) {
  RunResult r;
  Journal j = plan.journal;
  j.phase = Phase::kRunning;
  for (const StepDef& s : Steps()) {
    if (s.applies(j)) {
      j.step = s.key;  // what a resume starts with if the run is killed before it acts
      break;
    }
  }
  RunContext ctx{ops, j, plan.opts.host_root, plan.opts.wait_timeout, {}};
  Runner run(ctx, r, on_step);
  // The backup dir with both versions of the definition file, then the journal: nothing
  // on the node has changed before the journal exists.
  absl::Status s = ops.MakeDirs(ctx.Host(plan.opts.backup_base), 0700);
  if (s.ok()) s = ops.MakeDir(ctx.Host(j.backup_dir), 0700);
  if (s.ok()) s = WriteDurably(ops, ctx.Host(j.definition_original), plan.original_text, 0600);
  if (s.ok() && j.layout != Layout::kRke2) {
    s = WriteDurably(ops, ctx.Host(j.definition_patched), plan.patched_text, 0600);
  }
  if (s.ok()) s = run.Save();
  run.Report(absl::StrCat("back up ", plan.definition_file, " into ", ctx.Host(j.backup_dir)),
             s.ok() ? StepOutcome::kOk : StepOutcome::kFailed, s.ok() ? "" : std::string(s.message()));
  if (!s.ok()) {
    // Nothing on the node changed: a journal that made it to disk must not ask for a resume.
    std::string journal = JournalPath(ctx.host_root, j);
    if (ops.Exists(journal)) RemoveDurably(ops, journal).IgnoreError();  // if it stays, --undo clears it
    *status = s;
    Finish(ctx, r);
    return r;
  }
  if (j.layout == Layout::kRke2) {
    r.advice.push_back("RKE2 rewrites etcd.yaml and its config on every start, so patching them does not last. "
                       "Use RKE2's own procedure:");
    r.advice.push_back("  on every server:   systemctl stop rke2-server");
    r.advice.push_back(absl::StrCat("  on this server:    rke2 server --cluster-reset --cluster-reset-restore-path=",
                                    plan.snapshot));
    r.advice.push_back("                     systemctl start rke2-server");
    r.advice.push_back("  on the others:     rm -rf /var/lib/rancher/rke2/server/db; systemctl start rke2-server");
  }
  *status = run.Forward(0);
  Finish(ctx, r);
  if (status->ok() && j.layout != Layout::kRke2) {
    r.advice.push_back(absl::StrCat(
        "Restart the kubelet on every node (systemctl restart kubelet) so that none keeps state newer than the "
        "snapshot", j.restart_kubelet ? "; done here." : "."));
    r.advice.push_back(absl::StrCat("The old data is still in ", j.old_data_dir,
                                    "; `kubectl etcd restore --undo` goes back to it."));
  }
  return r;
}

RunResult Resume(const RecoverOptions& o, NodeOps& ops, const StepFn& on_step, absl::Status* status) {
  RunResult r;
  bool newest = false;
  if (!PickRun(ops, o, &r, &newest, status)) return r;
  Journal j = r.journal;
  if (!newest) {
    *status = absl::FailedPreconditionError(absl::StrCat("run ", j.run_id, " is not the newest: only the newest "
                                                         "run can be resumed"));
    return r;
  }
  if (j.phase != Phase::kRunning) {
    *status = absl::FailedPreconditionError(
        j.phase == Phase::kDone
            ? absl::StrCat("run ", j.run_id, " finished: nothing to resume")
            : Unfinished(j.phase)
                  ? absl::StrCat("run ", j.run_id, " was being rolled back (", PhaseName(j.phase),
                                 "): finish that with `kubectl etcd restore --undo`")
                  : absl::StrCat("run ", j.run_id, " was ", PhaseName(j.phase), ": nothing to resume"));
    return r;
  }
  int from = StepIndex(j.step);
  if (from < 0) {
    *status = absl::DataLossError(absl::StrCat("run ", j.run_id, " names an unknown step \"", j.step, "\""));
    return r;
  }
  RunContext ctx{ops, j, o.host_root, o.wait_timeout, {}};
  Runner run(ctx, r, on_step);
  run.Report(absl::StrCat("resume run ", j.run_id), StepOutcome::kOk, absl::StrCat("from step ", j.step));
  *status = run.Forward(from);
  Finish(ctx, r);
  return r;
}

RunResult Undo(const RecoverOptions& o, NodeOps& ops, const StepFn& on_step, absl::Status* status) {
  RunResult r;
  bool newest = false;
  if (!PickRun(ops, o, &r, &newest, status)) return r;
  Journal j = r.journal;
  if (!newest) {
    std::vector<RunEntry> runs = ListRuns(ops, Base(o));
    if (runs.front().journal.ok() && Unfinished(runs.front().journal->phase)) {
      *status = absl::FailedPreconditionError(absl::StrCat(
          "the newest run ", runs.front().id, " is unfinished: resume or undo it before going back further"));
      return r;
    }
  }
  switch (j.phase) {
    case Phase::kRolledBack:
    case Phase::kUndone:
      *status = absl::FailedPreconditionError(absl::StrCat(
          "run ", j.run_id, " was ", PhaseName(j.phase), " already: etcd runs on the data from before it. To go "
          "back further, name an older run: --undo RUN-ID; ", RunListHint()));
      return r;
    case Phase::kRunning: {
      int at = StepIndex(j.step);
      j.undo_next = at < 0 ? static_cast<int>(Steps().size()) - 1 : at;
      j.phase = Phase::kUndoing;
      break;
    }
    case Phase::kDone:
      j.undo_next = static_cast<int>(Steps().size()) - 1;
      j.phase = Phase::kUndoing;
      break;
    case Phase::kRollingBack:
    case Phase::kUndoing:
      break;  // killed while going back: go on from where it was
  }
  RunContext ctx{ops, j, o.host_root, o.wait_timeout, {}};
  Runner run(ctx, r, on_step);
  run.Report(absl::StrCat("undo run ", j.run_id), StepOutcome::kOk,
             absl::StrCat("back to ", j.definition_file, " from before it (data dir ", j.old_data_dir, ")"));
  *status = run.Backward();
  r.rolled_back = status->ok();
  Finish(ctx, r);
  if (status->ok()) {
    r.advice.push_back(absl::StrCat("The restored data stays in ", j.new_data_dir,
                                    "; remove it when no longer needed."));
  }
  return r;
}

absl::Status CheckNoUnfinishedRun(NodeOps& ops, const std::string& host_root, const std::string& backup_base) {
  std::vector<RunEntry> runs = ListRuns(ops, discovery::UnderRoot(host_root, backup_base));
  if (runs.empty() || !runs.front().journal.ok() || !Unfinished(runs.front().journal->phase)) {
    return absl::OkStatus();
  }
  const Journal& j = *runs.front().journal;
  return absl::FailedPreconditionError(absl::StrCat(
      "an earlier restore (run ", j.run_id, ") did not finish: it stopped ",
      j.phase == Phase::kRunning ? absl::StrCat("at step ", j.step) : std::string("while rolling back"),
      ". Run `kubectl etcd restore --resume` to finish it or `kubectl etcd restore --undo` to roll it back"));
}

nlohmann::ordered_json RunJson(const RunResult& r, const absl::Status& status) {
  nlohmann::ordered_json j;
  j["ok"] = status.ok();
  if (!status.ok()) j["error"] = std::string(status.message());
  j["runID"] = r.journal.run_id;
  j["rolledBack"] = r.rolled_back;
  nlohmann::ordered_json steps = nlohmann::ordered_json::array();
  for (const auto& s : r.steps) {
    steps.push_back({{"step", s.name}, {"result", OutcomeName(s.outcome)}, {"detail", s.detail}});
  }
  j["steps"] = steps;
  j["backupDir"] = r.journal.backup_dir;
  j["newDataDir"] = r.journal.new_data_dir;
  j["oldDataDir"] = r.journal.old_data_dir;
  j["phase"] = PhaseName(r.journal.phase);
  j["advice"] = r.advice;
  return j;
}

nlohmann::ordered_json RunListJson(const std::vector<RunEntry>& runs) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const RunEntry& e : runs) {
    nlohmann::ordered_json item;
    item["runID"] = e.id;
    item["stateFile"] = e.path;
    if (!e.journal.ok()) {
      item["error"] = std::string(e.journal.status().message());
    } else {
      item["phase"] = PhaseName(e.journal->phase);
      item["step"] = e.journal->step;
      item["layout"] = LayoutName(e.journal->layout);
      item["snapshot"] = e.journal->snapshot;
      item["oldDataDir"] = e.journal->old_data_dir;
      item["newDataDir"] = e.journal->new_data_dir;
    }
    list.push_back(item);
  }
  return list;
}

std::string RunListText(const std::vector<RunEntry>& runs) {
  if (runs.empty()) return "No restore has run on this node.\n";
  std::string t = "RUN ID             PHASE          OLD DATA DIR -> NEW DATA DIR\n";
  for (const RunEntry& e : runs) {
    if (!e.journal.ok()) {
      absl::StrAppend(&t, e.id, "  (unreadable: ", e.journal.status().message(), ")\n");
      continue;
    }
    std::string phase = PhaseName(e.journal->phase);
    if (e.journal->phase == Phase::kRunning) phase = "stopped at " + e.journal->step;
    absl::StrAppend(&t, e.id, "   ", phase, std::string(phase.size() < 15 ? 15 - phase.size() : 1, ' '),
                    e.journal->old_data_dir, " -> ", e.journal->new_data_dir, "\n");
  }
  return t;
}

}  // namespace ketcd::noderestore
