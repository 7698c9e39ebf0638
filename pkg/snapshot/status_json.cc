#include "pkg/snapshot/status_json.h"

namespace ketcd::snapshot {
namespace {

Json InspectJson(const Inspection& in) {
  Json resources = Json::object();
  for (const auto& [name, rc] : in.resources) {
    Json ns = Json::object();
    for (const auto& [n, c] : rc.namespaces) ns[n] = c;
    resources[name] = {{"keys", rc.keys}, {"bytes", rc.bytes}, {"namespaces", ns}};
  }
  Json members = Json::array();
  for (const auto& m : in.members) {
    members.push_back({{"id", m.id_hex}, {"name", m.name}, {"peerURLs", m.peer_urls},
                       {"clientURLs", m.client_urls}, {"isLearner", m.is_learner}});
  }
  Json alarms = Json::array();
  for (const auto& a : in.alarms) alarms.push_back({{"memberID", a.member_id_hex}, {"alarm", a.alarm}});
  return {{"liveKeys", in.live_keys},
          {"liveValueBytes", in.live_value_bytes},
          {"revisionsKept", in.revisions_kept},
          {"tombstones", in.tombstones},
          {"oldestRevision", in.oldest_revision},
          {"compactedRevision", in.compacted_revision},
          {"scheduledCompactRevision", in.scheduled_compact_revision},
          {"resources", resources},
          {"leases", in.leases},
          {"keysWithLease", in.keys_with_lease},
          {"authEnabled", in.auth_enabled},
          {"authRevision", in.auth_revision},
          {"users", in.users},
          {"roles", in.roles},
          {"members", members},
          {"removedMembers", in.removed_members},
          {"alarms", alarms},
          {"clusterVersion", in.cluster_version},
          {"consistentIndex", in.consistent_index},
          {"term", in.term}};
}

}  // namespace

Json StatusJson(const SnapshotStatus& st, bool with_inspect) {
  // etcd's keys first, with etcd's values; ours after them.
  Json j = {{"hash", st.hash}, {"revision", st.revision}, {"totalKey", st.total_key}, {"totalSize", st.total_size}};
  if (st.has_storage_version) j["version"] = st.version;
  j["keyCountSemantics"] = SemanticsName(st.semantics);
  Json integrity = {{"checked", st.integrity_checked}, {"ok", st.integrity.ok()},
                    {"problems", st.integrity.problems}};
  if (st.integrity_checked) {
    integrity["pages"] = {{"highWaterMark", st.integrity.high_water_mark},
                          {"reachable", st.integrity.reachable_pages},
                          {"free", st.integrity.free_pages},
                          {"branch", st.integrity.branch_pages},
                          {"leaf", st.integrity.leaf_pages},
                          {"overflow", st.integrity.overflow_pages}};
    integrity["freelistPersisted"] = st.integrity.freelist_persisted;
  }
  j["integrity"] = integrity;
  j["sha256"] = {{"state", bbolt::TrailerStateName(st.trailer.state)}};
  if (st.trailer.state != bbolt::TrailerState::kAbsent) j["sha256"]["stored"] = st.trailer.stored_hex;
  if (!st.trailer.computed_hex.empty()) j["sha256"]["computed"] = st.trailer.computed_hex;
  j["pageSize"] = st.page_size;
  j["fileSize"] = st.file_size;
  j["metaPage"] = st.meta_page;
  j["txid"] = st.txid;
  if (!st.meta_warnings.empty()) j["metaWarnings"] = st.meta_warnings;
  Json buckets = Json::object();
  for (const auto& [name, n] : st.buckets) buckets[name] = n;
  j["buckets"] = buckets;
  if (with_inspect) j["inspect"] = InspectJson(st.inspect);
  return j;
}

}  // namespace ketcd::snapshot
