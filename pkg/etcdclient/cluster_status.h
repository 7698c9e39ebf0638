#pragma once
// The live status of every member of a cluster, as `etcdctl endpoint status --cluster`,
// `endpoint health --cluster` and `alarm list` report it together: the member list from
// the first endpoint that answers (linearizable, else that member's own view when there is
// no leader, so that the rows still show), then each member asked through a connection of its
// own (in parallel), its Status, a health check (a linearizable Range of the key
// "health", as etcdctl's) and the alarms raised on it. A member that cannot be reached
// keeps its row with the error, so that a report shows the others.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pkg/base/status.h"
#include "pkg/etcdclient/client.h"

namespace ketcd::etcdclient {

// The calls the status makes on one member (Client's; a seam for tests).
class MemberCalls {
 public:
  virtual ~MemberCalls() = default;
  virtual absl::StatusOr<etcdserverpb::StatusResponse> Status() = 0;
  virtual absl::StatusOr<etcdserverpb::MemberListResponse> MemberList(bool linearizable) = 0;
  virtual absl::StatusOr<etcdserverpb::AlarmResponse> Alarms() = 0;
  virtual absl::StatusOr<etcdserverpb::RangeResponse> Range(const etcdserverpb::RangeRequest& request) = 0;
};

// Opens the calls to an endpoint; called from several threads at once.
using Dialer = std::function<absl::StatusOr<std::unique_ptr<MemberCalls>>(const Endpoint&)>;
// Where a member of the list is reached: its first client URL, or (from a workstation)
// the local end of a port-forward to its pod. An error is that member's row error.
using Reach = std::function<absl::StatusOr<Endpoint>(const etcdserverpb::Member&)>;

enum class MemberHealth {
  kHealthy,      // answered Status and the health check, no alarm on it
  kUnhealthy,    // answered, but the health check failed or an alarm is raised on it
  kUnreachable,  // no connection, or Status failed
};
const char* MemberHealthName(MemberHealth h);          // "healthy", "unhealthy", "unreachable"
std::string AlarmName(etcdserverpb::AlarmType alarm);  // "NOSPACE", "CORRUPT", else the number

struct MemberStatus {
  uint64_t id = 0;
  std::string name;      // empty for a member that never started
  std::string endpoint;  // its first client URL ("" when it has none)
  bool is_learner = false;
  std::optional<etcdserverpb::StatusResponse> status;
  MemberHealth health = MemberHealth::kUnreachable;
  std::vector<std::string> alarms;  // raised on this member: NOSPACE, CORRUPT
  std::vector<std::string> errors;  // the member's own errors, the failed health check or connection
};

struct ClusterStatus {
  std::string asked;  // the endpoint the member list came from
  uint64_t cluster_id = 0;
  std::vector<MemberStatus> members;  // in member-list order
  // Alarms of members not in the list (and every alarm when the list came without them).
  std::vector<std::string> other_alarms;
  absl::Status error;  // no endpoint answered the member list: nothing else is known

  bool Healthy() const;
  // OK when healthy; else UnhealthyError naming the members at fault, or `error`.
  absl::Status Verdict() const;
};

struct ClusterStatusOptions {
  std::vector<Endpoint> seeds;  // asked in order for the member list and alarms
  Dialer dial;
  Reach reach;
};

ClusterStatus GatherClusterStatus(const ClusterStatusOptions& options);

// The real dialer: Client::Connect with `config` (TLS, user, timeouts).
Dialer ClientDialer(const ConnectionConfig& config);
// Each member at its first client URL, https when `config` has TLS material.
Reach ClientUrlReach(const ConnectionConfig& config);

}  // namespace ketcd::etcdclient
