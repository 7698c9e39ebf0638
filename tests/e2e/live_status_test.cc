// kubectl etcd status without FILE against real clusters of each version: a three-member
// TLS cluster compared with `etcdctl endpoint status --cluster -w json`, the same cluster
// with a member stopped (its row shows the error, the others are there, exit 7) or its
// leader frozen, and a NOSPACE alarm raised by a small --quota-backend-bytes.
#include <nlohmann/json.hpp>

#include <csignal>
#include <chrono>
#include <cstdio>
#include <map>

#include "tests/e2e/harness.h"

namespace ketcd::e2e {
namespace {

using Json = nlohmann::json;

std::string Hex(uint64_t id) {
  char buf[20];
  std::snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(id));
  return buf;
}

class LiveStatusE2eTest : public ::testing::TestWithParam<std::string> {
 protected:
  EtcdVersion version() const { return VersionByName(GetParam()); }

  void StartThree() {
    certs_ = MakeCerts(dir_.path());
    servers_ = StartCluster(version(), 3, &certs_);
    ASSERT_EQ(servers_.size(), 3u);
  }

  // kubectl etcd status with the connection flags of `server` (one endpoint: the others
  // come from the member list).
  CommandResult Status(EtcdServer& server, std::vector<std::string> args) {
    std::vector<std::string> flags = server.ConnectionFlags();
    args.insert(args.begin(), "status");
    args.insert(args.end(), flags.begin(), flags.end());
    return RunKubectlEtcd(args);
  }

  TempDir dir_;
  TestCerts certs_;
  std::vector<std::unique_ptr<EtcdServer>> servers_;
};

TEST_P(LiveStatusE2eTest, ThreeMembersAsEtcdctlSeesThem) {
  StartThree();
  ASSERT_EQ(servers_.size(), 3u);
  servers_[0]->Etcdctl({"put", "k", "v"});
  CommandResult ours = Status(*servers_[1], {"-o", "json"});
  ASSERT_EQ(ours.exit_code, 0) << ours.err << ours.out;
  std::string ref = servers_[1]->Etcdctl({"endpoint", "status", "--cluster", "-w", "json"});
  Json got = Json::parse(ours.out), want = Json::parse(ref);
  EXPECT_EQ(got["healthy"], true);
  ASSERT_EQ(got["members"].size(), 3u);
  ASSERT_EQ(want.size(), 3u);
  std::map<std::string, Json> by_endpoint;
  for (const Json& m : got["members"]) by_endpoint[m["endpoint"]] = m;
  int leaders = 0;
  for (const Json& w : want) {
    const Json& st = w["Status"];
    ASSERT_TRUE(by_endpoint.count(w["Endpoint"])) << w["Endpoint"] << " not in " << ours.out;
    const Json& m = by_endpoint[w["Endpoint"]];
    EXPECT_EQ(m["id"], Hex(st["header"]["member_id"].get<uint64_t>()));
    EXPECT_EQ(m["version"], st["version"]);
    EXPECT_EQ(m["dbSize"], st["dbSize"]);
    EXPECT_EQ(m["leader"], Hex(st["leader"].get<uint64_t>()));
    EXPECT_EQ(m["raftTerm"], st["raftTerm"]);
    // Nothing is written between the two calls; a heartbeat entry may still land.
    EXPECT_LE(m["raftIndex"].get<uint64_t>(), st["raftIndex"].get<uint64_t>());
    EXPECT_GE(m["raftIndex"].get<uint64_t>() + 2, st["raftIndex"].get<uint64_t>());
    EXPECT_EQ(m["health"], "healthy");
    EXPECT_EQ(m["errors"].size(), 0u) << m;
    EXPECT_EQ(got["clusterID"], Hex(st["header"]["cluster_id"].get<uint64_t>()));
    if (m["isLeader"] == true) leaders++;
  }
  EXPECT_EQ(leaders, 1);

  CommandResult table = Status(*servers_[0], {});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("RAFT APPLIED INDEX"), std::string::npos) << table.out;
  for (const auto& s : servers_) {
    EXPECT_NE(table.out.find(s->client_url()), std::string::npos) << table.out;
  }
}

TEST_P(LiveStatusE2eTest, StoppedMemberKeepsItsRowAndExitsSeven) {
  StartThree();
  ASSERT_EQ(servers_.size(), 3u);
  servers_[2]->Stop();
  CommandResult r = Status(*servers_[0], {"-o", "json", "--dial-timeout", "2"});
  EXPECT_EQ(r.exit_code, 7) << r.err;
  EXPECT_NE(r.err.find("m2 unreachable"), std::string::npos) << r.err;
  Json got = Json::parse(r.out);
  EXPECT_EQ(got["healthy"], false);
  ASSERT_EQ(got["members"].size(), 3u);
  for (const Json& m : got["members"]) {
    if (m["name"] == "m2") {
      EXPECT_EQ(m["health"], "unreachable");
      EXPECT_TRUE(m["version"].is_null());
      ASSERT_GE(m["errors"].size(), 1u);
      EXPECT_NE(m["errors"][0].get<std::string>().find("127.0.0.1"), std::string::npos) << m;
    } else {
      EXPECT_EQ(m["health"], "healthy") << m;
      EXPECT_EQ(m["version"].get<std::string>().substr(0, 3), GetParam());
    }
  }
  CommandResult table = Status(*servers_[1], {"--dial-timeout", "2"});
  EXPECT_EQ(table.exit_code, 7);
  EXPECT_NE(table.out.find("unreachable"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find(servers_[0]->client_url()), std::string::npos) << table.out;
  EXPECT_NE(table.out.find(servers_[1]->client_url()), std::string::npos) << table.out;
}

// A frozen leader (SIGSTOP): its connection never completes, the others hold an election.
// Every row is still printed, the frozen member's with its error, within about one dial
// timeout (the members are asked at once, not one after the other).
TEST_P(LiveStatusE2eTest, FrozenLeaderStillGivesEveryRow) {
  StartThree();
  ASSERT_EQ(servers_.size(), 3u);
  CommandResult before = Status(*servers_[0], {"-o", "json"});
  ASSERT_EQ(before.exit_code, 0) << before.err;
  Json first = Json::parse(before.out);
  size_t leader = 3;
  for (size_t i = 0; i < 3; i++) {
    if (first["members"][i]["isLeader"] == true) leader = i;
  }
  ASSERT_LT(leader, 3u) << before.out;
  const std::string leader_name = first["members"][leader]["name"];
  EtcdServer* frozen = nullptr;
  EtcdServer* follower = nullptr;
  for (auto& s : servers_) {
    (s->options().name == leader_name ? frozen : follower) = s.get();
  }
  ASSERT_NE(frozen, nullptr);
  frozen->Signal(SIGSTOP);
  auto start = std::chrono::steady_clock::now();
  CommandResult r = Status(*follower, {"-o", "json", "--dial-timeout", "2"});
  double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  frozen->Signal(SIGCONT);
  EXPECT_EQ(r.exit_code, 7) << r.err;
  Json got = Json::parse(r.out);
  ASSERT_EQ(got["members"].size(), 3u) << r.out;
  for (const Json& m : got["members"]) {
    if (m["name"] == leader_name) {
      EXPECT_EQ(m["health"], "unreachable") << m;
      EXPECT_GE(m["errors"].size(), 1u) << m;
    } else {
      EXPECT_FALSE(m["version"].is_null()) << m;  // answered its Status, leader or not
    }
  }
  EXPECT_LT(took, 15.0) << "members asked one after the other?";
}

TEST_P(LiveStatusE2eTest, NospaceAlarmShowsInErrors) {
  ServerOptions o;
  o.extra_args = {"--quota-backend-bytes=1048576"};
  auto server = EtcdServer::Start(version(), o);
  ASSERT_NE(server, nullptr);
  const std::string value(100 * 1024, 'x');
  bool refused = false;
  for (int i = 0; i < 40 && !refused; i++) {
    CommandResult put = server->TryEtcdctl({"put", "big" + std::to_string(i), value});
    refused = put.exit_code != 0;
    if (refused) {
      EXPECT_NE(put.err.find("database space exceeded"), std::string::npos) << put.err;
    }
  }
  ASSERT_TRUE(refused) << "the quota never filled up";
  ASSERT_NE(server->Etcdctl({"alarm", "list"}).find("NOSPACE"), std::string::npos);

  CommandResult r = Status(*server, {"-o", "json"});
  EXPECT_EQ(r.exit_code, 7) << r.err;
  Json got = Json::parse(r.out);
  ASSERT_EQ(got["members"].size(), 1u);
  EXPECT_EQ(got["members"][0]["alarms"], Json::array({"NOSPACE"}));
  EXPECT_EQ(got["members"][0]["health"], "unhealthy");
  CommandResult table = Status(*server, {});
  EXPECT_EQ(table.exit_code, 7);
  EXPECT_NE(table.out.find("NOSPACE"), std::string::npos) << table.out;

  server->Etcdctl({"alarm", "disarm"});
  // Disarmed but still over the quota, etcd raises it again on the next write; none here.
  CommandResult after = Status(*server, {});
  EXPECT_EQ(after.exit_code, 0) << after.out << after.err;
}

INSTANTIATE_TEST_SUITE_P(Versions, LiveStatusE2eTest, ::testing::ValuesIn(VersionNames()), [](const auto& param_info) {
  return "v" + std::string(1, param_info.param[0]) + "_" + param_info.param.substr(2);
});

}  // namespace
}  // namespace ketcd::e2e
