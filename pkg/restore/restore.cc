#include "pkg/restore/restore.h"

#include <sys/stat.h>

#include <cerrno>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "pkg/base/bytes.h"
#include "pkg/base/format.h"
#include "pkg/bbolt/check.h"
#include "pkg/bbolt/db.h"
#include "pkg/bbolt/trailer.h"
#include "pkg/bbolt/writer.h"
#include "pkg/fsutil/atomic_file.h"
#include "pkg/fsutil/file.h"
#include "pkg/restore/backend_edit.h"
#include "pkg/restore/snap_file.h"
#include "pkg/restore/staging_dir.h"
#include "pkg/restore/wal_writer.h"

namespace ketcd::restore {
namespace {

absl::Status Mkdir(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0700) != 0) return fsutil::ErrnoError("create directory", dir, errno);
  return absl::OkStatus();
}

absl::StatusOr<std::optional<std::string>> MetaValue(const bbolt::Db& db, std::string_view key) {
  KETCD_ASSIGN_OR_RETURN(auto meta, db.FindBucket(db.root(), "meta"));
  if (!meta) return std::optional<std::string>();
  KETCD_ASSIGN_OR_RETURN(auto e, db.Find(*meta, key));
  if (!e) return std::optional<std::string>();
  return std::optional<std::string>(std::string(e->value));
}

absl::Status CheckTargets(const RestorePlan& plan) {
  auto empty = fsutil::IsMissingOrEmptyDir(plan.data_dir);
  if (!empty.ok() || !*empty) {
    return absl::FailedPreconditionError(absl::StrCat("data-dir \"", plan.data_dir, "\" not empty or could not be read"));
  }
  if (!plan.wal_dir_is_default && fsutil::PathExists(plan.wal_dir)) {
    return absl::FailedPreconditionError(absl::StrCat("wal-dir \"", plan.wal_dir, "\" exists"));
  }
  return absl::OkStatus();
}

// The WAL dir relative to the data dir when it lies inside it ("" otherwise).
std::string WalInsideDataDir(const RestorePlan& plan) {
  if (plan.wal_dir_is_default) return "member/wal";
  std::string prefix = plan.data_dir;
  while (prefix.size() > 1 && prefix.back() == '/') prefix.pop_back();
  prefix += "/";
  if (absl::StartsWith(plan.wal_dir, prefix) && plan.wal_dir.size() > prefix.size()) {
    return plan.wal_dir.substr(prefix.size());
  }
  return "";
}

absl::Status OpenAndVerifySnapshot(const RestoreOptions& opts, std::unique_ptr<bbolt::Db>* out,
                                   RestoreResult* r) {
  KETCD_ASSIGN_OR_RETURN(std::unique_ptr<bbolt::Db> db, bbolt::Db::Open(opts.snapshot_path));
  bbolt::TrailerCheck t;
  if (bbolt::HasSha256Trailer(db->file_size())) {
    t = bbolt::CheckSha256Trailer(db->data());
    r->sha256 = t.stored_hex;
  }
  if (!opts.skip_hash_check) {
    if (t.state == bbolt::TrailerState::kAbsent) {
      return absl::DataLossError(absl::StrCat(opts.snapshot_path,
                                              ": snapshot missing hash but --skip-hash-check=false"));
    }
    if (t.state == bbolt::TrailerState::kMismatch) {
      return absl::DataLossError(absl::StrCat(opts.snapshot_path, ": expected sha256 ", t.stored_hex, ", got ",
                                              t.computed_hex));
    }
    r->hash_checked = true;
  }
  bbolt::CheckReport report = bbolt::Check(*db);
  if (!report.ok()) {
    return absl::DataLossError(absl::StrCat(opts.snapshot_path, ": integrity check failed (", report.problem_count,
                                            " problems): ", report.problems.empty() ? "" : report.problems[0]));
  }
  r->snapshot_db_size = db->db_size();
  *out = std::move(db);
  return absl::OkStatus();
}

// Reopens the written db: integrity, consistent index, member count.
absl::Status VerifyWrittenDb(const std::string& path, const RestorePlan& plan) {
  KETCD_ASSIGN_OR_RETURN(std::unique_ptr<bbolt::Db> db, bbolt::Db::Open(path));
  bbolt::CheckReport report = bbolt::Check(*db);
  if (!report.ok()) {
    return absl::InternalError(absl::StrCat(path, ": written database fails the integrity check: ",
                                            report.problems.empty() ? "" : report.problems[0]));
  }
  KETCD_ASSIGN_OR_RETURN(auto ci, MetaValue(*db, "consistent_index"));
  if (!ci || ci->size() != 8 || LoadBE64(ci->data()) != plan.members.size()) {
    return absl::InternalError(absl::StrCat(path, ": written database has a wrong meta/consistent_index"));
  }
  KETCD_ASSIGN_OR_RETURN(auto members, db->FindBucket(db->root(), "members"));
  uint64_t n = 0;
  if (members) {
    KETCD_RETURN_IF_ERROR(db->ForEach(*members, [&](const bbolt::Entry&) {
      n++;
      return absl::OkStatus();
    }));
  }
  if (n != plan.members.size()) {
    return absl::InternalError(absl::StrCat(path, ": written database has ", n, " members, want ",
                                            plan.members.size()));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<RestoreResult> Restore(const RestoreOptions& opts, const ProgressFn& progress) {
  RestoreResult r;
  KETCD_ASSIGN_OR_RETURN(r.plan, PlanRestore(opts));
  const RestorePlan& plan = r.plan;
  const std::string wal_rel = WalInsideDataDir(plan);
  KETCD_RETURN_IF_ERROR(CheckTargets(plan));

  std::unique_ptr<bbolt::Db> src;
  KETCD_RETURN_IF_ERROR(OpenAndVerifySnapshot(opts, &src, &r));
  KETCD_ASSIGN_OR_RETURN(auto storage_version, MetaValue(*src, "storageVersion"));
  KETCD_ASSIGN_OR_RETURN(auto term, MetaValue(*src, "term"));
  r.storage_version = storage_version.value_or("");
  r.format_detected = !opts.format.has_value();
  r.format = opts.format ? *opts.format : DetectFormat(r.storage_version, term.has_value());

  // Build the data dir.
  KETCD_ASSIGN_OR_RETURN(std::unique_ptr<StagingDir> data, StagingDir::Create(plan.data_dir, 0700));
  const std::string member = fsutil::JoinPath(data->path(), "member");
  const std::string snap = fsutil::JoinPath(member, "snap");
  KETCD_RETURN_IF_ERROR(Mkdir(member));
  KETCD_RETURN_IF_ERROR(Mkdir(snap));

  const std::string db_path = fsutil::JoinPath(snap, "db");
  {
    KETCD_ASSIGN_OR_RETURN(std::unique_ptr<bbolt::BulkWriter> writer, bbolt::BulkWriter::Create(db_path));
    BulkWriterSink sink(writer.get());
    BackendEditOptions edit;
    edit.members = plan.members;
    edit.consistent_index = plan.members.size();
    edit.term = 1;
    edit.bump_revision = plan.bump_revision;
    edit.go122_json = GoJson122(r.format);
    BackendEditor editor(edit, &sink);
    KETCD_RETURN_IF_ERROR(StreamDb(*src, &editor, progress));
    r.revision = editor.result().latest_main;
    r.bumped_revision = editor.result().bumped_revision;
    r.revisions = editor.result().keys_in;
    r.members_dropped = editor.result().members_dropped;
    r.db_size = sink.file_size();
  }
  src.reset();
  KETCD_RETURN_IF_ERROR(VerifyWrittenDb(db_path, plan));

  SnapFile sf = BuildRestoreSnap(plan, r.format);
  fsutil::AtomicFile::Options snap_opts;
  snap_opts.mode = 0644;
  KETCD_RETURN_IF_ERROR(fsutil::WriteFileAtomically(fsutil::JoinPath(snap, sf.name), sf.content, snap_opts));
  KETCD_RETURN_IF_ERROR(fsutil::FsyncDir(snap));

  const std::string wal = BuildRestoreWal(plan, r.format);
  std::unique_ptr<StagingDir> wal_stage;
  if (!wal_rel.empty()) {
    std::string wal_dir = fsutil::JoinPath(data->path(), wal_rel);
    KETCD_RETURN_IF_ERROR(fsutil::MkdirAll(wal_dir, 0700));
    KETCD_RETURN_IF_ERROR(WriteWalSegment(wal_dir, wal));
    KETCD_RETURN_IF_ERROR(fsutil::FsyncDir(fsutil::Dirname(wal_dir)));
  } else {
    KETCD_ASSIGN_OR_RETURN(wal_stage, StagingDir::Create(plan.wal_dir, 0700));
    KETCD_RETURN_IF_ERROR(WriteWalSegment(wal_stage->path(), wal));
  }
  KETCD_RETURN_IF_ERROR(fsutil::FsyncDir(member));

  if (wal_stage) KETCD_RETURN_IF_ERROR(wal_stage->Commit());
  absl::Status s = data->Commit();
  if (!s.ok()) {
    if (wal_stage) (void)fsutil::RemoveAll(plan.wal_dir);
    return s;
  }
  r.db_path = fsutil::JoinPath(plan.snap_dir, "db");
  r.snap_path = fsutil::JoinPath(plan.snap_dir, sf.name);
  r.wal_path = fsutil::JoinPath(plan.wal_dir, kFirstWalName);
  return r;
}

}  // namespace ketcd::restore
