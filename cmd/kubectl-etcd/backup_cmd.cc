// kubectl etcd backup [FILE|-|s3://BUCKET/KEY]   (also: kubectl etcd snapshot save FILE)
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "cmd/kubectl-etcd/command.h"
#include "cmd/kubectl-etcd/connection.h"
#include "cmd/kubectl-etcd/remote.h"
#include "cmd/kubectl-etcd/retention_flags.h"
#include "cmd/kubectl-etcd/s3_flags.h"
#include "cmd/kubectl-etcd/seal_flags.h"
#include "pkg/backup/snapshot_save.h"
#include "pkg/base/format.h"
#include "pkg/cli/output.h"
#include "pkg/cli/progress.h"
#include "pkg/fsutil/file.h"
#include "pkg/s3/url.h"

namespace ketcd::cmd {
namespace {

std::string MemberName(etcdclient::Client& client, uint64_t member_id) {
  auto members = client.MemberList();
  if (!members.ok()) return "";
  for (const auto& m : members->members()) {
    if (m.id() == member_id) return m.name();
  }
  return "";
}

nlohmann::ordered_json ResultJson(const backup::SaveResult& r) {
  nlohmann::ordered_json j;
  j["path"] = r.path;
  j["size"] = r.size;
  j["sha256"] = r.sha256;
  j["compression"] = r.compression;
  j["encryption"] = r.encryption;
  j["fileSize"] = r.file_size;
  if (r.revision_read) j["revision"] = r.revision;  // read back from the file
  j["durationSeconds"] = r.duration_seconds;
  j["etcdVersion"] = r.etcd_version;
  j["memberName"] = r.member_name;
  j["memberID"] = IdHex(r.member_id);
  j["clusterID"] = IdHex(r.cluster_id);
  j["endpoint"] = r.endpoint;
  return j;
}

void PrintText(std::ostream& out, const backup::SaveResult& r) {
  out << "Snapshot saved at " << r.path << "\n"
      << "  from     " << r.endpoint << " (member " << (r.member_name.empty() ? IdHex(r.member_id) : r.member_name)
      << ", etcd " << r.etcd_version << ")\n"
      << "  size     " << HumanizeIec(static_cast<double>(r.size)) << " (" << r.size << " bytes)\n";
  if (r.file_size != r.size) {
    char ratio[32];
    std::snprintf(ratio, sizeof ratio, "%.2f", r.file_size ? static_cast<double>(r.size) / r.file_size : 0.0);
    out << "  file     " << HumanizeIec(static_cast<double>(r.file_size)) << " (" << r.file_size << " bytes; "
        << r.compression << " " << ratio << ":1, encryption " << r.encryption << ")\n";
  }
  if (r.revision_read) out << "  revision " << r.revision << "\n";
  out << "  sha256   " << r.sha256 << "\n";
  char secs[32];
  std::snprintf(secs, sizeof secs, "%.2fs", r.duration_seconds);
  out << "  took     " << secs << "\n";
}

}  // namespace

constexpr char kBackupHelp[] =
    "Take a consistent snapshot of a live etcd member over its gRPC API.\n\n"
    "Without --endpoints, etcd is discovered: the static-pod manifest (kubeadm, RKE2) or systemd\n"
    "unit on this host (under --host-root), the kube-apiserver's --etcd-* flags, then the etcd\n"
    "pods through the kubeconfig (--kubeconfig, --context); see `kubectl etcd discover`.\n"
    "When etcd runs on another machine and its certificates are not here (a workstation with\n"
    "only a kubeconfig), or with --remote, the client certificate is read on the member's node\n"
    "(kubectl exec, or a short-lived helper pod) and kept in memory, and the snapshot comes\n"
    "through kubectl port-forward: needs create on pods/exec and pods/portforward in\n"
    "kube-system, and kubectl on PATH (or $KUBECTL).\n"
    "The file is written as FILE.part,\n"
    "checked against the SHA-256 the server sends, fsynced, then renamed; FILE.json records\n"
    "where it came from. FILE and FILE.json are only replaced with --force; a FILE.part left by\n"
    "a killed run is replaced. FILE '-' streams the snapshot to standard output.\n"
    "s3://BUCKET/KEY uploads it to S3 while it streams (multipart, about one --s3-part-size in\n"
    "memory), completed only once it passed its checks and aborted otherwise; KEY.json goes\n"
    "beside it. s3://BUCKET/PREFIX/ gets a generated name. Credentials, region and endpoint\n"
    "come from the AWS environment and files (AWS_ACCESS_KEY_ID, AWS_PROFILE, ~/.aws/...).\n\n"
    "Examples:\n"
    "  # On a kubeadm control-plane node, as root:\n"
    "  kubectl etcd backup /var/backups/etcd.db\n"
    "  # Explicit connection:\n"
    "  kubectl etcd backup snap.db --endpoints https://10.0.0.11:2379 \\\n"
    "      --cacert ca.crt --cert client.crt --key client.key\n"
    "  # From a workstation with a kubeconfig (cluster-admin), from a healthy follower:\n"
    "  kubectl etcd backup etcd.db\n"
    "  # Stream into another program:\n"
    "  kubectl etcd backup - | gzip > etcd.db.gz\n"
    "  # zstd-compressed (zstd -d reads it; status and restore read it as it is):\n"
    "  kubectl etcd backup --compress zstd /var/backups/etcd.db.zst\n"
    "  # Compressed, then encrypted with age (`age -d -i key.txt` decrypts it):\n"
    "  kubectl etcd backup --compress zstd --encrypt-to age1... /var/backups/etcd.db.zst.age\n"
    "  # Into a directory, then keep a week of dailies there (see `kubectl etcd prune -h`):\n"
    "  kubectl etcd backup --dir /var/backups/etcd --prune --keep-last 3 --keep-daily 7\n"
    "  # To S3 (or any S3-compatible store with --s3-endpoint), kept 30 days by Object Lock:\n"
    "  kubectl etcd backup s3://backups/etcd/ --compress zstd \\\n"
    "      --s3-object-lock-mode COMPLIANCE --s3-object-lock-retain-until 30d\n"
    "  # To an S3 prefix, then keep the 7 newest there:\n"
    "  kubectl etcd backup s3://backups/etcd/ --prune --keep-last 7\n";

void AddBackupFlags(cxxopts::Options& options) {
  AddConnectionFlags(options);
  AddRemoteFlags(options);
  // clang-format off
  options.add_options()
      ("dir", "Directory for the snapshot when FILE is not given", cxxopts::value<std::string>()->default_value("."))
      ("force", "Replace FILE and FILE.json if they exist")
      ("stall-timeout", "Give up after this many seconds without data, or with one write to FILE stuck",
       cxxopts::value<double>()->default_value("60"));
  // clang-format on
  AddSealFlags(options);
  AddS3Flags(options);
  AddS3UploadFlags(options);
  AddBackupPruneFlags(options);
  AddOutputFlag(options, kTextFormats, "text");
  AddPositional(options, "file", "[FILE|-|s3://BUCKET/KEY]");
}

absl::Status RunBackup(Invocation& inv) {
  KETCD_ASSIGN_OR_RETURN(auto parsed, ParseFlags(inv, kBackupHelp, AddBackupFlags));
  if (!parsed) return absl::OkStatus();
  const cxxopts::ParseResult& flags = *parsed;
  KETCD_ASSIGN_OR_RETURN(std::string format, OutputFormat(flags, kTextFormats));
  std::vector<std::string> files = PositionalFiles(flags);
  if (files.size() > 1) return absl::InvalidArgumentError("backup takes at most one FILE");
  double stall = flags["stall-timeout"].as<double>();
  if (stall <= 0) return absl::InvalidArgumentError("--stall-timeout must be positive");
  KETCD_ASSIGN_OR_RETURN(BackupPrune prune, BackupPruneFlags(flags, files.empty() ? "" : files[0]));

  backup::SaveOptions opts;
  KETCD_ASSIGN_OR_RETURN(opts.seal, SealFlags(flags));

  const bool to_s3 = !files.empty() && s3::IsS3Url(files[0]);
  std::unique_ptr<s3::Client> s3_client;
  std::optional<s3::ObjectUrl> s3_url;
  if (to_s3) {
    KETCD_ASSIGN_OR_RETURN(s3_url, s3::ParseS3Url(files[0]));
    KETCD_ASSIGN_OR_RETURN(opts.s3, S3TargetFromFlags(flags, static_cast<int64_t>(::time(nullptr))));
    KETCD_ASSIGN_OR_RETURN(s3_client, S3ClientFromFlags(flags));
    opts.s3.client = s3_client.get();
    opts.s3.warn = [&inv](const std::string& m) { inv.err << "warning: " << m << "\n" << std::flush; };
  }

  std::unique_ptr<RemoteLink> link;  // the remote path's port-forward, stopped on every way out
  KETCD_ASSIGN_OR_RETURN(Connection conn, ResolveConnectionOrRemote(flags, inv, &link));
  // Uploads are slower than etcd sends: memory stays flat with a fixed window.
  if (to_s3) conn.config.adaptive_receive_window = false;
  KETCD_ASSIGN_OR_RETURN(etcdclient::Selected sel, etcdclient::SelectMember(conn.config));
  std::string member = MemberName(*sel.client, sel.status.header().member_id());

  if (files.empty()) {
    opts.path = fsutil::JoinPath(flags["dir"].as<std::string>(),
                                 backup::DefaultSnapshotName(member, static_cast<int64_t>(::time(nullptr))) +
                                     envelope::FileSuffix(opts.seal));
  } else if (to_s3 && s3_url->IsPrefix()) {
    opts.path = s3_url->String() + backup::DefaultSnapshotName(member, static_cast<int64_t>(::time(nullptr))) +
                envelope::FileSuffix(opts.seal);
  } else {
    opts.path = files[0];
  }
  opts.force = flags.count("force") > 0;
  opts.stall_timeout = std::chrono::milliseconds(static_cast<int64_t>(stall * 1000));
  bool to_stdout = opts.path == "-";
  if (to_stdout && ::isatty(STDOUT_FILENO)) {
    return absl::InvalidArgumentError("refusing to write a binary snapshot to a terminal; redirect standard output");
  }

  cli::Progress progress(inv.err, inv.err_is_terminal, "Saving snapshot");
  opts.progress = [&progress](uint64_t done, uint64_t total) { progress.Update(done, total); };
  auto saved = backup::SaveSnapshot(*sel.client, sel.status, member, opts);
  progress.Finish();
  if (!saved.ok() && link) saved = link->Explain(saved.status());
  KETCD_ASSIGN_OR_RETURN(backup::SaveResult r, std::move(saved));
  if (link) r.endpoint = link->Describe();

  std::ostream& report = to_stdout ? inv.err : inv.out;
  cli::PrintResult(report, format, ResultJson(r), [&] { PrintText(report, r); });
  return PruneAfterBackup(prune, flags, r.path, format == "text" ? report : inv.err, inv.err);
}

}  // namespace ketcd::cmd
