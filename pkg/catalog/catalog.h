#pragma once
// The backups in a Store: each snapshot file (`*.db`, `*.db.zst`, `*.db.age`,
// `*.db.zst.age`) with what its FILE.json says, the leftovers of interrupted backups
// (`*.part`) and metadata whose snapshot is gone. Other files are not part of it.
//
// A snapshot is *verified* when its FILE.json parses, carries a sha256, and the file on
// disk has the size the metadata records: backup writes FILE.json only after the SHA-256
// of the received stream matched etcd's, so such a file is one that passed that check and
// has not been cut short since. Anything else complete is *unverified* (copied in by hand,
// `backup -` redirected to a file, metadata lost or damaged, a size that changed).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pkg/base/status.h"
#include "pkg/catalog/store.h"

namespace ketcd::catalog {

enum class State { kVerified, kUnverified, kIncomplete };
const char* StateName(State s);  // "verified", "unverified", "incomplete"

enum class TimeSource { kMetadata, kModified };  // createdAt of FILE.json, or the file's mtime

struct Snapshot {
  std::string name;           // of the snapshot (or leftover) in the store
  std::string metadata_name;  // "<name>.json" when it exists, else ""
  State state = State::kUnverified;
  std::string problem;  // why unverified or incomplete, for people
  int64_t time = 0;     // unix seconds, UTC
  TimeSource time_source = TimeSource::kModified;
  uint64_t file_size = 0;                 // bytes on disk (0 for metadata without its snapshot)
  std::optional<uint64_t> snapshot_size;  // of the plain snapshot (metadata)
  std::optional<int64_t> revision;        // metadata: only plain snapshots record it
  std::string sha256, cluster_id, member_name, etcd_version;
  bool compressed = false;  // zstd: first bytes, else FILE.json, else the name
  bool encrypted = false;   // age: first bytes, else the name

  bool verified() const { return state == State::kVerified; }
};

// What a name in a store is.
enum class NameKind {
  kSnapshot,  // ends in .db, .db.zst, .db.age or .db.zst.age
  kPartial,   // a snapshot name + ".part": a backup being written, or killed
  kMetadata,  // a snapshot name + ".json"
  kOther,
};
NameKind KindOfName(const std::string& name);

// Reads the catalog of `store`, newest first (ties by name, descending). A metadata or
// snapshot file that cannot be read makes its snapshot unverified (with the reason in
// `problem`), not the listing fail; only a failing List() does.
absl::StatusOr<std::vector<Snapshot>> LoadCatalog(Store& store);

}  // namespace ketcd::catalog
