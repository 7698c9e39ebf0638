#include "pkg/catalog/prune.h"

#include "absl/strings/str_cat.h"

namespace ketcd::catalog {

const char* OutcomeName(Outcome o) {
  switch (o) {
    case Outcome::kKept:
      return "kept";
    case Outcome::kRemoved:
      return "removed";
    case Outcome::kWouldRemove:
      return "would-remove";
    case Outcome::kBusy:
      return "busy";
    case Outcome::kFailed:
      return "failed";
  }
  return "?";
}

absl::Status Prune(Store& store, const std::vector<Decision>& plan, bool dry_run, std::vector<PruneResult>& results) {
  bool any_verified = false, keeps_verified = false;
  for (const Decision& d : plan) {
    any_verified |= d.snapshot.verified();
    keeps_verified |= d.snapshot.verified() && d.keep;
  }
  if (any_verified && !keeps_verified) {
    return absl::FailedPreconditionError("refusing a plan that removes every verified snapshot");
  }
  results.clear();
  absl::Status first_error;
  bool removed_any = false;
  for (const Decision& d : plan) {
    PruneResult r;
    r.decision = d;
    if (d.keep) {
      r.outcome = Outcome::kKept;
    } else if (dry_run) {
      r.outcome = Outcome::kWouldRemove;
    } else {
      absl::Status s = store.Remove(d.snapshot.name);
      if (s.ok() && !d.snapshot.metadata_name.empty()) s = store.Remove(d.snapshot.metadata_name);
      removed_any |= s.ok();
      if (s.ok()) {
        r.outcome = Outcome::kRemoved;
      } else if (absl::IsAlreadyExists(s)) {
        r.outcome = Outcome::kBusy;  // a backup holds its lock
        r.error = std::string(s.message());
      } else {
        r.outcome = Outcome::kFailed;
        r.error = std::string(s.message());
        if (first_error.ok()) first_error = s;
      }
    }
    results.push_back(std::move(r));
  }
  if (removed_any || !first_error.ok()) {
    absl::Status synced = store.Sync();
    if (first_error.ok()) first_error = synced;
  }
  return first_error;
}

}  // namespace ketcd::catalog
