#include "pkg/etcdclient/cluster_view.h"

namespace ketcd::etcdclient {
namespace {

// The Status of member `m`, through a connection of its own.
absl::StatusOr<etcdserverpb::StatusResponse> StatusOfMember(const ConnectionConfig& config, const Reach& reach,
                                                            const etcdserverpb::Member& m) {
  KETCD_ASSIGN_OR_RETURN(Endpoint ep, reach(m));
  KETCD_ASSIGN_OR_RETURN(std::unique_ptr<Client> client, Client::Connect(config, ep));
  return client->Status();
}

}  // namespace

ClusterView AskEtcd(const ConnectionConfig& config, const Reach& reach) {
  ClusterView v;
  const Reach at = reach ? reach : ClientUrlReach(config);
  auto sel = SelectMember(config);
  if (!sel.ok()) {
    v.error = sel.status();
    return v;
  }
  v.endpoint = sel->client->endpoint().Url();
  auto members = sel->client->MemberList();
  if (!members.ok()) {
    v.error = members.status();
    return v;
  }
  v.members = *members;
  auto alarms = sel->client->Alarms();
  if (alarms.ok()) v.alarms = *alarms;
  for (const auto& m : members->members()) {
    if (m.clienturls_size() == 0) continue;
    std::string url = m.clienturls(0);
    if (m.id() == sel->status.header().member_id()) {
      v.statuses.push_back({url, sel->status});
    } else {
      v.statuses.push_back({url, StatusOfMember(config, at, m)});
    }
  }
  return v;
}

}  // namespace ketcd::etcdclient
