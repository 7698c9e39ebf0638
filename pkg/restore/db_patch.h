#pragma once
// The restore's database edits (backend_edit.h) as copy-on-write bucket changes on a copy
// of the snapshot (pkg/bbolt/patch.h), instead of a rewrite of every page.
//
// BackendEditor itself decides the content: it is fed the snapshot's top-level buckets
// with the entries of members, members_removed and meta, and only the last entry of
// `key` (its latest revision; keys are big-endian revisions, so the last one is the
// largest); every other bucket is passed through empty and its output ignored, since the
// editor leaves such buckets untouched. What comes out becomes:
//   - members, members_removed, meta: replaced with the editor's content;
//   - key (with a revision bump): the new revision appended after the last key;
//   - schema buckets missing from the snapshot: created.

#include <vector>

#include "pkg/base/status.h"
#include "pkg/bbolt/db.h"
#include "pkg/bbolt/patch.h"
#include "pkg/restore/backend_edit.h"

namespace ketcd::restore {

struct DbChanges {
  std::vector<bbolt::BucketChange> changes;
  // As from a full stream, except keys_in (0 or 1 here: count the `key` bucket separately).
  BackendEditResult result;
};

// Unimplemented when the snapshot has top-level plain keys or nested buckets in an edited
// bucket (not an etcd database), like StreamDb.
absl::StatusOr<DbChanges> PlanDbChanges(const bbolt::Db& db, const BackendEditOptions& opts);

}  // namespace ketcd::restore
