#pragma once
// Copy-on-write patching of a bbolt file, the way a bbolt commit does it: the edited
// top-level buckets get new pages written after the old high-water mark, every ancestor
// on the path to the root is rewritten to point at them, and two new meta pages make the
// new tree current. Untouched subtrees keep their pages; the replaced pages simply become
// unreachable, i.e. free (the meta says "no persisted freelist", like every etcd file).
//
// Used by restore: copy the snapshot's image [0, HWM * pageSize) to the new file, then
//
//   std::vector<bbolt::BucketChange> changes = {
//       {"members", BucketChange::kReplace, {{"8e9e05c52164694d", json}}},
//       {"key", BucketChange::kAppend, {{revision_key, ""}}},
//   };
//   KETCD_ASSIGN_OR_RETURN(bbolt::Patch p, bbolt::PlanPatch(*db, changes));
//   KETCD_RETURN_IF_ERROR(bbolt::WritePatch(fd, p));  // pages, metas, length; no fsync
//
// Layout of the result:
// - a replaced (or created) bucket is rebuilt from its new entries: inline when bbolt's
//   inline rule allows it (single leaf, 16 + sum(16 + |k| + |v|) <= pageSize / 4), else
//   leaves filled to 90% of a page and branch levels above them;
// - an append to a bucket whose root is a branch rewrites only the rightmost leaf (or,
//   when it would overflow the page, adds new leaves after it) and its ancestors; an
//   append to an inline or single-leaf bucket rebuilds it like a replace;
// - the root bucket is rebuilt from its (few) entries with the new bucket values;
// - meta page (txid+1) % 2 gets txid+1, the other one txid; both carry the new root and
//   high-water mark, freelist 0xFFFFFFFFFFFFFFFF, and a correct checksum.
// Only top-level buckets can be edited; an edited bucket must not hold nested buckets.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "pkg/base/status.h"
#include "pkg/bbolt/db.h"
#include "pkg/bbolt/meta.h"

namespace ketcd::bbolt {

struct BucketChange {
  enum Kind { kReplace, kAppend };
  std::string name;
  Kind kind = kReplace;
  // kReplace: the bucket's complete new content; kAppend: entries that sort after the
  // bucket's current last key. Strictly increasing keys, none empty.
  std::vector<std::pair<std::string, std::string>> entries;
  uint64_t sequence = 0;  // for a bucket that does not exist yet; existing ones keep theirs
};

struct Patch {
  Meta meta;               // the new current meta (txid + 1)
  Pgid first_new = 0;      // the old high-water mark: `pages` starts at this page
  std::string pages;       // pages [first_new, meta.pgid)
  std::string meta_pages;  // images of page 0 and page 1 (2 * pageSize bytes)
  uint64_t file_size() const { return meta.pgid * meta.page_size; }
};

// Plans the edits against `db` (read only). InvalidArgument for unsorted entries or an
// append that does not sort after the last key; Unimplemented for nested buckets in an
// edited bucket; DataLoss for corrupt input.
absl::StatusOr<Patch> PlanPatch(const Db& db, const std::vector<BucketChange>& changes);

// Writes the new pages, both metas, and sets the file length to p.file_size() on `fd`,
// which holds a copy of db's image. Does not fsync.
absl::Status WritePatch(int fd, const Patch& p);

// Number of entries of a bucket, from the leaf page headers (no element decoding).
absl::StatusOr<uint64_t> CountEntries(const Db& db, const Bucket& b);

}  // namespace ketcd::bbolt
