#pragma once
// Rewriting a database with edits: streams every top-level bucket of `src`, in order,
// into a BulkWriter, applying per-bucket overrides on the fly. This is what restore uses:
//
//   bbolt::CopyEdits edits;
//   edits["members"].replace = true;                       // drop old entries...
//   edits["members"].set = {{"8e9e05c52164694d", json}};   // ...and write these
//   edits["members_removed"].replace = true;
//   edits["meta"].set["consistent_index"] = BigEndian64(n);
//   edits["meta"].set["term"] = BigEndian64(1);
//   edits["key"].set[revision_key] = "";                    // revision bump
//   KETCD_ASSIGN_OR_RETURN(auto w, bbolt::BulkWriter::Create(path));
//   KETCD_RETURN_IF_ERROR(bbolt::CopyDb(*db, edits, *w));
//   KETCD_RETURN_IF_ERROR(w->Finish().status());
//
// A bucket named in the edits but absent from `src` is created (with its `set` entries).
// Bucket sequences are preserved. Fails with Unimplemented if `src` has nested buckets or
// plain keys at the top level (etcd never writes either), DataLoss on corrupt input.

#include <map>
#include <set>
#include <string>

#include "pkg/bbolt/db.h"
#include "pkg/bbolt/writer.h"

namespace ketcd::bbolt {

struct BucketEdit {
  bool replace = false;                   // ignore the source bucket's entries
  std::map<std::string, std::string> set;  // put (insert or overwrite)
  std::set<std::string> erase;            // delete if present
  bool drop_bucket = false;               // leave the bucket out entirely
};
using CopyEdits = std::map<std::string, BucketEdit>;

// Writes buckets and keys only; the caller calls Finish().
absl::Status CopyDb(const Db& src, const CopyEdits& edits, BulkWriter& dst);

}  // namespace ketcd::bbolt
