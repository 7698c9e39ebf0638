#include "pkg/etcdclient/cluster_status.h"

#include <future>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace ketcd::etcdclient {
namespace {

class ClientCalls : public MemberCalls {
 public:
  explicit ClientCalls(std::unique_ptr<Client> client) : client_(std::move(client)) {}
  absl::StatusOr<etcdserverpb::StatusResponse> Status() override { return client_->Status(); }
  absl::StatusOr<etcdserverpb::MemberListResponse> MemberList(bool linearizable) override {
    return client_->MemberList(linearizable);
  }
  absl::StatusOr<etcdserverpb::AlarmResponse> Alarms() override { return client_->Alarms(); }
  absl::StatusOr<etcdserverpb::RangeResponse> Range(const etcdserverpb::RangeRequest& request) override {
    return client_->Range(request);
  }

 private:
  std::unique_ptr<Client> client_;
};

// etcdctl's health check: a Range of "health", linearizable (so it needs a leader and a
// quorum); serializable on a learner, which serves no linearizable read. "permission
// denied" (auth on, no role for the key) still proves the member serves requests.
absl::Status CheckHealth(MemberCalls& calls, bool learner) {
  etcdserverpb::RangeRequest req;
  req.set_key("health");
  req.set_serializable(learner);
  auto got = calls.Range(req);
  if (got.ok() || absl::IsPermissionDenied(got.status())) return absl::OkStatus();
  return got.status();
}

MemberStatus AskMember(const ClusterStatusOptions& o, const etcdserverpb::Member& m,
                       const std::vector<std::string>& alarms) {
  MemberStatus row;
  row.id = m.id();
  row.name = m.name();
  row.is_learner = m.islearner();
  row.alarms = alarms;
  if (m.clienturls_size() > 0) row.endpoint = m.clienturls(0);
  auto ep = o.reach(m);
  if (!ep.ok()) {
    row.errors.push_back(std::string(ep.status().message()));
    return row;
  }
  auto calls = o.dial(*ep);
  if (!calls.ok()) {
    row.errors.push_back(std::string(calls.status().message()));
    return row;
  }
  auto st = (*calls)->Status();
  if (!st.ok()) {
    row.errors.push_back(std::string(st.status().message()));
    return row;
  }
  row.status = *st;
  for (const std::string& e : st->errors()) row.errors.push_back(e);
  absl::Status health = CheckHealth(**calls, m.islearner());
  if (!health.ok()) row.errors.push_back(absl::StrCat("health check: ", health.message()));
  row.health = health.ok() && alarms.empty() ? MemberHealth::kHealthy : MemberHealth::kUnhealthy;
  return row;
}

}  // namespace

const char* MemberHealthName(MemberHealth h) {
  switch (h) {
    case MemberHealth::kHealthy:
      return "healthy";
    case MemberHealth::kUnhealthy:
      return "unhealthy";
    case MemberHealth::kUnreachable:
      return "unreachable";
  }
  return "unknown";
}

std::string AlarmName(etcdserverpb::AlarmType alarm) {
  switch (alarm) {
    case etcdserverpb::NOSPACE:
      return "NOSPACE";
    case etcdserverpb::CORRUPT:
      return "CORRUPT";
    default:
      return absl::StrCat(static_cast<int>(alarm));
  }
}

bool ClusterStatus::Healthy() const {
  if (!error.ok() || members.empty() || !other_alarms.empty()) return false;
  for (const MemberStatus& m : members) {
    if (m.health != MemberHealth::kHealthy) return false;
  }
  return true;
}

absl::Status ClusterStatus::Verdict() const {
  if (!error.ok()) return error;
  if (Healthy()) return absl::OkStatus();
  std::vector<std::string> bad;
  for (const MemberStatus& m : members) {
    if (m.health == MemberHealth::kHealthy) continue;
    bad.push_back(
        absl::StrCat(m.name.empty() ? absl::StrCat(absl::Hex(m.id)) : m.name, " ", MemberHealthName(m.health)));
  }
  for (const std::string& a : other_alarms) bad.push_back(absl::StrCat("alarm ", a));
  return UnhealthyError(absl::StrCat("the etcd cluster is not healthy: ", absl::StrJoin(bad, ", ")));
}

ClusterStatus GatherClusterStatus(const ClusterStatusOptions& o) {
  ClusterStatus cs;
  std::unique_ptr<MemberCalls> seed;
  absl::StatusOr<etcdserverpb::MemberListResponse> list = absl::UnavailableError("no endpoint given");
  for (const Endpoint& ep : o.seeds) {
    auto calls = o.dial(ep);
    list = calls.ok() ? (*calls)->MemberList(true) : calls.status();
    if (calls.ok() && !list.ok() && !absl::IsCancelled(list.status())) {
      // No leader (an election, a lost quorum): the member's own view still names everyone.
      if (auto local = (*calls)->MemberList(false); local.ok()) list = std::move(local);
    }
    if (list.ok()) {
      seed = std::move(*calls);
      cs.asked = ep.Url();
      break;
    }
    if (absl::IsCancelled(list.status())) break;
  }
  if (!list.ok()) {
    cs.error = list.status();
    return cs;
  }
  cs.cluster_id = list->header().cluster_id();

  std::map<uint64_t, std::vector<std::string>> alarms_of;
  auto alarms = seed->Alarms();
  if (alarms.ok()) {
    for (const auto& a : alarms->alarms()) alarms_of[a.memberid()].push_back(AlarmName(a.alarm()));
  } else {
    cs.other_alarms.push_back(absl::StrCat("unknown (", alarms.status().message(), ")"));
  }
  std::vector<std::future<MemberStatus>> asked;
  for (const auto& m : list->members()) {
    std::vector<std::string> mine;
    if (auto it = alarms_of.find(m.id()); it != alarms_of.end()) {
      mine = it->second;
      alarms_of.erase(it);
    }
    asked.push_back(std::async(std::launch::async, AskMember, std::cref(o), m, std::move(mine)));
  }
  for (auto& f : asked) cs.members.push_back(f.get());
  for (const auto& [id, names] : alarms_of) {
    for (const std::string& a : names) cs.other_alarms.push_back(absl::StrCat(a, " on ", absl::Hex(id)));
  }
  return cs;
}

Dialer ClientDialer(const ConnectionConfig& config) {
  return [config](const Endpoint& ep) -> absl::StatusOr<std::unique_ptr<MemberCalls>> {
    KETCD_ASSIGN_OR_RETURN(std::unique_ptr<Client> client, Client::Connect(config, ep));
    return std::unique_ptr<MemberCalls>(std::make_unique<ClientCalls>(std::move(client)));
  };
}

Reach ClientUrlReach(const ConnectionConfig& config) {
  const TlsFiles& t = config.tls;
  const bool tls = !t.ca_file.empty() || !t.ca_pem.empty() || !t.cert_file.empty() || !t.cert_pem.empty();
  return [tls](const etcdserverpb::Member& m) -> absl::StatusOr<Endpoint> {
    if (m.clienturls_size() == 0) return absl::UnavailableError("no client URL: the member has not started yet");
    return ParseEndpoint(m.clienturls(0), tls);
  };
}

}  // namespace ketcd::etcdclient
