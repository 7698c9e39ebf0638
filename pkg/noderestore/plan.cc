#include "pkg/noderestore/plan.h"

#include <ctime>
#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "pkg/base/format.h"
#include "pkg/discovery/etcd_config.h"
#include "pkg/discovery/static_pod.h"
#include "pkg/fsutil/file.h"
#include "pkg/noderestore/http.h"
#include "pkg/noderestore/manifest_patch.h"
#include "pkg/noderestore/node_ops.h"
#include "pkg/noderestore/preflight.h"
#include "pkg/noderestore/systemd_patch.h"
#include "pkg/restore/restore_options.h"

namespace ketcd::noderestore {
namespace {

// The path without the host root ("/" root: unchanged).
std::string StripRoot(const std::string& root, const std::string& path) {
  if (root.empty() || root == "/") return path;
  std::string r = root;
  while (r.size() > 1 && r.back() == '/') r.pop_back();
  if (absl::StartsWith(path, r + "/")) return path.substr(r.size());
  return path;
}

// Members from etcd's member list (while this node's etcd still runs), else from
// --initial-cluster of the manifest or unit.
absl::Status FillMembers(const PlanOptions& o, Plan* p) {
  etcdclient::ConnectionConfig c = o.connection;
  c.dial_timeout = std::chrono::milliseconds(2000);
  c.request_timeout = std::chrono::milliseconds(3000);
  auto sel = etcdclient::SelectMember(c);
  if (sel.ok()) {
    p->old_etcd.cluster_id = sel->status.header().cluster_id();
    p->old_etcd.member_id = sel->status.header().member_id();
    p->old_etcd.revision = sel->status.header().revision();
    auto list = sel->client->MemberList();
    if (list.ok()) {
      for (const auto& m : list->members()) {
        PlanMember pm;
        pm.name = m.name();
        pm.peer_urls.assign(m.peerurls().begin(), m.peerurls().end());
        pm.client_urls.assign(m.clienturls().begin(), m.clienturls().end());
        if (pm.name.empty()) {
          return absl::FailedPreconditionError(absl::StrCat("etcd member ", IdHex(m.id()),
                                                            " has not started yet (no name); finish or remove it first"));
        }
        p->members.push_back(pm);
      }
      p->members_from = absl::StrCat("etcd member list (", sel->client->endpoint().Url(), ")");
    }
  }
  if (p->old_etcd.cluster_id == 0) {
    // etcd does not answer: a rollback recognises the old data by a cluster other than the
    // restored one serving at least the revision the old db holds now.
    p->old_etcd.revision = LatestRevision(fsutil::JoinPath(o.target.data_dir, "member/snap/db")).value_or(0);
  }
  if (p->members.empty()) {
    std::string ic = o.target.initial_cluster;
    for (absl::string_view item : absl::StrSplit(ic, ',', absl::SkipEmpty())) {
      std::pair<std::string, std::string> kv = absl::StrSplit(item, absl::MaxSplits('=', 1));
      bool found = false;
      for (auto& m : p->members) {
        if (m.name == kv.first) {
          m.peer_urls.push_back(kv.second);
          found = true;
        }
      }
      if (!found) p->members.push_back(PlanMember{kv.first, {kv.second}, {}, false});
    }
    p->members_from = absl::StrCat("--initial-cluster in ", o.target.defined_in, " (etcd did not answer)");
  }
  return absl::OkStatus();
}

// The first "<old>-restored-<id>[-N]" that does not exist yet (a retry after an undo).
std::string FreeDirBeside(const std::string& root, const std::string& old_raw, const std::string& id) {
  std::string dir = NewDataDirBeside(old_raw, id);
  for (int n = 2; n < 100 && fsutil::PathExists(discovery::UnderRoot(root, dir)); n++) {
    dir = NewDataDirBeside(old_raw, absl::StrCat(id, "-", n));
  }
  return dir;
}

// The old and new data (and WAL) dirs, and the patched definition file.
absl::Status PlanDataDirs(const PlanOptions& o, Plan* p) {
  const std::string& root = o.host_root;
  std::string id = p->snapshot_sha256.substr(0, 12);
  if (p->layout == Layout::kRke2) {
    p->old_data_dir_raw = StripRoot(root, o.target.data_dir);
    return absl::OkStatus();
  }
  if (p->layout == Layout::kSystemd) {
    auto patch = [&](const std::string& text, const std::string& key, const std::string& value) {
      auto patched = PatchDataDirSetting(text, key, value);
      if (!patched.ok()) {
        return absl::StatusOr<std::string>(
            absl::InvalidArgumentError(absl::StrCat(p->definition_file, ": ", patched.status().message())));
      }
      return patched;
    };
    p->old_data_dir_raw = o.target.container_data_dir;
    p->new_data_dir_raw = FreeDirBeside(root, p->old_data_dir_raw, id);
    KETCD_ASSIGN_OR_RETURN(p->patched_text, patch(p->original_text, p->data_dir_key, p->new_data_dir_raw));
    if (o.target.container_wal_dir.empty()) return absl::OkStatus();
    if (o.target.wal_dir_file != o.target.data_dir_file) {
      return absl::FailedPreconditionError(absl::StrCat("etcd's WAL dir is set in ", o.target.wal_dir_file,
                                                        " and its data dir in ", o.target.data_dir_file,
                                                        ": move both settings into one file first"));
    }
    p->old_wal_dir_raw = o.target.container_wal_dir;
    p->new_wal_dir_raw = FreeDirBeside(root, p->old_wal_dir_raw, id);
    KETCD_ASSIGN_OR_RETURN(p->patched_text, patch(p->patched_text, o.target.wal_dir_key, p->new_wal_dir_raw));
    return absl::OkStatus();
  }
  KETCD_ASSIGN_OR_RETURN(DataVolume dv, FindDataVolume(p->original_text, p->definition_file));
  p->old_data_dir_raw = dv.host_path;
  p->data_dir_key = absl::StrCat("hostPath of volume ", dv.volume_name);
  p->new_data_dir_raw = FreeDirBeside(root, dv.host_path, id);
  KETCD_ASSIGN_OR_RETURN(p->patched_text, PatchHostPath(p->original_text, dv.volume_name, p->new_data_dir_raw));
  auto wal = FindWalVolume(p->original_text, p->definition_file);
  if (absl::IsNotFound(wal.status())) return absl::OkStatus();
  KETCD_RETURN_IF_ERROR(wal.status());
  if (wal->volume_name == dv.volume_name) {
    return absl::InvalidArgumentError(absl::StrCat(p->definition_file, ": --wal-dir and --data-dir share volume ",
                                                   dv.volume_name));
  }
  p->old_wal_dir_raw = wal->host_path;
  p->new_wal_dir_raw = FreeDirBeside(root, wal->host_path, id);
  p->data_dir_key += absl::StrCat(" and of volume ", wal->volume_name);
  KETCD_ASSIGN_OR_RETURN(p->patched_text, PatchHostPath(p->patched_text, wal->volume_name, p->new_wal_dir_raw));
  return absl::OkStatus();
}

// The journal the run starts with.
Journal NewJournal(const Plan& p) {
  Journal j;
  j.run_id = fsutil::Basename(p.backup_dir_raw);
  j.layout = p.layout;
  j.backup_dir = p.backup_dir_raw;
  j.definition_file = p.definition_file_raw;
  std::string name = fsutil::Basename(p.definition_file_raw);
  j.definition_original = fsutil::JoinPath(p.backup_dir_raw, name);
  j.definition_patched = fsutil::JoinPath(p.backup_dir_raw, name + ".restored");
  j.data_dir_setting = p.data_dir_key;
  j.manifests_dir = p.layout == Layout::kSystemd ? "" : fsutil::Dirname(p.definition_file_raw);
  j.control_plane = p.control_plane;
  j.apiserver_port = p.apiserver_port;
  j.old_data_dir = p.old_data_dir_raw;
  j.new_data_dir = p.new_data_dir_raw;
  j.old_wal_dir = p.old_wal_dir_raw;
  j.new_wal_dir = p.new_wal_dir_raw;
  std::error_code ec;
  std::filesystem::path abs = std::filesystem::absolute(p.snapshot, ec);  // a resume may run elsewhere
  j.snapshot = ec ? p.snapshot : abs.lexically_normal().string();
  j.snapshot_sha256 = p.snapshot_sha256;
  j.skip_hash_check = p.opts.skip_hash_check;
  j.name = p.name;
  j.initial_cluster = p.initial_cluster;
  j.cluster_token = p.cluster_token;
  j.peer_urls = p.peer_urls;
  j.bump_revision = p.bump_revision;
  j.expected_revision = p.expected_revision;
  j.members = static_cast<int>(p.members.size());
  j.quorum_after = p.quorum_after;
  j.old_etcd = p.old_etcd;
  j.new_cluster_id = p.new_cluster_id;
  j.new_member_id = p.new_member_id;
  j.update_kubeadm_config = p.opts.kubeadm_config;
  j.restart_kubelet = p.opts.restart_kubelet;
  return j;
}

}  // namespace

std::string UtcTimestamp() {
  std::time_t now = std::time(nullptr);
  std::tm tm;
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

std::string NewDataDirBeside(const std::string& old, const std::string& id) {
  std::string base = old;
  while (base.size() > 1 && base.back() == '/') base.pop_back();
  size_t at = base.rfind("-restored-");
  if (at != std::string::npos && base.find('/', at) == std::string::npos) base.resize(at);
  return absl::StrCat(base, "-restored-", id);
}

absl::StatusOr<Plan> BuildPlan(const PlanOptions& o) {
  Plan p;
  p.opts = o;
  p.timestamp = o.timestamp.empty() ? UtcTimestamp() : o.timestamp;
  const std::string& root = o.host_root;
  auto layout = ParseLayout(o.target.kind);
  if (!layout.ok()) {
    return absl::FailedPreconditionError(absl::StrCat("etcd found through ", o.target.kind, " (", o.target.defined_in,
                                                      "): an orchestrated restore must run on the etcd node itself"));
  }
  p.layout = *layout;
  const bool systemd = p.layout == Layout::kSystemd;

  // 1. The snapshot, before anything else.
  p.snapshot = o.snapshot;
  KETCD_ASSIGN_OR_RETURN(SnapshotInfo snap, CheckSnapshot(o.snapshot, o.skip_hash_check));
  p.snapshot_size = snap.size;
  p.snapshot_sha256 = snap.sha256;
  p.hash_checked = snap.hash_checked;
  p.snapshot_revision = snap.revision;
  p.etcd_version = snap.version;
  p.bump_revision = o.bump_revision;
  p.expected_revision = snap.revision + static_cast<int64_t>(o.bump_revision);

  // 2. The file that defines the data dir, and its edit.
  p.definition_file = systemd ? o.target.data_dir_file : o.target.defined_in;
  if (p.definition_file.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("etcd's data dir is its default (", o.target.data_dir, "); set --data-dir in ",
                     o.target.defined_in, " first"));
  }
  p.definition_file_raw = StripRoot(root, p.definition_file);
  p.data_dir_key = o.target.data_dir_key;
  KETCD_ASSIGN_OR_RETURN(p.original_text, fsutil::ReadFile(p.definition_file));
  p.old_data_dir = o.target.data_dir;
  KETCD_RETURN_IF_ERROR(PlanDataDirs(o, &p));
  if (!p.new_data_dir_raw.empty()) {
    p.new_data_dir = discovery::UnderRoot(root, p.new_data_dir_raw);
    p.diff = LineDiff(p.original_text, p.patched_text);
  }
  // 3. Free space beside the old data dir.
  std::string parent = fsutil::Dirname(p.new_data_dir.empty() ? p.old_data_dir : p.new_data_dir);
  KETCD_ASSIGN_OR_RETURN(p.free_bytes, FreeBytes(parent, &p.free_bytes_overridden));
  p.needed_bytes = NeededBytes(p.snapshot_size);
  if (p.free_bytes < p.needed_bytes) {
    return absl::FailedPreconditionError(absl::StrCat("not enough free space in ", parent, ": ",
                                                      HumanizeIec(static_cast<double>(p.free_bytes)), " free, ",
                                                      HumanizeIec(static_cast<double>(p.needed_bytes)),
                                                      " needed for a snapshot of ",
                                                      HumanizeIec(static_cast<double>(p.snapshot_size))));
  }

  // 4. Membership and the new cluster's identity.
  p.name = o.name.empty() ? o.target.name : o.name;
  KETCD_RETURN_IF_ERROR(FillMembers(o, &p));
  if (!o.initial_cluster.empty()) {
    p.members.clear();
    for (absl::string_view item : absl::StrSplit(o.initial_cluster, ',', absl::SkipEmpty())) {
      std::pair<std::string, std::string> kv = absl::StrSplit(item, absl::MaxSplits('=', 1));
      p.members.push_back(PlanMember{kv.first, {kv.second}, {}, false});
    }
    p.members_from = "--initial-cluster flag";
  }
  std::vector<std::string> cluster;
  for (auto& m : p.members) {
    m.this_node = m.name == p.name;
    if (m.this_node) p.peer_urls = m.peer_urls;
    for (const auto& u : m.peer_urls) cluster.push_back(absl::StrCat(m.name, "=", u));
  }
  if (!o.initial_advertise_peer_urls.empty()) p.peer_urls = absl::StrSplit(o.initial_advertise_peer_urls, ',');
  if (p.peer_urls.empty()) {
    return absl::FailedPreconditionError(absl::StrCat("this node's member ", p.name, " is not in the member list (",
                                                      p.members_from, ")"));
  }
  p.initial_cluster = absl::StrJoin(cluster, ",");
  if (!o.initial_cluster_token.empty()) {
    p.cluster_token = o.initial_cluster_token;
    p.token_from = "--initial-cluster-token flag";
  } else {
    p.cluster_token = absl::StrCat("kubectl-etcd-", p.snapshot_sha256.substr(0, 16));
    p.token_from = "derived from the snapshot's SHA-256, the same on every member restored from this file";
  }
  restore::RestoreOptions ro;
  ro.snapshot_path = o.snapshot;
  ro.data_dir = p.new_data_dir.empty() ? "/nonexistent" : p.new_data_dir;
  ro.name = p.name;
  ro.initial_cluster = p.initial_cluster;
  ro.initial_cluster_token = p.cluster_token;
  ro.initial_advertise_peer_urls = absl::StrJoin(p.peer_urls, ",");
  ro.bump_revision = o.bump_revision;
  ro.mark_compacted = o.bump_revision > 0;
  KETCD_ASSIGN_OR_RETURN(restore::RestorePlan rp, restore::PlanRestore(ro));
  p.new_cluster_id = rp.cluster_id;
  p.new_member_id = rp.local_id;

  // 5. HA: a member already restored must come from the same snapshot. Its restored
  // cluster ID is a hash of the member IDs, which hash the token, which (by default)
  // hashes the snapshot: a different ID that is not the old cluster's means another file.
  for (const auto& m : p.members) {
    if (m.this_node || m.peer_urls.empty()) continue;
    const auto& tls = o.connection.tls;
    uint64_t id = PeerClusterId(m.peer_urls[0], tls.ca_file, tls.cert_file, tls.key_file, 1500);
    if (id == 0) continue;
    if (id == p.new_cluster_id) {
      p.restored_members++;
      p.notes.push_back(absl::StrCat("member ", m.name, " is already restored from this snapshot"));
    } else if (p.old_etcd.cluster_id != 0 && id != p.old_etcd.cluster_id) {
      return absl::FailedPreconditionError(absl::StrCat(
          "member ", m.name, " (", m.peer_urls[0], ") already runs a restored cluster ", IdHex(id), ", not the ",
          IdHex(p.new_cluster_id), " this snapshot and token give: it was restored from another snapshot (or "
          "with another --initial-cluster-token); use the same file on every member"));
    }
  }
  p.quorum_after = static_cast<size_t>(p.restored_members + 1) >= p.members.size() / 2 + 1;

  // 6. Files around it.
  p.backup_base = discovery::UnderRoot(root, o.backup_base);
  p.backup_dir_raw = fsutil::JoinPath(o.backup_base, p.timestamp);
  for (int n = 2; n < 100 && fsutil::PathExists(discovery::UnderRoot(root, p.backup_dir_raw)); n++) {
    p.backup_dir_raw = fsutil::JoinPath(o.backup_base, absl::StrCat(p.timestamp, "-", n));
  }
  p.backup_dir = discovery::UnderRoot(root, p.backup_dir_raw);
  if (!systemd) {
    p.manifests_dir = fsutil::Dirname(p.definition_file);
    for (const char* name : kControlPlaneManifests) {
      std::string path = fsutil::JoinPath(p.manifests_dir, name);
      if (!fsutil::PathExists(path)) continue;
      p.control_plane.push_back(name);
      if (std::string(name) == "kube-apiserver.yaml") {
        auto pod = discovery::LoadPodManifest(path);
        if (!pod.ok()) return absl::InvalidArgumentError(pod.status().message());
        if (const auto* c = discovery::FindContainer(*pod, "kube-apiserver")) {
          std::vector<std::string> args(c->argv.begin() + (c->argv.empty() ? 0 : 1), c->argv.end());
          auto flags = discovery::ParseFlagMap(args);
          if (flags.count("secure-port")) p.apiserver_port = std::atoi(flags["secure-port"].c_str());
        }
      }
    }
  }
  p.journal = NewJournal(p);
  return p;
}

}  // namespace ketcd::noderestore
