#include "pkg/catalog/catalog.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "pkg/catalog/metadata.h"
#include "pkg/stream/stream.h"

namespace ketcd::catalog {
namespace {

constexpr const char* kSnapshotSuffixes[] = {".db", ".db.zst", ".db.age", ".db.zst.age"};
constexpr char kPartSuffix[] = ".part";
constexpr char kMetadataSuffix[] = ".json";

bool EndsWith(std::string_view s, std::string_view suffix) { return s.ends_with(suffix); }

bool IsSnapshotName(std::string_view name) {
  std::string_view base = name.substr(name.find_last_of('/') + 1);
  for (const char* suffix : kSnapshotSuffixes) {
    if (EndsWith(base, suffix) && base.size() > std::string_view(suffix).size()) return true;
  }
  return false;
}

std::string_view StripSuffix(std::string_view name, std::string_view suffix) {
  return name.substr(0, name.size() - suffix.size());
}

// What the name says, for files whose first bytes are not there to read yet.
void SealFromName(std::string_view name, Snapshot& s) {
  if (EndsWith(name, kPartSuffix)) name = StripSuffix(name, kPartSuffix);
  s.encrypted = EndsWith(name, ".age");
  s.compressed = EndsWith(name, ".zst") || EndsWith(name, ".zst.age");
}

// Reads and parses `metadata_name`; the error says which file.
absl::StatusOr<Metadata> LoadMetadata(Store& store, const std::string& metadata_name) {
  auto text = store.ReadSmall(metadata_name, kMaxMetadataBytes + 1);
  if (!text.ok()) return text.status();
  auto m = ParseMetadata(*text);
  if (!m.ok()) return absl::Status(m.status().code(), absl::StrCat(metadata_name, ": ", m.status().message()));
  return m;
}

void ApplyMetadata(const Metadata& m, Snapshot& s) {
  s.snapshot_size = m.size;
  s.revision = m.revision;
  s.sha256 = m.sha256;
  s.cluster_id = m.cluster_id;
  s.member_name = m.member_name;
  s.etcd_version = m.etcd_version;
  if (m.created_at) {
    s.time = *m.created_at;
    s.time_source = TimeSource::kMetadata;
  }
}

Snapshot CompleteSnapshot(Store& store, const StoreEntry& e, bool has_metadata) {
  Snapshot s;
  s.name = e.name;
  s.time = e.modified;
  s.file_size = e.size;
  SealFromName(e.name, s);
  std::optional<Metadata> meta;
  if (has_metadata) {
    s.metadata_name = e.name + kMetadataSuffix;
    auto m = LoadMetadata(store, s.metadata_name);
    if (m.ok()) {
      meta = *m;
      ApplyMetadata(*meta, s);
    } else {
      s.problem = std::string(m.status().message());
    }
  } else {
    s.problem = absl::StrCat("no ", e.name, kMetadataSuffix);
  }
  // The first bytes decide over the name, as status and restore read the file.
  auto head = store.ReadSmall(e.name, stream::kSniffBytes);
  if (head.ok() && !head->empty()) {
    stream::Format f = stream::Sniff(*head);
    s.encrypted = f == stream::Format::kAge;
    // Inside age only FILE.json (else the name) tells whether it was compressed first.
    bool said_zstd = meta && !meta->compression.empty() ? meta->compression == "zstd" : EndsWith(e.name, ".zst.age");
    s.compressed = f == stream::Format::kZstd || (s.encrypted && said_zstd);
  } else if (!head.ok() && s.problem.empty()) {
    s.problem = std::string(head.status().message());
  }
  if (!s.problem.empty()) return s;
  std::optional<uint64_t> want = meta->ExpectedFileSize();
  if (meta->sha256.empty()) {
    s.problem = absl::StrCat(s.metadata_name, " records no sha256");
  } else if (!want) {
    s.problem = absl::StrCat(s.metadata_name, " records no size");
  } else if (*want != e.size) {
    s.problem = absl::StrCat("the file has ", e.size, " bytes, ", s.metadata_name, " says ", *want);
  } else {
    s.state = State::kVerified;
  }
  return s;
}

Snapshot Leftover(const StoreEntry& e, std::string problem) {
  Snapshot s;
  s.name = e.name;
  s.state = State::kIncomplete;
  s.problem = std::move(problem);
  s.time = e.modified;
  s.file_size = e.size;
  SealFromName(e.name, s);
  return s;
}

}  // namespace

const char* StateName(State s) {
  switch (s) {
    case State::kVerified:
      return "verified";
    case State::kUnverified:
      return "unverified";
    case State::kIncomplete:
      return "incomplete";
  }
  return "unknown";
}

NameKind KindOfName(const std::string& name) {
  if (IsSnapshotName(name)) return NameKind::kSnapshot;
  if (EndsWith(name, kPartSuffix) && IsSnapshotName(StripSuffix(name, kPartSuffix))) return NameKind::kPartial;
  if (EndsWith(name, kMetadataSuffix) && IsSnapshotName(StripSuffix(name, kMetadataSuffix))) {
    return NameKind::kMetadata;
  }
  return NameKind::kOther;
}

absl::StatusOr<std::vector<Snapshot>> LoadCatalog(Store& store) {
  KETCD_ASSIGN_OR_RETURN(std::vector<StoreEntry> entries, store.List());
  std::map<std::string, const StoreEntry*> by_name;
  for (const auto& e : entries) by_name[e.name] = &e;
  std::vector<Snapshot> out;
  for (const auto& [name, e] : by_name) {
    switch (KindOfName(name)) {
      case NameKind::kSnapshot:
        out.push_back(CompleteSnapshot(store, *e, by_name.count(name + kMetadataSuffix) > 0));
        break;
      case NameKind::kPartial:
        out.push_back(Leftover(*e, "left by a backup that was killed, or one still writing it"));
        break;
      case NameKind::kMetadata: {
        std::string snapshot(StripSuffix(name, kMetadataSuffix));
        if (by_name.count(snapshot) || by_name.count(snapshot + kPartSuffix)) break;
        out.push_back(Leftover(*e, "metadata without its snapshot"));
        out.back().compressed = out.back().encrypted = false;
        break;
      }
      case NameKind::kOther:
        break;
    }
  }
  std::sort(out.begin(), out.end(),
            [](const Snapshot& a, const Snapshot& b) { return a.time != b.time ? a.time > b.time : a.name > b.name; });
  return out;
}

}  // namespace ketcd::catalog
