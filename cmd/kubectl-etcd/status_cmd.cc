// kubectl etcd status FILE (alias: snapshot status): etcdctl/etcdutl's `snapshot status`
// with the same numbers, plus an integrity check, the SHA-256 trailer state and, with
// --keys, a look at the Kubernetes objects inside. Reads the file only (no lock, no write).
// Without FILE: the live cluster (live_status_cmd.cc).
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cmd/kubectl-etcd/command.h"
#include "cmd/kubectl-etcd/connection.h"
#include "cmd/kubectl-etcd/remote.h"
#include "cmd/kubectl-etcd/s3_flags.h"
#include "cmd/kubectl-etcd/seal_flags.h"
#include "pkg/base/format.h"
#include "pkg/bbolt/db.h"
#include "pkg/cli/output.h"
#include "pkg/s3/url.h"
#include "pkg/snapshot/status.h"
#include "pkg/snapshot/status_json.h"

namespace ketcd::cmd {
namespace {

const std::vector<std::string> kFormats = {"table", "json", "yaml", "simple"};

struct Options {
  std::string file;
  std::string output = "table";
  bool keys = false;
  bool skip_hash_check = false;
  bool skip_integrity = false;
};

std::string Hex(uint32_t h) { return absl::StrCat(absl::Hex(h)); }

// The columns etcdctl/etcdutl print; 3.6+ files add VERSION.
std::vector<std::string> EtcdRow(const snapshot::SnapshotStatus& st) {
  std::vector<std::string> row = {Hex(st.hash), std::to_string(st.revision), std::to_string(st.total_key),
                                  HumanizeBytes(static_cast<uint64_t>(st.total_size))};
  if (st.has_storage_version) row.push_back(st.version);
  return row;
}

void PrintInspectText(std::ostream& out, const snapshot::Inspection& in) {
  out << "\nKeys: " << in.live_keys << " live (" << HumanizeBytes(in.live_value_bytes) << "), "
      << in.revisions_kept << " revisions kept (" << in.tombstones << " deletions), oldest revision "
      << in.oldest_revision << ", compacted at " << in.compacted_revision << "\n";
  std::vector<std::vector<std::string>> rows;
  for (const auto& [name, rc] : in.resources) {
    std::vector<std::string> ns;
    for (const auto& [n, c] : rc.namespaces) ns.push_back(absl::StrCat(n, "=", c));
    if (ns.size() > 8) {
      size_t more = ns.size() - 8;
      ns.resize(8);
      ns.push_back(absl::StrCat("+", more, " more"));
    }
    rows.push_back({name, std::to_string(rc.keys), HumanizeBytes(rc.bytes),
                    ns.empty() ? "-" : absl::StrJoin(ns, ",")});
  }
  cli::PrintPlainTable(out, {"RESOURCE", "KEYS", "SIZE", "NAMESPACES"}, rows, false);
  out << "\nLeases: " << in.leases << " (" << in.keys_with_lease << " keys attached)\n";
  out << "Auth: " << (in.auth_enabled ? "enabled" : "disabled") << ", users: "
      << (in.users.empty() ? "-" : absl::StrJoin(in.users, ",")) << ", roles: "
      << (in.roles.empty() ? "-" : absl::StrJoin(in.roles, ",")) << "\n";
  out << "Members recorded:\n";
  for (const auto& m : in.members) {
    out << "  " << m.id_hex << "  " << (m.name.empty() ? "(unstarted)" : m.name) << "  "
        << absl::StrJoin(m.peer_urls, ",") << (m.is_learner ? "  learner" : "") << "\n";
  }
  if (!in.removed_members.empty()) out << "Removed members: " << absl::StrJoin(in.removed_members, ",") << "\n";
  if (in.alarms.empty()) {
    out << "Alarms: none\n";
  } else {
    for (const auto& a : in.alarms) {
      out << "Alarm: " << a.alarm << " on member " << a.member_id_hex
          << (a.alarm == "NOSPACE" ? " (a cluster restored from this snapshot rejects writes until "
                                     "`etcdctl alarm disarm`)"
                                   : "")
          << "\n";
    }
  }
  out << "Cluster version: " << (in.cluster_version.empty() ? "-" : in.cluster_version)
      << ", consistent index: " << in.consistent_index << ", term: " << (in.has_term ? std::to_string(in.term) : "-")
      << "\n";
}

void PrintTable(std::ostream& out, const snapshot::SnapshotStatus& st, const Options& o) {
  std::vector<std::string> headers = {"hash", "revision", "total keys", "total size"};
  if (st.has_storage_version) headers.push_back("version");
  cli::PrintBorderedTable(out, headers, {EtcdRow(st)});
  out << "Integrity: " << (st.integrity_checked ? (st.integrity.ok() ? "ok" : "FAILED") : "not checked")
      << ", SHA-256 trailer: " << bbolt::TrailerStateName(st.trailer.state)
      << ", page size: " << st.page_size << ", total keys counted as etcd " << snapshot::SemanticsName(st.semantics)
      << "\n";
  for (const auto& w : st.meta_warnings) out << "Warning: " << w << "\n";
  if (o.keys) PrintInspectText(out, st.inspect);
}

absl::Status Validate(const snapshot::SnapshotStatus& st, const Options& o) {
  if (st.integrity_checked) KETCD_RETURN_IF_ERROR(snapshot::IntegrityStatus(st.integrity));
  if (o.skip_hash_check) return absl::OkStatus();
  if (st.trailer.state == bbolt::TrailerState::kAbsent) {
    return absl::DataLossError(absl::StrCat(
        o.file, ": no SHA-256 trailer (file size ", st.file_size,
        "); this looks like a raw member/snap/db copy, not a snapshot: use --skip-hash-check to accept it"));
  }
  if (st.trailer.state == bbolt::TrailerState::kMismatch) {
    return absl::DataLossError(absl::StrCat(o.file, ": SHA-256 mismatch: trailer says ", st.trailer.stored_hex,
                                            ", content hashes to ", st.trailer.computed_hex));
  }
  return absl::OkStatus();
}

}  // namespace

constexpr char kStatusHelp[] =
    "Without FILE: the live status of every member of the etcd cluster, as `etcdctl endpoint status\n"
    "--cluster`, `endpoint health --cluster` and `alarm list` print it together: version, database\n"
    "size and size in use, leader, learner, raft term and indexes, a health check (a linearizable\n"
    "read, as etcdctl's) and the member's errors and alarms (NOSPACE, CORRUPT). Each member is asked\n"
    "at its client URL from the member list with the same certificates; from a workstation, through\n"
    "a kubectl port-forward to each etcd pod (see `kubectl etcd backup -h`). Exits 0 when every\n"
    "member is healthy, 7 when one is unreachable or unhealthy or an alarm is raised (the rows of\n"
    "the others are printed), 3 when no member answers.\n\n"
    "With FILE: check a snapshot file offline and print its hash, revision, total keys and size\n"
    "exactly as `etcdutl snapshot status` does, plus an integrity check and the SHA-256 trailer state.\n"
    "Exits 4 when the file is corrupt or its hash does not match. The file is only read; a\n"
    "zstd-compressed or age-encrypted file is recognised by its first bytes and decoded into a private\n"
    "directory under $TMPDIR (or /tmp), removed afterwards. An s3://BUCKET/KEY is downloaded there\n"
    "first (see `kubectl etcd backup -h` for the S3 settings).\n\n"
    "Examples:\n"
    "  # The cluster, on a control-plane node or from a workstation:\n"
    "  kubectl etcd status\n"
    "  kubectl etcd status --endpoints https://10.0.0.11:2379 --cacert ca.crt --cert c.crt --key c.key -o json\n"
    "  # A snapshot file:\n"
    "  kubectl etcd status /var/backups/etcd.db\n"
    "  # Live keys per resource and namespace, leases, members, alarms, as JSON:\n"
    "  kubectl etcd status snap.db --keys -o json\n"
    "  # A copy of a data dir's member/snap/db (no SHA-256 trailer):\n"
    "  kubectl etcd status /var/lib/etcd/member/snap/db --skip-hash-check\n"
    "  # Compressed and encrypted with age:\n"
    "  kubectl etcd status etcd.db.zst.age --identity key.txt\n"
    "  # In S3:\n"
    "  kubectl etcd status s3://backups/etcd/etcd-snapshot-m1-20240501T100000Z.db.zst\n";

void AddStatusFlags(cxxopts::Options& options) {
  AddConnectionFlags(options);
  AddRemoteFlags(options);
  AddOutputFlag(options, kFormats, "table");
  // clang-format off
  options.add_options()
      ("no-headers", "Without FILE: print the table without its header line")
      ("keys", "Also look inside: live keys per /registry/<resource>/ and namespace, compaction, leases, auth, "
       "members, alarms")
      ("skip-hash-check", "Accept a file without (or with a wrong) SHA-256 trailer, e.g. a copy of member/snap/db")
      ("skip-integrity-check", "Do not run the bbolt integrity check (faster on huge files)");
  // clang-format on
  AddUnsealFlags(options);
  AddS3Flags(options);
  AddPositional(options, "file", "[FILE|s3://BUCKET/KEY]");
}

absl::Status RunStatus(Invocation& inv) {
  KETCD_ASSIGN_OR_RETURN(auto parsed, ParseFlags(inv, kStatusHelp, AddStatusFlags));
  if (!parsed) return absl::OkStatus();
  Options o;
  KETCD_ASSIGN_OR_RETURN(o.output, OutputFormat(*parsed, kFormats));
  o.keys = parsed->count("keys") > 0;
  o.skip_hash_check = parsed->count("skip-hash-check") > 0;
  o.skip_integrity = parsed->count("skip-integrity-check") > 0;
  const std::vector<std::string> files = PositionalFiles(*parsed);
  if (files.empty() && inv.command != "snapshot status") return RunLiveStatus(inv, *parsed, o.output);
  if (files.size() != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("expected one snapshot file\nUsage: ", inv.program, " ", inv.command,
                     inv.command == "snapshot status" ? " FILE" : " [FILE]"));
  }
  o.file = files[0];

  KETCD_ASSIGN_OR_RETURN(envelope::UnsealOptions unseal, UnsealFlags(*parsed));
  std::unique_ptr<s3::Downloaded> downloaded;
  if (s3::IsS3Url(o.file)) {
    KETCD_ASSIGN_OR_RETURN(downloaded, DownloadSnapshot(*parsed, o.file, ""));
  }
  KETCD_ASSIGN_OR_RETURN(auto plain, envelope::Unseal(downloaded ? downloaded->path() : o.file, unseal));
  if (!plain->temp_dir().empty()) downloaded.reset();  // decoded: the download is no longer needed
  KETCD_ASSIGN_OR_RETURN(auto db, bbolt::Db::Open(plain->path()));
  snapshot::StatusOptions so;
  so.check_integrity = !o.skip_integrity;
  so.check_trailer = !o.skip_hash_check;  // no SHA-256 pass when it would not be enforced
  so.inspect = o.keys;
  KETCD_ASSIGN_OR_RETURN(snapshot::SnapshotStatus st, snapshot::ComputeStatus(*db, so));
  KETCD_RETURN_IF_ERROR(Validate(st, o));

  cli::PrintResult(inv.out, o.output, snapshot::StatusJson(st, o.keys), [&] {
    if (o.output == "simple") {
      inv.out << absl::StrJoin(EtcdRow(st), ", ") << "\n";
      if (o.keys) PrintInspectText(inv.out, st.inspect);
    } else {
      PrintTable(inv.out, st, o);
    }
  });
  return absl::OkStatus();
}

}  // namespace ketcd::cmd
