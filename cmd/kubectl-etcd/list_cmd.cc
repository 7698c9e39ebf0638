// kubectl etcd list DIR|s3://BUCKET/PREFIX/
#include <algorithm>

#include <nlohmann/json.hpp>

#include "cmd/kubectl-etcd/command.h"
#include "cmd/kubectl-etcd/retention_flags.h"
#include "cmd/kubectl-etcd/s3_flags.h"
#include "pkg/base/format.h"
#include "pkg/catalog/catalog.h"
#include "pkg/cli/output.h"

namespace ketcd::cmd {
namespace {

std::string Sealing(const catalog::Snapshot& s) {
  if (s.compressed && s.encrypted) return "zstd+age";
  if (s.compressed) return "zstd";
  if (s.encrypted) return "age";
  return "-";
}

nlohmann::ordered_json SnapshotJson(const catalog::Snapshot& s) {
  nlohmann::ordered_json j;
  j["name"] = s.name;
  j["time"] = UtcRfc3339(s.time);
  j["timeFrom"] = s.time_source == catalog::TimeSource::kMetadata ? "metadata" : "modified";
  j["state"] = catalog::StateName(s.state);
  j["verified"] = s.verified();
  if (!s.problem.empty()) j["problem"] = s.problem;
  j["fileSize"] = s.file_size;
  if (s.snapshot_size) j["size"] = *s.snapshot_size;
  if (s.revision) j["revision"] = *s.revision;
  j["compressed"] = s.compressed;
  j["encrypted"] = s.encrypted;
  if (!s.cluster_id.empty()) j["clusterID"] = s.cluster_id;
  if (!s.member_name.empty()) j["memberName"] = s.member_name;
  if (!s.etcd_version.empty()) j["etcdVersion"] = s.etcd_version;
  if (!s.sha256.empty()) j["sha256"] = s.sha256;
  if (!s.metadata_name.empty()) j["metadata"] = s.metadata_name;
  return j;
}

void PrintTable(std::ostream& out, const std::vector<catalog::Snapshot>& oldest_first) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& s : oldest_first) {
    rows.push_back({UtcRfc3339(s.time), s.name, HumanizeIec(static_cast<double>(s.file_size)),
                    s.revision ? std::to_string(*s.revision) : "-", s.cluster_id.empty() ? "-" : s.cluster_id,
                    s.etcd_version.empty() ? "-" : s.etcd_version, Sealing(s), catalog::StateName(s.state)});
  }
  cli::PrintPlainTable(out, {"TIME", "NAME", "SIZE", "REVISION", "CLUSTER ID", "ETCD", "SEALED", "STATE"}, rows, false);
}

}  // namespace

constexpr char kListHelp[] =
    "List the snapshots in a backup directory or under an S3 prefix, oldest first: the time each\n"
    "was taken (from its FILE.json, else the file's modification time), size on disk, revision,\n"
    "cluster ID and etcd version (from FILE.json), compression and encryption (from the file's\n"
    "first bytes), and its state: verified (FILE.json written by a backup whose SHA-256 check\n"
    "passed, size unchanged), unverified (no or bad FILE.json, or a different size), incomplete\n"
    "(a .part left by a backup that was killed or is still running, or metadata without its\n"
    "snapshot).\n"
    "Files that are not snapshots (*.db, *.db.zst, *.db.age, *.db.zst.age) are left out.\n"
    "Under s3://BUCKET/PREFIX/ the objects are the files (KEY and KEY.json, as backup writes\n"
    "them; modification time: LastModified), and a multipart upload never completed nor\n"
    "aborted is listed as KEY.part, incomplete.\n\n"
    "Examples:\n"
    "  kubectl etcd list /var/backups/etcd\n"
    "  kubectl etcd list /var/backups/etcd -o json | jq -r '.snapshots[] | select(.verified) | .name'\n"
    "  kubectl etcd list s3://backups/etcd/ --s3-endpoint https://minio.example:9000\n";

void AddListFlags(cxxopts::Options& options) {
  // clang-format off
  options.add_options()
      ("recursive", "Also list the snapshots in subdirectories (keys below the S3 prefix)");
  // clang-format on
  AddS3Flags(options);
  AddOutputFlag(options, kTextFormats, "text");
  AddPositional(options, "file", "DIR|s3://BUCKET/PREFIX/");
}

absl::Status RunList(Invocation& inv) {
  KETCD_ASSIGN_OR_RETURN(auto parsed, ParseFlags(inv, kListHelp, AddListFlags));
  if (!parsed) return absl::OkStatus();
  const cxxopts::ParseResult& flags = *parsed;
  KETCD_ASSIGN_OR_RETURN(std::string format, OutputFormat(flags, kTextFormats));
  std::vector<std::string> dirs = PositionalFiles(flags);
  if (dirs.size() != 1) return absl::InvalidArgumentError("list takes one DIR: kubectl etcd list DIR");

  KETCD_ASSIGN_OR_RETURN(auto store, OpenDestination(flags, dirs[0], flags.count("recursive") > 0, inv.err));
  KETCD_ASSIGN_OR_RETURN(std::vector<catalog::Snapshot> snapshots, catalog::LoadCatalog(*store));
  std::reverse(snapshots.begin(), snapshots.end());  // oldest first, the newest at the bottom

  nlohmann::ordered_json doc;
  doc["destination"] = dirs[0];
  doc["snapshots"] = nlohmann::ordered_json::array();
  for (const auto& s : snapshots) doc["snapshots"].push_back(SnapshotJson(s));
  cli::PrintResult(inv.out, format, doc, [&] {
    if (snapshots.empty()) {
      inv.err << "No snapshots in " << dirs[0] << "\n";
      return;
    }
    PrintTable(inv.out, snapshots);
  });
  return absl::OkStatus();
}

}  // namespace ketcd::cmd
