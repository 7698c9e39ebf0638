// kubectl etcd restore FILE --data-dir DIR [...]   (also: kubectl etcd snapshot restore)
// kubectl etcd restore FILE [--yes|--dry-run]      (orchestrated restore on a node)
// kubectl etcd restore --undo
#include <unistd.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cmd/kubectl-etcd/command.h"
#include "cmd/kubectl-etcd/connection.h"
#include "cmd/kubectl-etcd/remote.h"
#include "cmd/kubectl-etcd/s3_flags.h"
#include "cmd/kubectl-etcd/seal_flags.h"
#include "pkg/base/format.h"
#include "pkg/cli/output.h"
#include "pkg/cli/progress.h"
#include "pkg/noderestore/lock.h"
#include "pkg/noderestore/node_ops.h"
#include "pkg/noderestore/orchestrator.h"
#include "pkg/noderestore/plan.h"
#include "pkg/fsutil/file.h"
#include "pkg/restore/restore.h"
#include "pkg/s3/url.h"

namespace ketcd::cmd {
namespace {

nlohmann::ordered_json ResultJson(const std::string& snapshot, const restore::RestoreOptions& opts,
                                  const restore::RestoreResult& r) {
  nlohmann::ordered_json j;
  j["snapshot"] = snapshot;
  j["dataDir"] = r.plan.data_dir;
  j["walDir"] = r.plan.wal_dir;
  j["etcdFormat"] = std::string(restore::FormatName(r.format));
  j["formatDetected"] = r.format_detected;
  j["name"] = opts.name;
  j["memberID"] = IdHex(r.plan.local_id);
  j["clusterID"] = IdHex(r.plan.cluster_id);
  nlohmann::ordered_json members = nlohmann::ordered_json::array();
  for (const auto& m : r.plan.members) {
    nlohmann::ordered_json mj;
    mj["name"] = m.name;
    mj["id"] = IdHex(m.id);
    mj["peerURLs"] = m.peer_urls;
    members.push_back(mj);
  }
  j["members"] = members;
  j["revision"] = r.revision;
  j["bumpedRevision"] = r.bumped_revision;
  j["markCompacted"] = r.bumped_revision != 0;
  j["hashChecked"] = r.hash_checked;
  j["sha256"] = r.sha256;
  j["dbSize"] = r.db_size;
  return j;
}

void PrintText(std::ostream& out, const std::string& snapshot, const restore::RestoreOptions& opts,
               const restore::RestoreResult& r) {
  out << "Restored " << snapshot << " into " << r.plan.data_dir << "\n";
  out << "  layout    etcd " << restore::FormatName(r.format)
      << (r.format_detected ? " (detected from the snapshot)" : "") << "\n";
  out << "  member    " << opts.name << " (" << IdHex(r.plan.local_id) << ")\n";
  out << "  cluster   " << IdHex(r.plan.cluster_id) << ", " << r.plan.members.size() << " member"
      << (r.plan.members.size() == 1 ? "" : "s") << ":\n";
  for (const auto& m : r.plan.members) {
    out << "            " << m.name << " " << IdHex(m.id) << " " << absl::StrJoin(m.peer_urls, ",") << "\n";
  }
  out << "  revision  " << r.revision;
  if (r.bumped_revision != 0) out << ", bumped to " << r.bumped_revision << " and marked compacted";
  out << "\n";
  out << "  hash      " << (r.hash_checked ? "sha256 " + r.sha256 + " verified" : "not checked (--skip-hash-check)")
      << "\n";
  out << "  wal       " << r.plan.wal_dir << "\n";
  out << "  db        " << r.db_path << " (" << HumanizeIec(static_cast<double>(r.db_size)) << ")\n";
  std::vector<std::string> cluster;
  for (const auto& m : r.plan.members) {
    for (const auto& u : m.peer_urls) cluster.push_back(m.name + "=" + u);
  }
  out << "Start every member with its own restored data dir, e.g. here:\n  etcd --name " << opts.name
      << " --data-dir " << r.plan.data_dir;
  if (!r.plan.wal_dir_is_default) out << " --wal-dir " << r.plan.wal_dir;
  std::vector<std::string> own;
  for (const auto& m : r.plan.members) {
    if (m.id == r.plan.local_id) own = m.peer_urls;
  }
  out << " --initial-advertise-peer-urls " << absl::StrJoin(own, ",") << " --initial-cluster "
      << absl::StrJoin(cluster, ",") << "\n";
}

}  // namespace

// The orchestrated restore on a node (below).
absl::Status RunNodeRestore(Invocation& inv, const cxxopts::ParseResult& flags, const std::string& format);

constexpr char kRestoreHelp[] =
    "Restore an etcd snapshot into a new data directory, offline and without etcdutl.\n\n"
    "Writes what `etcdutl snapshot restore` (etcdctl for 3.4) writes: member/snap/db with the new\n"
    "membership, the raft snapshot and the WAL of a fresh cluster. The byte layout follows the etcd\n"
    "release that made the snapshot (or --etcd-version). The data dir must be missing or empty and a\n"
    "separate --wal-dir must not exist; everything is built beside the target and renamed into place.\n\n"
    "Examples:\n"
    "  kubectl etcd restore snap.db --data-dir /var/lib/etcd-restored\n"
    "  # One of three members (run once per member with its own --name and peer URL):\n"
    "  kubectl etcd restore snap.db --data-dir /var/lib/etcd-new --name m1 \\\n"
    "      --initial-cluster m1=https://10.0.0.1:2380,m2=https://10.0.0.2:2380,m3=https://10.0.0.3:2380 \\\n"
    "      --initial-advertise-peer-urls https://10.0.0.1:2380 --initial-cluster-token restored\n"
    "  # Keep revisions moving forward for watchers and informers:\n"
    "  kubectl etcd restore snap.db --data-dir d --bump-revision 1000000000 --mark-compacted\n"
    "  # zstd-compressed and age-encrypted (told by the first bytes; decoded beside the data dir):\n"
    "  kubectl etcd restore snap.db.zst.age --data-dir d --identity key.txt\n"
    "  # From S3 (downloaded beside the data dir, checked, then removed):\n"
    "  kubectl etcd restore s3://backups/etcd/snap.db --data-dir /var/lib/etcd-restored\n\n"
    "Without --data-dir (`kubectl etcd restore FILE` on a control-plane node), the restore is orchestrated:\n"
    "the plan is checked and shown, then the API server, controller-manager and scheduler manifests are\n"
    "moved out of the kubelet's directory, the snapshot is restored into a new dir beside the old one\n"
    "(kept as it is), etcd's manifest or systemd unit is pointed at it, and everything is started again\n"
    "and verified. Any failure rolls back; --undo returns to the previous state later.\n"
    "  kubectl etcd restore snap.db --dry-run            # the plan only\n"
    "  kubectl etcd restore snap.db --yes                # no prompt\n"
    "  kubectl etcd restore --undo\n";

void AddRestoreFlags(cxxopts::Options& options) {
  AddConnectionFlags(options);
  // clang-format off
  options.add_options("Node restore")
      ("yes", "Do not ask for confirmation")
      ("dry-run", "Show the plan and change nothing")
      ("undo", "Return to the state before the last orchestrated restore on this node (or the run named: "
       "--undo RUN-ID)")
      ("resume", "Finish an orchestrated restore that was killed half-way")
      ("list-runs", "List the orchestrated restores run on this node")
      ("restart-kubelet", "Run `systemctl restart kubelet` on this node at the end")
      ("no-kubeadm-config", "Leave etcd.local.dataDir in the kubeadm-config ConfigMap as it is")
      ("wait-timeout", "Seconds to wait for each component to stop or start",
       cxxopts::value<double>()->default_value("300"))
      ("backup-dir", "Where manifests, units and state are backed up (host path)",
       cxxopts::value<std::string>()->default_value("/etc/kubernetes/kubectl-etcd-backups"));
  // clang-format on
  // clang-format off
  options.add_options()
      ("data-dir", "Path to the output data directory (default \"<name>.etcd\")", cxxopts::value<std::string>())
      ("wal-dir", "Path to the WAL directory (default: <data-dir>/member/wal)", cxxopts::value<std::string>())
      ("name", "Human-readable name for this member",
       cxxopts::value<std::string>()->default_value(restore::kDefaultName))
      ("initial-cluster", "Initial cluster configuration for restore bootstrap",
       cxxopts::value<std::string>()->default_value(restore::kDefaultInitialCluster))
      ("initial-cluster-token", "Initial cluster token for the etcd cluster during restore bootstrap",
       cxxopts::value<std::string>()->default_value(restore::kDefaultToken))
      ("initial-advertise-peer-urls", "List of this member's peer URLs to advertise to the rest of the cluster",
       cxxopts::value<std::string>()->default_value(restore::kDefaultPeerUrls))
      ("skip-hash-check", "Ignore snapshot integrity hash value (required if copied from data directory)")
      ("bump-revision", "How much to increase the latest revision after restore (default 0; 1000000000 "
       "with --mark-compacted for an orchestrated restore)", cxxopts::value<uint64_t>())
      ("mark-compacted", "Mark the latest revision after restore as the point of scheduled compaction "
       "(required if --bump-revision > 0, disallowed otherwise)")
      ("initial-memory-map-size", "Accepted for etcdutl compatibility; has no effect",
       cxxopts::value<uint64_t>()->default_value("0"))
      ("etcd-version", "Write the byte layout of this etcd release: 3.4, 3.5, 3.6 or 3.7 "
       "(default: detected from the snapshot)", cxxopts::value<std::string>());
  // clang-format on
  AddUnsealFlags(options);
  AddS3Flags(options);
  AddOutputFlag(options, kTextFormats, "text");
  AddPositional(options, "file", "FILE|s3://BUCKET/KEY");
}

absl::Status RunRestore(Invocation& inv) {
  KETCD_ASSIGN_OR_RETURN(auto parsed, ParseFlags(inv, kRestoreHelp, AddRestoreFlags));
  if (!parsed) return absl::OkStatus();
  const cxxopts::ParseResult& flags = *parsed;
  KETCD_ASSIGN_OR_RETURN(std::string format, OutputFormat(flags, kTextFormats));
  std::vector<std::string> files = PositionalFiles(flags);
  // etcdutl's spelling keeps etcdutl's behaviour (default "<name>.etcd"); `restore` without
  // --data-dir is the orchestrated restore of this node.
  if (inv.command == "restore" && !flags.count("data-dir")) return RunNodeRestore(inv, flags, format);
  if (files.size() != 1) return absl::InvalidArgumentError("snapshot restore requires exactly one argument");

  restore::RestoreOptions opts;
  opts.snapshot_path = files[0];
  if (flags.count("data-dir")) opts.data_dir = flags["data-dir"].as<std::string>();
  if (flags.count("wal-dir")) opts.wal_dir = flags["wal-dir"].as<std::string>();
  opts.name = flags["name"].as<std::string>();
  opts.initial_cluster = flags["initial-cluster"].as<std::string>();
  opts.initial_cluster_token = flags["initial-cluster-token"].as<std::string>();
  opts.initial_advertise_peer_urls = flags["initial-advertise-peer-urls"].as<std::string>();
  opts.skip_hash_check = flags["skip-hash-check"].as<bool>();
  opts.bump_revision = flags.count("bump-revision") ? flags["bump-revision"].as<uint64_t>() : 0;
  opts.mark_compacted = flags["mark-compacted"].as<bool>();
  KETCD_ASSIGN_OR_RETURN(opts.unseal, UnsealFlags(flags));
  if (flags.count("etcd-version")) {
    std::string v = flags["etcd-version"].as<std::string>();
    opts.format = restore::ParseFormat(v);
    if (!opts.format) return absl::InvalidArgumentError(absl::StrCat("--etcd-version \"", v, "\": want 3.4, 3.5, 3.6 or 3.7"));
  }

  // An S3 object is downloaded beside the data dir (where a sealed one is decoded too).
  const std::string snapshot = opts.snapshot_path;
  std::unique_ptr<s3::Downloaded> downloaded;
  if (s3::IsS3Url(snapshot)) {
    std::string target = opts.data_dir.empty() ? opts.name + ".etcd" : opts.data_dir;
    KETCD_ASSIGN_OR_RETURN(downloaded, DownloadSnapshot(flags, snapshot, fsutil::Dirname(target)));
    opts.snapshot_path = downloaded->path();
  }
  cli::Progress progress(inv.err, inv.err_is_terminal, "restoring");
  auto result = restore::Restore(opts, [&](uint64_t done, uint64_t total) { progress.Update(done, total); });
  progress.Finish();
  if (!result.ok()) return result.status();
  cli::PrintResult(inv.out, format, ResultJson(snapshot, opts, *result),
                   [&] { PrintText(inv.out, snapshot, opts, *result); });
  return absl::OkStatus();
}

}  // namespace ketcd::cmd

// ---- Orchestrated restore on a control-plane node (pkg/noderestore) ----

namespace ketcd::cmd {
namespace {

std::string StepLine(const noderestore::StepResult& s) {
  return absl::StrCat("  [", noderestore::OutcomeName(s.outcome), "] ", s.name, s.detail.empty() ? "" : ": ",
                      s.detail, "\n");
}

void PrintSteps(std::ostream& out, const noderestore::RunResult& r) {
  out << "Steps run:\n";
  for (const auto& s : r.steps) out << StepLine(s);
  for (const auto& a : r.advice) out << a << "\n";
}

noderestore::StepFn LiveSteps(Invocation& inv, bool text) {
  return [&inv, text](const noderestore::StepResult& s) {
    if (text) inv.err << StepLine(s) << std::flush;
  };
}

absl::Status Confirm(Invocation& inv, bool yes) {
  if (yes) return absl::OkStatus();
  if (!::isatty(STDIN_FILENO) || !inv.err_is_terminal) {
    return absl::FailedPreconditionError("no terminal to confirm on: pass --yes to restore without confirmation");
  }
  inv.err << "Proceed? This stops the control plane on this node. [y/N] " << std::flush;
  std::string answer;
  std::getline(std::cin, answer);
  if (answer != "y" && answer != "Y" && answer != "yes") return absl::CancelledError("not confirmed; nothing changed");
  return absl::OkStatus();
}

absl::Status Finish(Invocation& inv, const std::string& format, nlohmann::ordered_json plan_json,
                    const noderestore::RunResult& r, const absl::Status& status) {
  nlohmann::ordered_json j;
  if (!plan_json.is_null()) j["plan"] = std::move(plan_json);
  j["run"] = noderestore::RunJson(r, status);
  cli::PrintResult(inv.out, format, j, [&] {
    PrintSteps(inv.out, r);
    if (status.ok())
      inv.out << "Restore " << (r.journal.phase == noderestore::Phase::kUndone ? "undone" : "finished") << ".\n";
  });
  return status;
}

// --undo, --resume: the run is taken from the node's backup dir; etcd's address and
// credentials from discovery as for a restore.
absl::Status RecoverRun(Invocation& inv, const cxxopts::ParseResult& flags, const std::string& format, bool undo,
                        const std::vector<std::string>& files) {
  if (files.size() > (undo ? 1u : 0u)) {
    return absl::InvalidArgumentError(undo ? "--undo takes at most one RUN-ID" : "--resume takes no argument");
  }
  noderestore::RecoverOptions ro;
  ro.host_root = HostRoot(flags);
  ro.backup_base = flags["backup-dir"].as<std::string>();
  ro.run_id = files.empty() ? "" : files[0];
  ro.wait_timeout = std::chrono::seconds(static_cast<int64_t>(flags["wait-timeout"].as<double>()));
  KETCD_ASSIGN_OR_RETURN(auto lock, noderestore::Lock::Acquire(discovery::UnderRoot(ro.host_root, ro.backup_base)));
  KETCD_ASSIGN_OR_RETURN(Connection conn, ResolveConnection(flags));
  noderestore::RealNodeOptions no;
  no.connection = conn.config;
  no.host_root = ro.host_root;
  no.kubeconfig = flags.count("kubeconfig") ? flags["kubeconfig"].as<std::string>() : "";
  std::unique_ptr<noderestore::NodeOps> ops = noderestore::NewRealNodeOps(no);
  KETCD_RETURN_IF_ERROR(Confirm(inv, flags.count("yes") > 0));
  absl::Status status;
  bool text = format == "text";
  noderestore::RunResult r = undo ? noderestore::Undo(ro, *ops, LiveSteps(inv, text), &status)
                                  : noderestore::Resume(ro, *ops, LiveSteps(inv, text), &status);
  return Finish(inv, format, nullptr, r, status);
}

absl::Status ListRuns(Invocation& inv, const cxxopts::ParseResult& flags, const std::string& format) {
  noderestore::RealNodeOptions no;
  no.host_root = HostRoot(flags);
  std::unique_ptr<noderestore::NodeOps> ops = noderestore::NewRealNodeOps(no);
  auto runs = noderestore::ListRuns(*ops, discovery::UnderRoot(no.host_root, flags["backup-dir"].as<std::string>()));
  cli::PrintResult(inv.out, format, noderestore::RunListJson(runs), [&] { inv.out << noderestore::RunListText(runs); });
  return absl::OkStatus();
}

}  // namespace

absl::Status RunNodeRestore(Invocation& inv, const cxxopts::ParseResult& flags, const std::string& format) {
  auto str = [&](const char* name) { return flags.count(name) ? flags[name].as<std::string>() : std::string(); };
  double wait = flags["wait-timeout"].as<double>();
  if (wait <= 0) return absl::InvalidArgumentError("--wait-timeout must be positive");
  std::vector<std::string> files = PositionalFiles(flags);
  bool text = format == "text";
  int modes = static_cast<int>(flags.count("undo") + flags.count("resume") + flags.count("list-runs"));
  if (modes > 1) return absl::InvalidArgumentError("--undo, --resume and --list-runs exclude each other");
  if (flags.count("list-runs")) return ListRuns(inv, flags, format);
  if (flags.count("undo") || flags.count("resume")) return RecoverRun(inv, flags, format, flags.count("undo") > 0, files);
  if (files.size() != 1) return absl::InvalidArgumentError("restore requires exactly one snapshot FILE (or --undo)");
  if (s3::IsS3Url(files[0])) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the restore of a node takes a local snapshot file, not ", files[0],
        ": copy it to the node first (aws s3 cp), or restore it into a new data dir with --data-dir"));
  }
  KETCD_ASSIGN_OR_RETURN(stream::Format sealed, envelope::SniffFile(files[0]));
  if (sealed != stream::Format::kPlain) {
    return absl::InvalidArgumentError(absl::StrCat(
        files[0], " is ", stream::FormatName(sealed), "-encoded; the restore of a node takes a plain snapshot: ",
        "decode it first (zstd -d, age -d)"));
  }

  // From a workstation: the node's disk is not here. Say what to run on the node instead.
  if (auto report = discovery::DiscoverReport(DiscoveryOptions(flags)); report.ok() && WantsRemote(flags, *report)) {
    return absl::FailedPreconditionError(RestoreOnNodeMessage(report->pods, files[0]));
  }

  // One restore at a time: the lock is taken before the plan is built, so a second run
  // refuses before it looks at a node that the first one is changing.
  std::string host_root = HostRoot(flags), backup_base = flags["backup-dir"].as<std::string>();
  std::unique_ptr<noderestore::Lock> lock;
  if (!flags.count("dry-run")) {
    KETCD_ASSIGN_OR_RETURN(lock, noderestore::Lock::Acquire(discovery::UnderRoot(host_root, backup_base)));
  }
  {
    noderestore::RealNodeOptions no;
    no.host_root = host_root;
    KETCD_RETURN_IF_ERROR(noderestore::CheckNoUnfinishedRun(*noderestore::NewRealNodeOps(no), host_root, backup_base));
  }
  discovery::Options dopts = DiscoveryOptions(flags);
  KETCD_ASSIGN_OR_RETURN(discovery::EtcdTarget target, discovery::Discover(dopts));
  KETCD_ASSIGN_OR_RETURN(Connection conn, ConnectionFrom(flags, target));
  noderestore::PlanOptions po;
  po.snapshot = files[0];
  po.host_root = host_root;
  po.target = *conn.discovered;
  po.connection = conn.config;
  if (flags.count("name")) po.name = str("name");
  if (flags.count("initial-cluster")) po.initial_cluster = str("initial-cluster");
  if (flags.count("initial-cluster-token")) po.initial_cluster_token = str("initial-cluster-token");
  if (flags.count("initial-advertise-peer-urls")) po.initial_advertise_peer_urls = str("initial-advertise-peer-urls");
  if (flags.count("bump-revision")) po.bump_revision = flags["bump-revision"].as<uint64_t>();
  po.skip_hash_check = flags["skip-hash-check"].as<bool>();
  po.backup_base = backup_base;
  po.kubeadm_config = !flags.count("no-kubeadm-config");
  po.restart_kubelet = flags.count("restart-kubelet") > 0;
  po.kubeconfig = str("kubeconfig");
  po.wait_timeout = std::chrono::seconds(static_cast<int64_t>(wait));
  KETCD_ASSIGN_OR_RETURN(noderestore::Plan plan, noderestore::BuildPlan(po));

  nlohmann::ordered_json plan_json = noderestore::PlanJson(plan);
  if (flags.count("dry-run")) {
    cli::PrintResult(inv.out, format, plan_json,
                     [&] { inv.out << noderestore::PlanText(plan) << "Dry run: nothing changed.\n"; });
    return absl::OkStatus();
  }
  (text ? inv.out : inv.err) << noderestore::PlanText(plan) << std::flush;
  KETCD_RETURN_IF_ERROR(Confirm(inv, flags.count("yes") > 0));
  noderestore::RealNodeOptions no;
  no.connection = conn.config;
  no.host_root = host_root;
  no.kubeconfig = po.kubeconfig;
  std::unique_ptr<noderestore::NodeOps> ops = noderestore::NewRealNodeOps(no);
  absl::Status status;
  noderestore::RunResult r = noderestore::Execute(plan, *ops, LiveSteps(inv, text), &status);
  return Finish(inv, format, std::move(plan_json), r, status);
}

}  // namespace ketcd::cmd
