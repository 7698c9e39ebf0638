// kubectl etcd prune DIR|s3://BUCKET/PREFIX/ --keep-... [--dry-run|--yes]
#include <unistd.h>

#include "cmd/kubectl-etcd/command.h"
#include "cmd/kubectl-etcd/retention_flags.h"
#include "cmd/kubectl-etcd/s3_flags.h"
#include "pkg/cli/output.h"

namespace ketcd::cmd {

constexpr char kPruneHelp[] =
    "Remove the snapshots of a backup directory (or S3 prefix) that a retention policy does not\n"
    "keep, each with its FILE.json. restic's and borg's model: --keep-last N keeps the N newest;\n"
    "--keep-hourly, --keep-daily, --keep-weekly (ISO weeks), --keep-monthly, --keep-yearly N keep the newest\n"
    "snapshot of each of the N most recent hours, days... that have one, in UTC; --keep-within\n"
    "keeps every snapshot taken within that duration before now. A snapshot any rule keeps stays.\n"
    "Only verified snapshots count and are removed; the newest verified snapshot is always kept.\n"
    "Unverified ones (no or bad FILE.json) are never removed; incomplete ones (.part files of\n"
    "killed backups, metadata without its snapshot) only with --prune-incomplete, and a .part a\n"
    "backup is still writing never. At least one --keep-* is required.\n"
    "Under s3://BUCKET/PREFIX/ the objects are deleted (KEY, then KEY.json); --prune-incomplete\n"
    "aborts the multipart uploads listed as KEY.part that are over a day old (younger ones may\n"
    "be a backup still uploading).\n\n"
    "When standard input or output is a terminal, prune only shows what it would do unless\n"
    "--yes is given; otherwise (cron, scripts) it removes. --dry-run always only shows.\n\n"
    "Examples:\n"
    "  kubectl etcd prune /var/backups/etcd --keep-daily 7 --keep-weekly 4 --keep-monthly 6\n"
    "  kubectl etcd prune /var/backups/etcd --keep-last 3 --yes\n"
    "  kubectl etcd prune /var/backups/etcd --keep-within 7d --dry-run -o json\n"
    "  kubectl etcd prune s3://backups/etcd/ --keep-daily 14 --prune-incomplete --yes\n";

void AddPruneFlags(cxxopts::Options& options) {
  AddRetentionFlags(options);
  // clang-format off
  options.add_options()
      ("dry-run", "Only show what would be kept and removed")
      ("yes", "Remove without a dry run on a terminal")
      ("recursive", "Also prune the snapshots in subdirectories or below the S3 prefix (one policy over all of "
       "them)");
  // clang-format on
  AddS3Flags(options);
  AddOutputFlag(options, kTextFormats, "text");
  AddPositional(options, "file", "DIR|s3://BUCKET/PREFIX/");
}

absl::Status RunPrune(Invocation& inv) {
  KETCD_ASSIGN_OR_RETURN(auto parsed, ParseFlags(inv, kPruneHelp, AddPruneFlags));
  if (!parsed) return absl::OkStatus();
  const cxxopts::ParseResult& flags = *parsed;
  KETCD_ASSIGN_OR_RETURN(std::string format, OutputFormat(flags, kTextFormats));
  std::vector<std::string> dirs = PositionalFiles(flags);
  if (dirs.size() != 1) return absl::InvalidArgumentError("prune takes one DIR: kubectl etcd prune DIR --keep-...");
  KETCD_ASSIGN_OR_RETURN(catalog::Policy policy, RetentionFlags(flags));
  if (flags.count("dry-run") && flags.count("yes")) {
    return absl::InvalidArgumentError("--dry-run and --yes contradict each other");
  }
  bool on_terminal = ::isatty(STDIN_FILENO) == 1 || ::isatty(STDOUT_FILENO) == 1;
  bool dry_run = flags.count("dry-run") > 0 || (on_terminal && !flags.count("yes"));
  std::string why = flags.count("dry-run") ? "" : " (on a terminal without --yes)";

  KETCD_ASSIGN_OR_RETURN(auto store, OpenDestination(flags, dirs[0], flags.count("recursive") > 0, inv.err));
  std::vector<catalog::PruneResult> results;
  absl::Status pruned = PruneStore(*store, policy, dry_run, results);
  if (!pruned.ok() && results.empty()) return pruned;
  cli::PrintResult(inv.out, format, PruneJson(dirs[0], policy, dry_run, results),
                   [&] { PrintPruneText(inv.out, dirs[0], policy, dry_run, why, results); });
  return pruned;
}

}  // namespace ketcd::cmd
