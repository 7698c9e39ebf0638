// The credential-reading helper pod (see helper_pod.h).
#include "pkg/remote/helper_pod.h"

#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "pkg/base/interrupt.h"

namespace ketcd::remote {
namespace {

std::string Str(const nlohmann::json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : "";
}

// Images named like these almost always carry a shell.
constexpr const char* kLikelyShell[] = {"flannel", "calico", "cilium", "weave", "canal", "busybox", "alpine",
                                        "debian",  "ubuntu", "rancher/mirrored", "kube-proxy"};

}  // namespace

nlohmann::json BuildHelperPod(const HelperPodSpec& spec) {
  nlohmann::json volumes = nlohmann::json::array(), mounts = nlohmann::json::array();
  for (size_t i = 0; i < spec.host_dirs.size(); i++) {
    std::string vol = absl::StrCat("certs-", i);
    volumes.push_back({{"name", vol}, {"hostPath", {{"path", spec.host_dirs[i]}, {"type", "Directory"}}}});
    mounts.push_back({{"name", vol}, {"mountPath", spec.host_dirs[i]}, {"readOnly", true}});
  }
  // `sleep` where the image has one, else bash's read with a timeout on a pipe it holds
  // open itself (a bash-only image has no sleep).
  const std::string wait = absl::StrCat(
      "if command -v sleep >/dev/null 2>&1; then exec sleep ", kHelperDeadlineSeconds, "; fi; exec /bin/sh -c 'read -r -t ",
      kHelperDeadlineSeconds, " _ <> <(:)'");
  nlohmann::json labels = {{kManagedByLabel, kManagedByValue}, {kRunIdLabel, spec.run_id}};
  return {
      {"apiVersion", "v1"},
      {"kind", "Pod"},
      {"metadata", {{"name", spec.name}, {"namespace", spec.ns}, {"labels", labels}}},
      {"spec",
       {{"nodeName", spec.node},
        {"restartPolicy", "Never"},
        {"hostNetwork", true},  // starts even when the node's CNI does not
        {"automountServiceAccountToken", false},
        {"enableServiceLinks", false},
        {"activeDeadlineSeconds", kHelperDeadlineSeconds},
        {"terminationGracePeriodSeconds", 0},
        {"tolerations", nlohmann::json::array({{{"operator", "Exists"}}})},
        {"priorityClassName", "system-node-critical"},
        {"containers", nlohmann::json::array({{{"name", "read-certs"},
                                               {"image", spec.image},
                                               {"imagePullPolicy", "Never"},
                                               {"command", {"/bin/sh", "-c", wait}},
                                               {"volumeMounts", mounts}}})},
        {"volumes", volumes}}}};
}

std::vector<std::string> ShellImageCandidates(const nlohmann::json& node, const std::string& exclude) {
  std::vector<std::string> likely, others;
  const nlohmann::json* images = nullptr;
  if (node.is_object() && node.contains("status") && node["status"].is_object() &&
      node["status"].contains("images") && node["status"]["images"].is_array()) {
    images = &node["status"]["images"];
  }
  if (images == nullptr) return {};
  for (const nlohmann::json& img : *images) {
    if (!img.is_object() || !img.contains("names") || !img["names"].is_array()) continue;
    std::string name;
    for (const nlohmann::json& n : img["names"]) {  // a tag reads better than a digest
      if (!n.is_string()) continue;
      std::string s = n.get<std::string>();
      if (name.empty() || (absl::StrContains(name, "@sha256:") && !absl::StrContains(s, "@sha256:"))) name = s;
    }
    if (name.empty() || name == exclude || absl::StrContains(name, "/pause")) continue;
    bool is_likely = false;
    for (const char* word : kLikelyShell) is_likely |= absl::StrContains(name, word);
    (is_likely ? likely : others).push_back(name);
  }
  likely.insert(likely.end(), others.begin(), others.end());
  return likely;
}

HelperStatus HelperPodStatus(const nlohmann::json& pod) {
  const nlohmann::json status = pod.is_object() && pod.contains("status") ? pod["status"] : nlohmann::json::object();
  const std::string phase = Str(status, "phase");
  if (phase == "Failed" || phase == "Succeeded") {
    return {HelperState::kFailed, absl::StrCat("pod ", phase, Str(status, "message").empty() ? "" : ": ",
                                               Str(status, "message"))};
  }
  if (status.contains("containerStatuses") && status["containerStatuses"].is_array()) {
    for (const nlohmann::json& cs : status["containerStatuses"]) {
      const nlohmann::json state = cs.is_object() && cs.contains("state") ? cs["state"] : nlohmann::json();
      if (!state.is_object()) continue;
      if (state.contains("running")) return {HelperState::kRunning, ""};
      for (const char* key : {"terminated", "waiting"}) {
        if (!state.contains(key)) continue;
        std::string reason = Str(state[key], "reason");
        std::string message = Str(state[key], "message");
        if (std::string(key) == "waiting" && (reason.empty() || reason == "ContainerCreating")) continue;
        return {HelperState::kFailed, absl::StrCat(reason, message.empty() ? "" : ": ", message)};
      }
    }
  }
  return {HelperState::kPending, ""};
}

absl::StatusOr<HelperStatus> CreateHelperPod(const kubeclient::Client& api, const HelperPodSpec& spec,
                                             std::chrono::milliseconds timeout) {
  const std::string base = absl::StrCat("/api/v1/namespaces/", spec.ns, "/pods");
  auto created = api.Request("POST", base, BuildHelperPod(spec).dump());
  if (!created.ok()) {
    return absl::Status(created.status().code(),
                        absl::StrCat("the API server refused the helper pod ", spec.ns, "/", spec.name, " on node ",
                                     spec.node, ": ", created.status().message()));
  }
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (Interrupted()) return absl::CancelledError("interrupted");
    auto pod = api.Get(absl::StrCat(base, "/", spec.name));
    if (pod.ok()) {
      HelperStatus st = HelperPodStatus(*pod);
      if (st.state != HelperState::kPending) return st;
    } else if (absl::IsNotFound(pod.status())) {
      return HelperStatus{HelperState::kFailed, "the pod was deleted"};
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return HelperStatus{HelperState::kFailed,
                          absl::StrCat("not running after ", timeout.count() / 1000, "s")};
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
}

absl::Status DeletePod(const kubeclient::Client& api, const std::string& ns, const std::string& name) {
  auto r = api.Request("DELETE", absl::StrCat("/api/v1/namespaces/", ns, "/pods/", name),
                       R"({"kind":"DeleteOptions","apiVersion":"v1","gracePeriodSeconds":0})");
  if (r.ok() || absl::IsNotFound(r.status())) return absl::OkStatus();
  return r.status();
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> ListOurPods(const kubeclient::Client& api) {
  KETCD_ASSIGN_OR_RETURN(nlohmann::json list,
                         api.Get(absl::StrCat("/api/v1/pods?labelSelector=", kManagedByLabel, "%3D", kManagedByValue)));
  std::vector<std::pair<std::string, std::string>> pods;
  if (!list.is_object() || !list.contains("items") || !list["items"].is_array()) {
    return absl::UnavailableError("the API server's pod list has no items");
  }
  for (const nlohmann::json& item : list["items"]) {
    const nlohmann::json meta = item.is_object() && item.contains("metadata") ? item["metadata"] : nlohmann::json();
    if (!Str(meta, "name").empty()) pods.emplace_back(Str(meta, "namespace"), Str(meta, "name"));
  }
  return pods;
}

}  // namespace ketcd::remote
