#include "cmd/kubectl-etcd/retention_flags.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cmd/kubectl-etcd/s3_flags.h"
#include "pkg/base/format.h"
#include "pkg/catalog/store.h"
#include "pkg/cli/output.h"
#include "pkg/fsutil/file.h"
#include "pkg/s3/url.h"

namespace ketcd::cmd {
namespace {

constexpr catalog::Rule kAllRules[] = {catalog::Rule::kLast,   catalog::Rule::kHourly,  catalog::Rule::kDaily,
                                       catalog::Rule::kWeekly, catalog::Rule::kMonthly, catalog::Rule::kYearly};

int& CountOf(catalog::Policy& p, catalog::Rule r) {
  switch (r) {
    case catalog::Rule::kLast:
      return p.last;
    case catalog::Rule::kHourly:
      return p.hourly;
    case catalog::Rule::kDaily:
      return p.daily;
    case catalog::Rule::kWeekly:
      return p.weekly;
    case catalog::Rule::kMonthly:
      return p.monthly;
    case catalog::Rule::kYearly:
      break;
  }
  return p.yearly;
}

std::string Reasons(const catalog::Decision& d) {
  std::vector<std::string> out;
  for (const auto& r : d.reasons) out.push_back(r.Text());
  return absl::StrJoin(out, ", ");
}

uint64_t Bytes(const std::vector<catalog::PruneResult>& results, catalog::Outcome outcome, int& count) {
  uint64_t total = 0;
  count = 0;
  for (const auto& r : results) {
    if (r.outcome != outcome) continue;
    total += r.decision.snapshot.file_size;
    count++;
  }
  return total;
}

}  // namespace

void AddRetentionFlags(cxxopts::Options& options) {
  // clang-format off
  options.add_options("Retention")
      ("keep-last", "Keep the N newest snapshots", cxxopts::value<int>())
      ("keep-hourly", "Keep the newest snapshot of each of the last N hours that have one (UTC)", cxxopts::value<int>())
      ("keep-daily", "Keep the newest snapshot of each of the last N days that have one (UTC)", cxxopts::value<int>())
      ("keep-weekly", "Keep the newest snapshot of each of the last N ISO weeks that have one (UTC)",
       cxxopts::value<int>())
      ("keep-monthly", "Keep the newest snapshot of each of the last N months that have one (UTC)",
       cxxopts::value<int>())
      ("keep-yearly", "Keep the newest snapshot of each of the last N years that have one (UTC)", cxxopts::value<int>())
      ("keep-within", "Keep every snapshot taken within this duration before now (30m, 36h, 7d, 2w, 1d12h)",
       cxxopts::value<std::string>())
      ("prune-incomplete", "Also remove .part files of killed backups and metadata without its snapshot");
  // clang-format on
}

absl::StatusOr<catalog::Policy> RetentionFlags(const cxxopts::ParseResult& flags) {
  catalog::Policy p;
  for (catalog::Rule r : kAllRules) {
    std::string flag = absl::StrCat("keep-", catalog::RuleName(r));
    if (!flags.count(flag)) continue;
    int n = flags[flag].as<int>();
    if (n < 1) return absl::InvalidArgumentError(absl::StrCat("--", flag, " must be at least 1"));
    CountOf(p, r) = n;
  }
  if (flags.count("keep-within")) {
    KETCD_ASSIGN_OR_RETURN(p.within_seconds, catalog::ParseDuration(flags["keep-within"].as<std::string>()));
  }
  p.prune_incomplete = flags.count("prune-incomplete") > 0;
  if (p.Empty()) {
    return absl::InvalidArgumentError(
        "no retention policy: pass at least one of --keep-last, --keep-hourly, --keep-daily, --keep-weekly, "
        "--keep-monthly, --keep-yearly, --keep-within (nothing is removed without one)");
  }
  return p;
}

std::string PolicyText(const catalog::Policy& p) {
  std::vector<std::string> parts;
  for (catalog::Rule r : kAllRules) {
    if (p.Count(r) > 0) parts.push_back(absl::StrCat("keep-", catalog::RuleName(r), " ", p.Count(r)));
  }
  if (p.within_seconds > 0) parts.push_back(absl::StrCat("keep-within ", p.within_seconds, "s"));
  if (p.prune_incomplete) parts.push_back("prune-incomplete");
  return absl::StrJoin(parts, ", ");
}

absl::StatusOr<std::unique_ptr<catalog::Store>> OpenDestination(const cxxopts::ParseResult& flags,
                                                                const std::string& dest, bool recursive,
                                                                std::ostream& err) {
  catalog::OpenOptions o{.recursive = recursive};
  if (s3::IsS3Url(dest)) {
    KETCD_ASSIGN_OR_RETURN(o.s3, S3ClientFromFlags(flags));
    KETCD_ASSIGN_OR_RETURN(o.sse_c, SseCustomerKeyFromFlags(flags));
    o.warn = [&err](const std::string& m) { err << "warning: " << m << "\n" << std::flush; };
  }
  return catalog::OpenStore(dest, o);
}

absl::Status PruneStore(catalog::Store& store, const catalog::Policy& policy, bool dry_run,
                        std::vector<catalog::PruneResult>& results) {
  KETCD_ASSIGN_OR_RETURN(std::vector<catalog::Snapshot> snapshots, catalog::LoadCatalog(store));
  KETCD_ASSIGN_OR_RETURN(std::vector<catalog::Decision> plan,
                         catalog::PlanRetention(snapshots, policy, catalog::SystemNow));
  return catalog::Prune(store, plan, dry_run, results);
}

void PrintPruneText(std::ostream& out, const std::string& dest, const catalog::Policy& policy, bool dry_run,
                    const std::string& dry_run_why, const std::vector<catalog::PruneResult>& results) {
  out << dest << ": " << PolicyText(policy) << " (periods in UTC)\n";
  std::vector<std::vector<std::string>> rows;
  for (const auto& r : results) {
    const catalog::Snapshot& s = r.decision.snapshot;
    std::string action = r.decision.keep ? "keep" : (dry_run ? "remove" : catalog::OutcomeName(r.outcome));
    std::string why = r.decision.keep ? Reasons(r.decision) : r.error;
    rows.push_back({action, UtcRfc3339(s.time), s.name, HumanizeIec(static_cast<double>(s.file_size)), why});
  }
  if (rows.empty()) {
    out << "No snapshots.\n";
    return;
  }
  cli::PrintPlainTable(out, {"ACTION", "TIME", "NAME", "SIZE", "KEPT BECAUSE"}, rows, false);
  int n = 0;
  if (dry_run) {
    uint64_t bytes = Bytes(results, catalog::Outcome::kWouldRemove, n);
    out << "Dry run" << dry_run_why << ": nothing was removed; " << n << " would be ("
        << HumanizeIec(static_cast<double>(bytes)) << ").\n";
    return;
  }
  uint64_t bytes = Bytes(results, catalog::Outcome::kRemoved, n);
  out << "Removed " << n << " (" << HumanizeIec(static_cast<double>(bytes)) << "), with their metadata.\n";
}

nlohmann::ordered_json PruneJson(const std::string& dest, const catalog::Policy& policy, bool dry_run,
                                 const std::vector<catalog::PruneResult>& results) {
  nlohmann::ordered_json j;
  j["destination"] = dest;
  j["dryRun"] = dry_run;
  nlohmann::ordered_json p = nlohmann::ordered_json::object();
  for (catalog::Rule r : kAllRules) {
    if (policy.Count(r) > 0) p[absl::StrCat("keep-", catalog::RuleName(r))] = policy.Count(r);
  }
  if (policy.within_seconds > 0) p["keep-within-seconds"] = policy.within_seconds;
  p["prune-incomplete"] = policy.prune_incomplete;
  j["policy"] = p;
  j["snapshots"] = nlohmann::ordered_json::array();
  for (const auto& r : results) {
    const catalog::Snapshot& s = r.decision.snapshot;
    nlohmann::ordered_json e;
    e["name"] = s.name;
    e["time"] = UtcRfc3339(s.time);
    e["state"] = catalog::StateName(s.state);
    e["keep"] = r.decision.keep;
    e["outcome"] = catalog::OutcomeName(r.outcome);
    e["reasons"] = nlohmann::ordered_json::array();
    for (const auto& reason : r.decision.reasons) e["reasons"].push_back(reason.Text());
    if (!r.error.empty()) e["error"] = r.error;
    j["snapshots"].push_back(e);
  }
  return j;
}

void AddBackupPruneFlags(cxxopts::Options& options) {
  options.add_options("Retention")("prune",
                                   "After a successful backup, prune the directory of FILE (or the S3 prefix of "
                                   "the key) by the --keep-* policy");
  AddRetentionFlags(options);
}

absl::StatusOr<BackupPrune> BackupPruneFlags(const cxxopts::ParseResult& flags, const std::string& path) {
  BackupPrune out;
  out.enabled = flags.count("prune") > 0;
  if (!out.enabled) {
    for (const char* f : {"keep-last", "keep-hourly", "keep-daily", "keep-weekly", "keep-monthly", "keep-yearly",
                          "keep-within", "prune-incomplete"}) {
      if (flags.count(f)) return absl::InvalidArgumentError(absl::StrCat("--", f, " needs --prune"));
    }
    return out;
  }
  if (path == "-") return absl::InvalidArgumentError("--prune needs a FILE or --dir, not standard output");
  KETCD_ASSIGN_OR_RETURN(out.policy, RetentionFlags(flags));
  return out;
}

std::string DestinationOf(const std::string& path) {
  if (!s3::IsS3Url(path)) return fsutil::Dirname(path);
  size_t slash = path.rfind('/');
  if (slash < std::string_view("s3://").size()) return path + "/";  // s3://BUCKET
  return path.substr(0, slash + 1);
}

absl::Status PruneAfterBackup(const BackupPrune& prune, const cxxopts::ParseResult& flags,
                              const std::string& saved_path, std::ostream& out, std::ostream& err) {
  if (!prune.enabled) return absl::OkStatus();
  const std::string dir = DestinationOf(saved_path);
  std::vector<catalog::PruneResult> results;
  absl::Status s = [&]() -> absl::Status {
    KETCD_ASSIGN_OR_RETURN(auto store, OpenDestination(flags, dir, false, err));
    return PruneStore(*store, prune.policy, false, results);
  }();
  if (!results.empty()) PrintPruneText(out, dir, prune.policy, false, "", results);
  if (s.ok()) return s;
  return absl::Status(s.code(),
                      absl::StrCat("snapshot saved at ", saved_path, ", but pruning ", dir, " failed: ", s.message()));
}

}  // namespace ketcd::cmd
