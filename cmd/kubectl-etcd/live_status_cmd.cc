// kubectl etcd status without FILE: the live status of every member of the cluster, as
// `etcdctl endpoint status --cluster`, `endpoint health --cluster` and `alarm list` print
// it together (pkg/etcdclient/cluster_status.h gathers it; this file prints it).
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cmd/kubectl-etcd/command.h"
#include "cmd/kubectl-etcd/connection.h"
#include "cmd/kubectl-etcd/remote.h"
#include "pkg/base/format.h"
#include "pkg/cli/output.h"
#include "pkg/etcdclient/cluster_status.h"

namespace ketcd::cmd {
namespace {

using Json = nlohmann::ordered_json;
using etcdclient::ClusterStatus;
using etcdclient::MemberStatus;

bool IsLeader(const MemberStatus& m) { return m.status && m.status->leader() == m.status->header().member_id(); }

Json MemberJson(const MemberStatus& m) {
  Json j;
  j["name"] = m.name;
  j["endpoint"] = m.endpoint;
  j["id"] = IdHex(m.id);
  const auto* st = m.status ? &*m.status : nullptr;
  j["version"] = st ? Json(st->version()) : Json();
  j["dbSize"] = st ? Json(st->dbsize()) : Json();
  j["dbSizeInUse"] = st ? Json(st->dbsizeinuse()) : Json();
  j["leader"] = st ? Json(IdHex(st->leader())) : Json();
  j["isLeader"] = IsLeader(m);
  j["isLearner"] = m.is_learner;
  j["raftTerm"] = st ? Json(st->raftterm()) : Json();
  j["raftIndex"] = st ? Json(st->raftindex()) : Json();
  j["raftAppliedIndex"] = st ? Json(st->raftappliedindex()) : Json();
  j["health"] = etcdclient::MemberHealthName(m.health);
  j["alarms"] = m.alarms;
  j["errors"] = m.errors;
  return j;
}

Json StatusJson(const ClusterStatus& cs) {
  Json j;
  j["clusterID"] = IdHex(cs.cluster_id);
  j["askedEndpoint"] = cs.asked;
  j["healthy"] = cs.Healthy();
  Json members = Json::array();
  for (const MemberStatus& m : cs.members) members.push_back(MemberJson(m));
  j["members"] = members;
  j["otherAlarms"] = cs.other_alarms;
  return j;
}

std::vector<std::string> Row(const MemberStatus& m) {
  const auto* st = m.status ? &*m.status : nullptr;
  auto num = [st](auto get) { return st ? absl::StrCat(get(*st)) : std::string("-"); };
  std::vector<std::string> errors = m.alarms;
  errors.insert(errors.end(), m.errors.begin(), m.errors.end());
  return {m.name.empty() ? "(unstarted)" : m.name,
          m.endpoint.empty() ? "-" : m.endpoint,
          IdHex(m.id),
          st ? st->version() : "-",
          st ? HumanizeBytes(static_cast<uint64_t>(st->dbsize())) : "-",
          st ? HumanizeBytes(static_cast<uint64_t>(st->dbsizeinuse())) : "-",
          st ? (IsLeader(m) ? "yes" : "no") : "-",
          m.is_learner ? "yes" : "no",
          num([](const auto& s) { return s.raftterm(); }),
          num([](const auto& s) { return s.raftindex(); }),
          num([](const auto& s) { return s.raftappliedindex(); }),
          etcdclient::MemberHealthName(m.health),
          errors.empty() ? "-" : absl::StrJoin(errors, "; ")};
}

void PrintTable(std::ostream& out, const ClusterStatus& cs, bool no_headers) {
  std::vector<std::vector<std::string>> rows;
  for (const MemberStatus& m : cs.members) rows.push_back(Row(m));
  cli::PrintPlainTable(out,
                       {"NAME", "ENDPOINT", "ID", "VERSION", "DB SIZE", "DB SIZE IN USE", "LEADER", "LEARNER",
                        "RAFT TERM", "RAFT INDEX", "RAFT APPLIED INDEX", "HEALTH", "ERRORS"},
                       rows, no_headers);
  if (!cs.other_alarms.empty()) out << "Other alarms: " << absl::StrJoin(cs.other_alarms, ", ") << "\n";
}

}  // namespace

absl::Status RunLiveStatus(Invocation& inv, const cxxopts::ParseResult& flags, const std::string& format) {
  for (const char* file_only : {"keys", "skip-hash-check", "skip-integrity-check"}) {
    if (flags.count(file_only)) {
      return absl::InvalidArgumentError(absl::StrCat("--", file_only, " is for a snapshot FILE\nUsage: ", inv.program,
                                                     " ", inv.command, " [FILE] [flags]"));
    }
  }
  std::unique_ptr<RemoteLink> link;  // the port-forwards of the remote path, stopped on every way out
  KETCD_ASSIGN_OR_RETURN(Connection conn, ResolveConnectionOrRemote(flags, inv, &link, RemoteScope::kEveryMember));
  etcdclient::ClusterStatusOptions o;
  o.seeds = conn.config.endpoints;
  o.dial = etcdclient::ClientDialer(conn.config);
  o.reach = link ? RouteReach(link->routes) : etcdclient::ClientUrlReach(conn.config);
  ClusterStatus cs = etcdclient::GatherClusterStatus(o);
  if (!cs.error.ok()) return link ? link->Explain(cs.error) : cs.error;

  cli::PrintResult(inv.out, format, StatusJson(cs), [&] {
    if (format == "simple") {
      for (const MemberStatus& m : cs.members) inv.out << absl::StrJoin(Row(m), ", ") << "\n";
      return;
    }
    PrintTable(inv.out, cs, flags.count("no-headers") > 0);
  });
  return cs.Verdict();
}

}  // namespace ketcd::cmd
