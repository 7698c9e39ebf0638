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

// The main revision of a revision key, read as etcd does (int64 of the big-endian u64).
int64_t Be64Main(std::string_view v) { return v.size() >= 8 ? static_cast<int64_t>(LoadBE64(v.data())) : 0; }

// A member's JSON value as etcd writes it; fields of the wrong type are ignored.
MemberInfo ParseMember(std::string_view id, std::string_view value) {
  MemberInfo m;
  m.id_hex = std::string(id);
  auto j = nlohmann::json::parse(value.begin(), value.end(), nullptr, false);
  if (!j.is_object()) return m;
  auto str = [&](const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  auto strings = [&](const char* key) {
    std::vector<std::string> out;
    auto it = j.find(key);
    if (it == j.end() || !it->is_array()) return out;
    for (const auto& u : *it) {
      if (u.is_string()) out.push_back(u.get<std::string>());
    }
    return out;
  };
  m.name = str("name");
  auto learner = j.find("isLearner");
  m.is_learner = learner != j.end() && learner->is_boolean() && learner->get<bool>();
  m.peer_urls = strings("peerURLs");
  m.client_urls = strings("clientURLs");
  return m;
}

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
    if (k == "finishedCompactRev") out.compacted_revision = Be64Main(v);
    if (k == "scheduledCompactRev") out.scheduled_compact_revision = Be64Main(v);
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
    out.members.push_back(ParseMember(k, v));
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
