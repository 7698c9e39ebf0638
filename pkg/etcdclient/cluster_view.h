#pragma once
// What a running cluster says about itself, asked through one connection: the member
// list, each member's Status through its first client URL, and the alarms. Errors are
// kept in the view instead of returned, so that a report can show what was learnt
// before the failure.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "pkg/base/status.h"
#include "pkg/etcdclient/client.h"
#include "pkg/etcdclient/cluster_status.h"

namespace ketcd::etcdclient {

struct ClusterView {
  std::string endpoint;  // the member the answers came from
  std::optional<etcdserverpb::MemberListResponse> members;
  // (client URL, its Status), one per member that has a client URL, in member-list order.
  std::vector<std::pair<std::string, absl::StatusOr<etcdserverpb::StatusResponse>>> statuses;
  std::optional<etcdserverpb::AlarmResponse> alarms;
  absl::Status error;  // no member answered, or the member list failed
};

// Selects a member (SelectMember), then asks for the rest, each where `reach` says (by
// default at its client URL). Learners and members that never started have no client URL
// and so no Status.
ClusterView AskEtcd(const ConnectionConfig& config, const Reach& reach = nullptr);

}  // namespace ketcd::etcdclient
