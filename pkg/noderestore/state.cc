#include "pkg/noderestore/state.h"

#include <dirent.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "pkg/base/format.h"
#include "pkg/discovery/discovery.h"
#include "pkg/fsutil/file.h"
#include "pkg/noderestore/files.h"

namespace ketcd::noderestore {

std::string StateToJson(const State& s) {
  nlohmann::ordered_json j;
  j["kind"] = s.kind;
  j["phase"] = s.phase;
  j["started"] = s.started;
  j["hostRoot"] = s.host_root;
  j["backupDir"] = s.backup_dir;
  j["definitionFile"] = s.definition_file;
  j["definitionBackup"] = s.definition_backup;
  j["manifestsDir"] = s.manifests_dir;
  j["moved"] = s.moved;
  j["oldDataDir"] = s.old_data_dir;
  j["newDataDir"] = s.new_data_dir;
  j["snapshot"] = s.snapshot;
  j["snapshotSha256"] = s.snapshot_sha256;
  j["clusterToken"] = s.cluster_token;
  j["oldClusterID"] = IdHex(s.old_cluster_id);
  j["newClusterID"] = IdHex(s.new_cluster_id);
  j["kubeadmConfigUpdated"] = s.kubeadm_config_updated;
  return j.dump(2) + "\n";
}

absl::StatusOr<State> StateFromJson(const std::string& text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object()) return absl::DataLossError("state file is not a JSON object");
  State s;
  auto str = [&](const char* k) { return j.contains(k) && j[k].is_string() ? j[k].get<std::string>() : ""; };
  s.kind = str("kind");
  s.phase = str("phase");
  s.started = str("started");
  s.host_root = str("hostRoot");
  s.backup_dir = str("backupDir");
  s.definition_file = str("definitionFile");
  s.definition_backup = str("definitionBackup");
  s.manifests_dir = str("manifestsDir");
  if (j.contains("moved") && j["moved"].is_array()) {
    for (const auto& m : j["moved"]) {
      if (m.is_string()) s.moved.push_back(m.get<std::string>());
    }
  }
  s.old_data_dir = str("oldDataDir");
  s.new_data_dir = str("newDataDir");
  s.snapshot = str("snapshot");
  s.snapshot_sha256 = str("snapshotSha256");
  s.cluster_token = str("clusterToken");
  s.old_cluster_id = std::strtoull(str("oldClusterID").c_str(), nullptr, 16);
  s.new_cluster_id = std::strtoull(str("newClusterID").c_str(), nullptr, 16);
  s.kubeadm_config_updated = j.value("kubeadmConfigUpdated", false);
  if (s.definition_file.empty() || s.definition_backup.empty()) {
    return absl::DataLossError("state file names no definition file or backup");
  }
  return s;
}

absl::Status SaveState(const State& s) {
  std::string path = discovery::UnderRoot(s.host_root, fsutil::JoinPath(s.backup_dir, "state.json"));
  return WriteFileDurably(path, StateToJson(s), 0600);
}

absl::StatusOr<State> LoadState(const std::string& path) {
  KETCD_ASSIGN_OR_RETURN(std::string text, fsutil::ReadFile(path));
  auto s = StateFromJson(text);
  if (!s.ok()) return absl::DataLossError(absl::StrCat(path, ": ", s.status().message()));
  return s;
}

absl::StatusOr<std::string> LatestStateFile(const std::string& base) {
  DIR* d = ::opendir(base.c_str());
  if (d == nullptr) return absl::NotFoundError(absl::StrCat("no restore to undo: ", base, " does not exist"));
  std::vector<std::string> names;
  while (struct dirent* e = ::readdir(d)) {
    if (e->d_name[0] != '.') names.push_back(e->d_name);
  }
  ::closedir(d);
  std::sort(names.rbegin(), names.rend());  // UTC timestamps sort by time
  for (const std::string& n : names) {
    std::string path = fsutil::JoinPath(fsutil::JoinPath(base, n), "state.json");
    if (!fsutil::PathExists(path)) continue;
    auto s = LoadState(path);
    if (s.ok() && (s->phase == "done" || s->phase == "restored")) return path;
  }
  return absl::NotFoundError(absl::StrCat("no restore to undo under ", base));
}

}  // namespace ketcd::noderestore
