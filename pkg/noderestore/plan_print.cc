// The plan as text (for the confirmation prompt and --dry-run) and as JSON (-o json).
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "pkg/base/format.h"
#include "pkg/noderestore/plan.h"
#include "pkg/noderestore/steps.h"

namespace ketcd::noderestore {
namespace {

std::vector<std::string> Steps(const Plan& p) {
  std::vector<std::string> s = {absl::StrCat("lock ", p.backup_base, "/.lock and copy ", p.definition_file, " to ",
                                             p.backup_dir)};
  if (p.layout == Layout::kRke2) {
    s.push_back("print RKE2's own restore procedure (rke2 server --cluster-reset); RKE2 rewrites its manifests on start");
  }
  for (std::string& line : PlanSteps(p.journal)) s.push_back(std::move(line));
  return s;
}

}  // namespace

nlohmann::ordered_json PlanJson(const Plan& p) {
  nlohmann::ordered_json j;
  j["kind"] = LayoutName(p.layout);
  j["runID"] = p.journal.run_id;
  j["snapshot"] = {{"path", p.snapshot}, {"size", p.snapshot_size}, {"sha256", p.snapshot_sha256},
                   {"hashChecked", p.hash_checked}, {"revision", p.snapshot_revision},
                   {"storageVersion", p.etcd_version}};
  j["disk"] = {{"free", p.free_bytes}, {"needed", p.needed_bytes}};
  j["oldDataDir"] = p.old_data_dir;
  j["newDataDir"] = p.new_data_dir;
  j["oldWalDir"] = p.old_wal_dir_raw;
  j["newWalDir"] = p.new_wal_dir_raw;
  j["definitionFile"] = p.definition_file;
  j["dataDirSetting"] = p.data_dir_key;
  j["diff"] = p.diff;
  j["name"] = p.name;
  j["peerURLs"] = p.peer_urls;
  nlohmann::ordered_json members = nlohmann::ordered_json::array();
  for (const auto& m : p.members) {
    members.push_back({{"name", m.name}, {"peerURLs", m.peer_urls}, {"clientURLs", m.client_urls},
                       {"thisNode", m.this_node}});
  }
  j["members"] = members;
  j["membersFrom"] = p.members_from;
  j["initialCluster"] = p.initial_cluster;
  j["initialClusterToken"] = p.cluster_token;
  PutIdentities(p.old_etcd, p.new_cluster_id, p.new_member_id, &j);
  j["bumpRevision"] = p.bump_revision;
  j["markCompacted"] = p.bump_revision > 0;
  j["expectedRevision"] = p.expected_revision;
  j["manifestsDir"] = p.manifests_dir;
  j["controlPlaneManifests"] = p.control_plane;
  j["apiServerPort"] = p.apiserver_port;
  j["backupDir"] = p.backup_dir;
  j["steps"] = Steps(p);
  j["notes"] = p.notes;
  return j;
}

std::string PlanText(const Plan& p) {
  std::string t = absl::StrCat("Restore plan for this node (", LayoutName(p.layout), ", ", p.definition_file, "):\n");
  absl::StrAppend(&t, "  snapshot   ", p.snapshot, " (", HumanizeIec(static_cast<double>(p.snapshot_size)),
                  ", revision ", p.snapshot_revision, ")\n");
  absl::StrAppend(&t, "             sha256 ", p.snapshot_sha256,
                  p.hash_checked ? " verified, integrity checked\n" : " (no trailer: not verified), integrity checked\n");
  absl::StrAppend(&t, "  disk       ", HumanizeIec(static_cast<double>(p.free_bytes)), " free, ",
                  HumanizeIec(static_cast<double>(p.needed_bytes)), " needed\n");
  absl::StrAppend(&t, "  data dir   ", p.old_data_dir, " (kept as it is)\n");
  if (!p.new_data_dir.empty()) absl::StrAppend(&t, "          ->  ", p.new_data_dir, "\n");
  if (!p.old_wal_dir_raw.empty()) {
    absl::StrAppend(&t, "  WAL dir    ", p.old_wal_dir_raw, " (kept as it is) -> ", p.new_wal_dir_raw, "\n");
  }
  absl::StrAppend(&t, "  member     ", p.name, " ", absl::StrJoin(p.peer_urls, ","), "\n");
  absl::StrAppend(&t, "  members    ", p.members.size(), " from ", p.members_from, ":\n");
  for (const auto& m : p.members) {
    absl::StrAppend(&t, "             ", m.name, " ", absl::StrJoin(m.peer_urls, ","), m.this_node ? " (this node)" : "",
                    "\n");
  }
  absl::StrAppend(&t, "  cluster    token ", p.cluster_token, " (", p.token_from, "), new cluster ID ",
                  IdHex(p.new_cluster_id), "\n");
  absl::StrAppend(&t, "  revision   ",
                  p.bump_revision ? absl::StrCat("bumped by ", p.bump_revision, " to ", p.expected_revision,
                                                 " and marked compacted")
                                  : "not bumped (--bump-revision 0)",
                  "\n");
  absl::StrAppend(&t, "  backups    ", p.backup_dir, "\n");
  if (!p.diff.empty()) {
    absl::StrAppend(&t, "  change in ", p.definition_file, ":\n");
    for (const auto& d : p.diff) absl::StrAppend(&t, "             ", d, "\n");
  }
  absl::StrAppend(&t, "Steps:\n");
  int i = 1;
  for (const auto& s : Steps(p)) absl::StrAppend(&t, "  ", i++, ". ", s, "\n");
  for (const auto& n : p.notes) absl::StrAppend(&t, "Note: ", n, "\n");
  if (p.members.size() > 1) {
    absl::StrAppend(&t, "Note: ", p.members.size(), " members: stop kube-apiserver on every control-plane node first, ",
                    "then run this command with the same snapshot on each; etcd serves again once ",
                    p.members.size() / 2 + 1, " members are restored.\n");
  }
  return t;
}

}  // namespace ketcd::noderestore
