#include "pkg/snapshot/inspect.h"

#include <nlohmann/json.hpp>

#include <vector>

#include "absl/strings/str_split.h"
#include "pkg/base/bytes.h"
#include "pkg/base/format.h"
#include "pkg/snapshot/proto_lite.h"

namespace ketcd::snapshot {
namespace {

// /registry/<resource>/[<namespace>/]<name>; API groups with a dot get one more level:
// /registry/<group>/<resource>/... The namespace is only known when two segments follow
// the resource, so a cluster-scoped name with a slash would be miscounted (rare).
void Classify(std::string_view key, std::string& resource, std::string& ns) {
  resource.clear();
  ns.clear();
  constexpr std::string_view kPrefix = "/registry/";
  if (key.substr(0, kPrefix.size()) != kPrefix) {
    resource = "(not under /registry/)";
    return;
  }
  std::vector<std::string> parts =
      absl::StrSplit(absl::string_view(key.data() + kPrefix.size(), key.size() - kPrefix.size()), '/');
  size_t i = 0;
  resource = parts[i++];
  if (resource.find('.') != std::string::npos && parts.size() >= 3) resource += "/" + parts[i++];
  if (parts.size() - i >= 2) ns = parts[i];
}

std::string Be64Main(std::string_view v) { return v.size() >= 8 ? std::to_string(LoadBE64(v.data())) : "0"; }

}  // namespace

void KeyInspector::Add(std::string_view rev_key, int64_t main_rev, bool tombstone, std::string_view user_key,
                       uint64_t value_bytes, int64_t lease) {
  if (revisions_ == 0) oldest_ = main_rev;
  revisions_++;
  if (tombstone) tombstones_++;
  Latest& l = latest_[std::string(user_key)];
  l.live = !tombstone;
  l.value_bytes = value_bytes;
  l.has_lease = lease != 0;
}

void KeyInspector::Finish(Inspection& out) {
  out.revisions_kept = revisions_;
  out.tombstones = tombstones_;
  out.oldest_revision = oldest_;
  std::string resource, ns;
  for (const auto& [key, l] : latest_) {
    if (!l.live) continue;
    out.live_keys++;
    out.live_value_bytes += l.value_bytes;
    if (l.has_lease) out.keys_with_lease++;
    Classify(key, resource, ns);
    ResourceCount& rc = out.resources[resource];
    rc.keys++;
    rc.bytes += l.value_bytes;
    if (!ns.empty()) rc.namespaces[ns]++;
  }
  latest_.clear();
}

absl::Status InspectOtherBuckets(const bbolt::Db& db, Inspection& out) {
  auto each = [&](const char* bucket, auto fn) -> absl::Status {
    KETCD_ASSIGN_OR_RETURN(auto b, db.FindBucket(db.root(), bucket));
    if (!b.has_value()) return absl::OkStatus();
    return db.ForEach(*b, [&](const bbolt::Entry& e) -> absl::Status {
      fn(e.key, e.value);
      return absl::OkStatus();
    });
  };
  KETCD_RETURN_IF_ERROR(each("meta", [&](std::string_view k, std::string_view v) {
    if (k == "consistent_index" && v.size() == 8) out.consistent_index = LoadBE64(v.data());
    if (k == "term" && v.size() == 8) {
      out.term = LoadBE64(v.data());
      out.has_term = true;
    }
    if (k == "finishedCompactRev") out.compacted_revision = std::stoll(Be64Main(v));
    if (k == "scheduledCompactRev") out.scheduled_compact_revision = std::stoll(Be64Main(v));
  }));
  KETCD_RETURN_IF_ERROR(each("auth", [&](std::string_view k, std::string_view v) {
    if (k == "authEnabled") out.auth_enabled = v.size() == 1 && v[0] == 1;
    if (k == "authRevision" && v.size() == 8) out.auth_revision = LoadBE64(v.data());
  }));
  KETCD_RETURN_IF_ERROR(each("authUsers", [&](std::string_view k, std::string_view) { out.users.emplace_back(k); }));
  KETCD_RETURN_IF_ERROR(each("authRoles", [&](std::string_view k, std::string_view) { out.roles.emplace_back(k); }));
  KETCD_RETURN_IF_ERROR(each("lease", [&](std::string_view, std::string_view) { out.leases++; }));
  KETCD_RETURN_IF_ERROR(each("cluster", [&](std::string_view k, std::string_view v) {
    if (k == "clusterVersion") out.cluster_version = std::string(v);
  }));
  KETCD_RETURN_IF_ERROR(each("members_removed", [&](std::string_view k, std::string_view) {
    out.removed_members.emplace_back(k);
  }));
  KETCD_RETURN_IF_ERROR(each("members", [&](std::string_view k, std::string_view v) {
    MemberInfo m;
    m.id_hex = std::string(k);
    auto j = nlohmann::json::parse(v.begin(), v.end(), nullptr, false);
    if (j.is_object()) {
      m.name = j.value("name", "");
      m.is_learner = j.value("isLearner", false);
      if (j.contains("peerURLs") && j["peerURLs"].is_array()) {
        for (const auto& u : j["peerURLs"]) {
          if (u.is_string()) m.peer_urls.push_back(u.get<std::string>());
        }
      }
      if (j.contains("clientURLs") && j["clientURLs"].is_array()) {
        for (const auto& u : j["clientURLs"]) {
          if (u.is_string()) m.client_urls.push_back(u.get<std::string>());
        }
      }
    }
    out.members.push_back(std::move(m));
  }));
  KETCD_RETURN_IF_ERROR(each("alarm", [&](std::string_view k, std::string_view) {
    auto a = DecodeAlarmMember(k);
    AlarmInfo info;
    if (a.ok()) {
      info.member_id_hex = IdHex(a->member_id);
      info.alarm = a->alarm == 1 ? "NOSPACE" : a->alarm == 2 ? "CORRUPT" : std::to_string(a->alarm);
    } else {
      info.alarm = "(undecodable)";
    }
    out.alarms.push_back(std::move(info));
  }));
  return absl::OkStatus();
}

}  // namespace ketcd::snapshot
