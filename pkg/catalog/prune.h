#pragma once
// Carrying out a retention plan on a store: each snapshot to remove goes first, then its
// FILE.json (a crash in between leaves metadata without its snapshot, which the catalog
// lists as incomplete), and the store is synced at the end (the directory's fsync).

#include <string>
#include <vector>

#include "pkg/base/status.h"
#include "pkg/catalog/retention.h"
#include "pkg/catalog/store.h"

namespace ketcd::catalog {

enum class Outcome {
  kKept,
  kRemoved,
  kWouldRemove,  // dry run
  kBusy,         // a backup is still writing it: left alone
  kFailed,       // see `error`
};
const char* OutcomeName(Outcome o);  // "kept", "removed", "would-remove", "busy", "failed"

struct PruneResult {
  Decision decision;
  Outcome outcome = Outcome::kKept;
  std::string error;  // kFailed, kBusy
};

// Removes what `plan` does not keep, or only reports it when `dry_run`. Refuses
// (FailedPrecondition, nothing removed) a plan that keeps no verified snapshot while the
// catalog has one. A removal that fails does not stop the others: the results say which,
// and the returned status is the first failure (or the sync's).
absl::Status Prune(Store& store, const std::vector<Decision>& plan, bool dry_run, std::vector<PruneResult>& results);

}  // namespace ketcd::catalog
