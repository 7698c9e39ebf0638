#include "pkg/noderestore/journal.h"

#include <nlohmann/json.hpp>

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "pkg/base/format.h"
#include "pkg/cli/json_text.h"
#include "pkg/discovery/discovery.h"
#include "pkg/fsutil/file.h"
#include "pkg/noderestore/node_ops.h"

namespace ketcd::noderestore {
namespace {

constexpr int kFormatVersion = 2;

struct LayoutNameEntry {
  Layout layout;
  const char* name;
};
constexpr LayoutNameEntry kLayouts[] = {{Layout::kKubeadm, "kubeadm"},
                                        {Layout::kStaticPod, "static-pod"},
                                        {Layout::kSystemd, "systemd"},
                                        {Layout::kRke2, "rke2"}};
struct PhaseNameEntry {
  Phase phase;
  const char* name;
};
constexpr PhaseNameEntry kPhases[] = {{Phase::kRunning, "running"},         {Phase::kDone, "done"},
                                      {Phase::kRollingBack, "rolling-back"}, {Phase::kRolledBack, "rolled-back"},
                                      {Phase::kUndoing, "undoing"},          {Phase::kUndone, "undone"}};

// Reads the fields of a journal object, checking each one's type; the first mismatch is kept.
class Reader {
 public:
  explicit Reader(const nlohmann::json& j) : j_(j) {}
  void Str(const char* key, std::string* out) {
    if (const auto* v = Field(key); v != nullptr) {
      if (v->is_string()) {
        *out = cli::JsonTextBytes(v->get<std::string>());  // "base64:..." for bytes that are not UTF-8
      } else {
        Bad(key, "a string");
      }
    }
  }
  void Strs(const char* key, std::vector<std::string>* out) {
    const auto* v = Field(key);
    if (v == nullptr) return;
    if (!v->is_array()) return Bad(key, "a list of strings");
    for (const auto& item : *v) {
      if (!item.is_string()) return Bad(key, "a list of strings");
      out->push_back(cli::JsonTextBytes(item.get<std::string>()));
    }
  }
  void Bool(const char* key, bool* out) {
    if (const auto* v = Field(key); v != nullptr) {
      if (v->is_boolean()) {
        *out = v->get<bool>();
      } else {
        Bad(key, "true or false");
      }
    }
  }
  template <typename Int>
  void Number(const char* key, Int* out) {
    if (const auto* v = Field(key); v != nullptr) {
      if (v->is_number_integer()) {
        *out = v->get<Int>();
      } else {
        Bad(key, "an integer");
      }
    }
  }
  void Id(const char* key, uint64_t* out) {
    std::string hex;
    Str(key, &hex);
    if (hex.empty()) return;
    char* end = nullptr;
    *out = std::strtoull(hex.c_str(), &end, 16);
    if (end == nullptr || *end != '\0') Bad(key, "a hexadecimal ID");
  }
  const absl::Status& status() const { return status_; }

 private:
  const nlohmann::json* Field(const char* key) {
    auto it = j_.find(key);
    return it == j_.end() || it->is_null() ? nullptr : &*it;
  }
  void Bad(const char* key, const char* want) {
    if (status_.ok()) status_ = absl::DataLossError(absl::StrCat("\"", key, "\" is not ", want));
  }
  const nlohmann::json& j_;
  absl::Status status_;
};

}  // namespace

const char* LayoutName(Layout layout) {
  for (const auto& e : kLayouts) {
    if (e.layout == layout) return e.name;
  }
  return "unknown";
}

absl::StatusOr<Layout> ParseLayout(const std::string& name) {
  for (const auto& e : kLayouts) {
    if (name == e.name) return e.layout;
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown etcd layout \"", name, "\""));
}

const char* PhaseName(Phase phase) {
  for (const auto& e : kPhases) {
    if (e.phase == phase) return e.name;
  }
  return "unknown";
}

absl::StatusOr<Phase> ParsePhase(const std::string& name) {
  for (const auto& e : kPhases) {
    if (name == e.name) return e.phase;
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown phase \"", name, "\""));
}

bool Unfinished(Phase phase) {
  return phase == Phase::kRunning || phase == Phase::kRollingBack || phase == Phase::kUndoing;
}

void PutIdentities(const EtcdIdentity& old_etcd, uint64_t new_cluster_id, uint64_t new_member_id,
                   nlohmann::ordered_json* o) {
  (*o)["oldClusterID"] = old_etcd.cluster_id ? IdHex(old_etcd.cluster_id) : "";
  (*o)["oldMemberID"] = old_etcd.member_id ? IdHex(old_etcd.member_id) : "";
  (*o)["oldRevision"] = old_etcd.revision;
  (*o)["newClusterID"] = IdHex(new_cluster_id);
  (*o)["newMemberID"] = IdHex(new_member_id);
}

std::string JournalToJson(const Journal& j) {
  nlohmann::ordered_json o;
  o["format"] = kFormatVersion;
  o["runID"] = j.run_id;
  o["layout"] = LayoutName(j.layout);
  o["phase"] = PhaseName(j.phase);
  o["step"] = j.step;
  o["undoNext"] = j.undo_next;
  o["error"] = j.error;
  o["backupDir"] = j.backup_dir;
  o["definitionFile"] = j.definition_file;
  o["definitionOriginal"] = j.definition_original;
  o["definitionPatched"] = j.definition_patched;
  o["dataDirSetting"] = j.data_dir_setting;
  o["manifestsDir"] = j.manifests_dir;
  o["controlPlane"] = j.control_plane;
  o["apiServerPort"] = j.apiserver_port;
  o["oldDataDir"] = j.old_data_dir;
  o["newDataDir"] = j.new_data_dir;
  o["oldWalDir"] = j.old_wal_dir;
  o["newWalDir"] = j.new_wal_dir;
  o["snapshot"] = j.snapshot;
  o["snapshotSha256"] = j.snapshot_sha256;
  o["skipHashCheck"] = j.skip_hash_check;
  o["name"] = j.name;
  o["initialCluster"] = j.initial_cluster;
  o["clusterToken"] = j.cluster_token;
  o["peerURLs"] = j.peer_urls;
  o["bumpRevision"] = j.bump_revision;
  o["expectedRevision"] = j.expected_revision;
  o["members"] = j.members;
  o["quorumAfter"] = j.quorum_after;
  PutIdentities(j.old_etcd, j.new_cluster_id, j.new_member_id, &o);
  o["updateKubeadmConfig"] = j.update_kubeadm_config;
  o["kubeadmConfigUpdated"] = j.kubeadm_config_updated;
  o["restartKubelet"] = j.restart_kubelet;
  return cli::JsonSafe(o).dump(2) + "\n";  // paths are bytes: never throw on one that is not UTF-8
}

absl::StatusOr<Journal> JournalFromJson(const std::string& text) {
  nlohmann::json o = nlohmann::json::parse(text, nullptr, false);
  if (!o.is_object()) return absl::DataLossError("not a JSON object");
  if (!o.contains("format") || !o["format"].is_number_integer() || o["format"].get<int64_t>() != kFormatVersion) {
    return absl::DataLossError(absl::StrCat("not a journal of format ", kFormatVersion));
  }
  Journal j;
  Reader r(o);
  std::string layout, phase;
  r.Str("runID", &j.run_id);
  r.Str("layout", &layout);
  r.Str("phase", &phase);
  r.Str("step", &j.step);
  r.Number("undoNext", &j.undo_next);
  r.Str("error", &j.error);
  r.Str("backupDir", &j.backup_dir);
  r.Str("definitionFile", &j.definition_file);
  r.Str("definitionOriginal", &j.definition_original);
  r.Str("definitionPatched", &j.definition_patched);
  r.Str("dataDirSetting", &j.data_dir_setting);
  r.Str("manifestsDir", &j.manifests_dir);
  r.Strs("controlPlane", &j.control_plane);
  r.Number("apiServerPort", &j.apiserver_port);
  r.Str("oldDataDir", &j.old_data_dir);
  r.Str("newDataDir", &j.new_data_dir);
  r.Str("oldWalDir", &j.old_wal_dir);
  r.Str("newWalDir", &j.new_wal_dir);
  r.Str("snapshot", &j.snapshot);
  r.Str("snapshotSha256", &j.snapshot_sha256);
  r.Bool("skipHashCheck", &j.skip_hash_check);
  r.Str("name", &j.name);
  r.Str("initialCluster", &j.initial_cluster);
  r.Str("clusterToken", &j.cluster_token);
  r.Strs("peerURLs", &j.peer_urls);
  r.Number("bumpRevision", &j.bump_revision);
  r.Number("expectedRevision", &j.expected_revision);
  r.Number("members", &j.members);
  r.Bool("quorumAfter", &j.quorum_after);
  r.Id("oldClusterID", &j.old_etcd.cluster_id);
  r.Id("oldMemberID", &j.old_etcd.member_id);
  r.Number("oldRevision", &j.old_etcd.revision);
  r.Id("newClusterID", &j.new_cluster_id);
  r.Id("newMemberID", &j.new_member_id);
  r.Bool("updateKubeadmConfig", &j.update_kubeadm_config);
  r.Bool("kubeadmConfigUpdated", &j.kubeadm_config_updated);
  r.Bool("restartKubelet", &j.restart_kubelet);
  KETCD_RETURN_IF_ERROR(r.status());
  auto l = ParseLayout(layout);
  if (!l.ok()) return absl::DataLossError(l.status().message());
  j.layout = *l;
  auto p = ParsePhase(phase);
  if (!p.ok()) return absl::DataLossError(p.status().message());
  j.phase = *p;
  if (j.run_id.empty() || j.backup_dir.empty() || j.definition_file.empty() || j.definition_original.empty()) {
    return absl::DataLossError("names no run, backup dir or definition file");
  }
  return j;
}

std::string JournalPath(const std::string& host_root, const Journal& j) {
  return discovery::UnderRoot(host_root, fsutil::JoinPath(j.backup_dir, "state.json"));
}

namespace {
JournalSavedHook g_saved_hook = nullptr;
}  // namespace

void SetJournalSavedHook(JournalSavedHook hook) { g_saved_hook = hook; }

absl::Status SaveJournal(NodeOps& ops, const std::string& host_root, const Journal& j) {
  KETCD_RETURN_IF_ERROR(WriteDurably(ops, JournalPath(host_root, j), JournalToJson(j), 0600));
  if (g_saved_hook != nullptr) g_saved_hook(j);
  return absl::OkStatus();
}

absl::StatusOr<Journal> LoadJournal(NodeOps& ops, const std::string& path) {
  KETCD_ASSIGN_OR_RETURN(std::string text, ops.ReadFile(path));
  auto j = JournalFromJson(text);
  if (!j.ok()) return absl::DataLossError(absl::StrCat(path, ": ", j.status().message()));
  return j;
}

std::vector<RunEntry> ListRuns(NodeOps& ops, const std::string& base) {
  std::vector<RunEntry> runs;
  auto names = ops.ListDir(base);
  if (!names.ok()) return runs;
  for (auto it = names->rbegin(); it != names->rend(); ++it) {  // UTC timestamps sort by time
    std::string path = fsutil::JoinPath(fsutil::JoinPath(base, *it), "state.json");
    if (!ops.Exists(path)) continue;
    RunEntry e;
    e.id = *it;
    e.path = path;
    e.journal = LoadJournal(ops, path);
    runs.push_back(std::move(e));
  }
  return runs;
}

}  // namespace ketcd::noderestore
