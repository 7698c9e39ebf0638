#pragma once
// The retention flags (--keep-last ... --keep-within, --prune-incomplete) that `prune` and
// `backup --prune` share, and what both print about a prune.

#include <cxxopts.hpp>

#include <nlohmann/json.hpp>

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "pkg/base/status.h"
#include "pkg/catalog/prune.h"

namespace ketcd::cmd {

void AddRetentionFlags(cxxopts::Options& options);
// The policy the flags give; InvalidArgument when it keeps nothing (an empty policy).
absl::StatusOr<catalog::Policy> RetentionFlags(const cxxopts::ParseResult& flags);
// "keep-last 2, keep-daily 7"
std::string PolicyText(const catalog::Policy& p);

// The store DEST names: a directory, or s3://BUCKET/PREFIX/ with a client made from the S3
// flags (AddS3Flags: endpoint, credentials, SSE-C key). Warnings go to `err`.
absl::StatusOr<std::unique_ptr<catalog::Store>> OpenDestination(const cxxopts::ParseResult& flags,
                                                                const std::string& dest, bool recursive,
                                                                std::ostream& err);

// Runs `policy` over the catalog of `store`: loads it, plans, removes (or not, when
// `dry_run`) and fills `results`.
absl::Status PruneStore(catalog::Store& store, const catalog::Policy& policy, bool dry_run,
                        std::vector<catalog::PruneResult>& results);

// The table of a prune and the line under it.
void PrintPruneText(std::ostream& out, const std::string& dest, const catalog::Policy& policy, bool dry_run,
                    const std::string& dry_run_why, const std::vector<catalog::PruneResult>& results);
nlohmann::ordered_json PruneJson(const std::string& dest, const catalog::Policy& policy, bool dry_run,
                                 const std::vector<catalog::PruneResult>& results);

// backup --prune: the flags, checked before the backup starts, and the prune of the
// destination directory (or S3 prefix) once the backup has succeeded.
struct BackupPrune {
  bool enabled = false;
  catalog::Policy policy;
};
void AddBackupPruneFlags(cxxopts::Options& options);
absl::StatusOr<BackupPrune> BackupPruneFlags(const cxxopts::ParseResult& flags, const std::string& path);
absl::Status PruneAfterBackup(const BackupPrune& prune, const cxxopts::ParseResult& flags,
                              const std::string& saved_path, std::ostream& out, std::ostream& err);
// Where a backup saved at `path` lives: its directory, or for s3://BUCKET/KEY the prefix up
// to the key's last '/' ("s3://BUCKET/" for a key without one).
std::string DestinationOf(const std::string& path);

}  // namespace ketcd::cmd
