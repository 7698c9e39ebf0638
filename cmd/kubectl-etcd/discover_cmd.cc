// kubectl etcd discover: every discovery step, every value found and where it came
// from, the cluster's etcd pods, and what etcd itself says (members, status, alarms).
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cmd/kubectl-etcd/command.h"
#include "cmd/kubectl-etcd/connection.h"
#include "cmd/kubectl-etcd/remote.h"
#include "pkg/base/format.h"
#include "pkg/cli/output.h"
#include "pkg/etcdclient/cluster_status.h"
#include "pkg/etcdclient/cluster_view.h"

namespace ketcd::cmd {
namespace {

using Json = nlohmann::ordered_json;

using etcdclient::ClusterView;

Json TargetJson(const discovery::EtcdTarget& t) {
  Json j;
  j["kind"] = t.kind;
  j["definedIn"] = t.defined_in;
  j["endpoints"] = t.endpoints;
  j["caFile"] = t.ca_file;
  j["certFile"] = t.cert_file;
  j["keyFile"] = t.key_file;
  j["dataDir"] = t.data_dir;
  j["containerDataDir"] = t.container_data_dir;
  j["dataDirDefinedIn"] = t.data_dir_file;
  j["dataDirSetting"] = t.data_dir_key;
  j["name"] = t.name;
  j["peerURLs"] = t.peer_urls;
  j["initialCluster"] = t.initial_cluster;
  j["initialClusterToken"] = t.initial_cluster_token;
  j["configFile"] = t.config_file;
  j["image"] = t.image;
  j["user"] = t.user;
  j["files"] = t.files;
  Json origin = Json::object();
  for (const auto& [k, v] : t.origin) origin[k] = v;
  j["origin"] = origin;
  return j;
}

Json ReportJson(const discovery::Report& r, const ClusterView* etcd) {
  Json j;
  j["nodeName"] = r.node_name;
  Json steps = Json::array();
  for (const auto& s : r.steps) {
    steps.push_back({{"source", s.source}, {"location", s.location}, {"outcome", s.outcome}, {"detail", s.detail}});
  }
  j["steps"] = steps;
  j["target"] = r.target ? TargetJson(*r.target) : Json();
  if (!r.api_server.empty()) j["apiServer"] = {{"server", r.api_server}, {"context", r.context}};
  Json pods = Json::array();
  for (const auto& p : r.pods) {
    pods.push_back({{"name", p.name}, {"node", p.node}, {"hostIP", p.host_ip}, {"phase", p.phase},
                    {"ready", p.ready}, {"restarts", p.restarts}, {"image", p.image}, {"version", p.version},
                    {"clientURLs", p.client_urls}, {"dataDir", p.data_dir}, {"thisHost", p.this_host},
                    {"flags", p.flags}});
  }
  j["pods"] = pods;
  if (etcd != nullptr) {
    Json e;
    e["endpoint"] = etcd->endpoint;
    if (!etcd->error.ok()) e["error"] = std::string(etcd->error.message());
    Json members = Json::array();
    if (etcd->members) {
      for (const auto& m : etcd->members->members()) {
        members.push_back({{"id", IdHex(m.id())}, {"name", m.name()},
                           {"peerURLs", std::vector<std::string>(m.peerurls().begin(), m.peerurls().end())},
                           {"clientURLs", std::vector<std::string>(m.clienturls().begin(), m.clienturls().end())},
                           {"isLearner", m.islearner()}});
      }
      e["clusterID"] = IdHex(etcd->members->header().cluster_id());
    }
    e["members"] = members;
    Json statuses = Json::array();
    for (const auto& [url, st] : etcd->statuses) {
      if (!st.ok()) {
        statuses.push_back({{"endpoint", url}, {"error", std::string(st.status().message())}});
        continue;
      }
      statuses.push_back({{"endpoint", url}, {"memberID", IdHex(st->header().member_id())}, {"version", st->version()},
                          {"dbSize", st->dbsize()}, {"dbSizeInUse", st->dbsizeinuse()},
                          {"leader", IdHex(st->leader())}, {"isLeader", st->leader() == st->header().member_id()},
                          {"raftTerm", st->raftterm()}, {"raftIndex", st->raftindex()},
                          {"raftAppliedIndex", st->raftappliedindex()}, {"isLearner", st->islearner()}});
    }
    e["status"] = statuses;
    Json alarms = Json::array();
    if (etcd->alarms) {
      for (const auto& a : etcd->alarms->alarms()) {
        alarms.push_back({{"memberID", IdHex(a.memberid())}, {"alarm", etcdclient::AlarmName(a.alarm())}});
      }
    }
    e["alarms"] = alarms;
    j["etcd"] = e;
  }
  return j;
}

void PrintTable(std::ostream& out, const discovery::Report& r, const ClusterView* etcd, bool no_headers) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& s : r.steps) rows.push_back({s.source, s.location.empty() ? "-" : s.location, s.outcome, s.detail});
  out << "Discovery (node " << (r.node_name.empty() ? "?" : r.node_name) << "):\n";
  cli::PrintPlainTable(out, {"SOURCE", "LOCATION", "OUTCOME", "DETAIL"}, rows, no_headers);
  if (r.target) {
    const auto& t = *r.target;
    out << "\netcd (" << t.kind << ", defined in " << t.defined_in << "):\n";
    rows.clear();
    auto origin = [&](const char* k) {
      auto it = t.origin.find(k);
      return it == t.origin.end() ? std::string("-") : it->second;
    };
    auto row = [&](const char* field, const std::string& value, const char* key) {
      rows.push_back({field, value.empty() ? "-" : value, key ? origin(key) : "-"});
    };
    row("endpoints", absl::StrJoin(t.endpoints, ","), "endpoints");
    row("cacert", t.ca_file, "ca_file");
    row("cert", t.cert_file, "cert_file");
    row("key", t.key_file, "key_file");
    row("name", t.name, "name");
    row("data-dir", t.data_dir, "data_dir");
    if (!t.data_dir_file.empty()) {
      rows.push_back({"data-dir set by", absl::StrCat(t.data_dir_key, " in ", t.data_dir_file), "-"});
    }
    row("peer-urls", absl::StrJoin(t.peer_urls, ","), "peer_urls");
    row("initial-cluster", t.initial_cluster, "initial_cluster");
    row("initial-cluster-token", t.initial_cluster_token, "initial_cluster_token");
    if (!t.config_file.empty()) row("config-file", t.config_file, nullptr);
    if (!t.image.empty()) row("image", t.image, nullptr);
    if (!t.user.empty()) row("user", t.user, nullptr);
    cli::PrintPlainTable(out, {"FIELD", "VALUE", "SOURCE"}, rows, no_headers);
  }
  if (!r.pods.empty()) {
    out << "\netcd pods (API server " << r.api_server << ", context " << r.context << "):\n";
    rows.clear();
    for (const auto& p : r.pods) {
      rows.push_back({p.name, p.node, p.phase + (p.ready ? "/Ready" : ""), p.version.empty() ? p.image : p.version,
                      absl::StrJoin(p.client_urls, ","), p.data_dir.empty() ? "-" : p.data_dir,
                      p.this_host ? "yes" : ""});
    }
    cli::PrintPlainTable(out, {"POD", "NODE", "STATUS", "VERSION", "CLIENT URLS", "DATA DIR", "THIS HOST"}, rows, no_headers);
  }
  if (etcd == nullptr) return;
  if (!etcd->error.ok()) {
    out << "\netcd: " << etcd->error.message() << "\n";
    return;
  }
  out << "\nMembers (asked " << etcd->endpoint << "):\n";
  rows.clear();
  for (const auto& m : etcd->members->members()) {
    rows.push_back({IdHex(m.id()), m.name().empty() ? "(unstarted)" : m.name(), absl::StrJoin(m.peerurls(), ","),
                    absl::StrJoin(m.clienturls(), ","), m.islearner() ? "true" : "false"});
  }
  cli::PrintPlainTable(out, {"ID", "NAME", "PEER URLS", "CLIENT URLS", "LEARNER"}, rows, no_headers);
  out << "\nStatus:\n";
  rows.clear();
  for (const auto& [url, st] : etcd->statuses) {
    if (!st.ok()) {
      rows.push_back({url, "-", "-", "-", "-", "-", std::string(st.status().message())});
      continue;
    }
    rows.push_back({url, IdHex(st->header().member_id()), st->version(), HumanizeBytes(static_cast<uint64_t>(st->dbsize())),
                    st->leader() == st->header().member_id() ? "true" : "false", absl::StrCat(st->raftindex()),
                    absl::StrJoin(st->errors(), "; ")});
  }
  cli::PrintPlainTable(out, {"ENDPOINT", "ID", "VERSION", "DB SIZE", "IS LEADER", "RAFT INDEX", "ERRORS"}, rows, no_headers);
  out << "\nAlarms: ";
  if (!etcd->alarms || etcd->alarms->alarms_size() == 0) {
    out << "none\n";
  } else {
    std::vector<std::string> a;
    for (const auto& al : etcd->alarms->alarms()) a.push_back(absl::StrCat(etcdclient::AlarmName(al.alarm()), " on ", IdHex(al.memberid())));
    out << absl::StrJoin(a, ", ") << "\n";
  }
}

const std::vector<std::string> kFormats = {"table", "json", "yaml"};

}  // namespace

constexpr char kDiscoverHelp[] =
    "Show how kubectl-etcd finds etcd: every source tried, in order, every value found and the\n"
    "flag, file or default it came from, the cluster's etcd pods, and what etcd says about\n"
    "its members. Explicit connection flags win over discovered values.\n\n"
    "Sources, in order: --manifest, or the kubeadm and RKE2 static-pod manifests; the etcd\n"
    "systemd unit (with drop-ins, environment files and --config-file); the kube-apiserver's\n"
    "--etcd-* flags; the etcd pods listed through the kubeconfig.\n"
    "When etcd runs on another machine and no certificate is readable here (or with --remote),\n"
    "etcd is asked through kubectl port-forward with the client certificate read on the node\n"
    "(see `kubectl etcd backup -h`).\n\n"
    "Examples:\n"
    "  # On a control-plane node:\n"
    "  kubectl etcd discover\n"
    "  # From a debug pod with the node's root at /host, files only:\n"
    "  kubectl etcd discover --host-root /host --offline -o yaml\n"
    "  # From a workstation, the members as seen through the API server:\n"
    "  kubectl etcd discover --member etcd-cp2\n";

void AddDiscoverFlags(cxxopts::Options& options) {
  AddConnectionFlags(options);
  AddRemoteFlags(options);
  // clang-format off
  options.add_options()
      ("offline", "Read files on this host only: do not ask the API server or etcd")
      ("no-headers", "Print the tables without their header lines");
  // clang-format on
  AddOutputFlag(options, kFormats, "table");
}

absl::Status RunDiscover(Invocation& inv) {
  KETCD_ASSIGN_OR_RETURN(auto parsed, ParseFlags(inv, kDiscoverHelp, AddDiscoverFlags));
  if (!parsed) return absl::OkStatus();
  const cxxopts::ParseResult& flags = *parsed;
  KETCD_ASSIGN_OR_RETURN(std::string format, OutputFormat(flags, kFormats));
  bool offline = flags.count("offline") > 0;

  discovery::Options opts = DiscoveryOptions(flags);
  opts.use_kubeconfig = !offline;
  opts.always_query_cluster = true;
  KETCD_ASSIGN_OR_RETURN(discovery::Report report, discovery::DiscoverReport(opts));

  absl::Status result;
  std::optional<ClusterView> etcd;
  std::unique_ptr<RemoteLink> link;
  if (!offline && WantsRemote(flags, report)) {
    discovery::EtcdTarget placeholder;
    placeholder.endpoints = {"https://127.0.0.1:2379"};
    auto conn = ConnectionFrom(flags, placeholder);
    auto opened = conn.ok() ? OpenRemote(flags, report, inv, &*conn, RemoteScope::kEveryMember) : conn.status();
    if (!opened.ok()) {
      report.steps.push_back({"remote", "kubectl exec / port-forward", "error",
                              std::string(opened.status().message()), opened.status()});
      result = opened.status();
    } else {
      link = std::move(*opened);
      report.steps.push_back({"remote", link->Describe(), "used",
                              absl::StrCat("client certificate read through ", link->credentials_source,
                                           ", kept in memory"),
                              absl::OkStatus()});
      etcd = etcdclient::AskEtcd(conn->config, RouteReach(link->routes));
      result = etcd->error;
    }
  } else if (report.target || flags.count("endpoints")) {
    auto conn = ConnectionFrom(flags, report.target);
    if (!conn.ok()) {
      result = conn.status();
    } else {
      report.target = conn->discovered;
      if (!offline) {
        etcd = etcdclient::AskEtcd(conn->config);
        result = etcd->error;
      }
    }
  } else {
    result = discovery::TargetFromReport(report).status();
  }
  const ClusterView* view = etcd ? &*etcd : nullptr;
  cli::PrintResult(inv.out, format, ReportJson(report, view),
                   [&] { PrintTable(inv.out, report, view, flags.count("no-headers") > 0); });
  return result;
}

}  // namespace ketcd::cmd
