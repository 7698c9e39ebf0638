// kubectl etcd restore against real etcd 3.4, 3.5, 3.6 and 3.7: snapshot a server of
// each version, restore with kubectl-etcd, start the same version on the result.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/e2e/harness.h"

namespace ketcd::e2e {
namespace {

const char kWal[] = "/member/wal/0000000000000000-0000000000000000.wal";

// bbolt's own consistency check (`bbolt check`, every page reachable once, no page both free
// and in use, keys in order) of a restored data dir's database. $KETCD_BBOLT names the
// command, built by tests/tools/build-bbolt.sh (make test-servers); missing, the test fails.
void BboltCheck(const std::string& data_dir) {
  const char* bin = std::getenv("KETCD_BBOLT");
  ASSERT_TRUE(bin != nullptr && ::access(bin, X_OK) == 0)
      << "KETCD_BBOLT does not name the bbolt command: run through `make test`, which builds it with "
         "tests/tools/build-bbolt.sh";
  std::string db = data_dir + "/member/snap/db";
  CommandResult r = Run({bin, "check", db}, {}, 300);
  EXPECT_EQ(r.exit_code, 0) << "bbolt check " << db << ":\n" << r.out << r.err;
  EXPECT_EQ(r.out, "OK\n") << "bbolt check " << db << ":\n" << r.out << r.err;
}

class RestoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    version_ = VersionByName(GetParam());
    certs_ = MakeCerts(dir_.Sub("certs"));
  }

  // A server with some history (puts, a delete, an overwrite), snapshotted with the
  // version's own etcdctl. Returns the snapshot path; `kvs` and `revision` get the
  // content as served before the snapshot.
  std::string MakeSnapshot(nlohmann::json* kvs, int64_t* revision) {
    ServerOptions o;
    o.certs = &certs_;
    auto server = EtcdServer::Start(version_, o);
    if (server == nullptr) return "";
    server->Etcdctl({"put", "foo", "bar"});
    server->Etcdctl({"put", "hello", "world"});
    server->Etcdctl({"del", "hello"});
    server->Etcdctl({"put", "/registry/pods/default/p1", std::string(3000, 'x')});
    server->Etcdctl({"put", "foo", "baz"});
    auto all = nlohmann::json::parse(server->Etcdctl({"get", "", "--prefix", "-w", "json"}));
    *kvs = all["kvs"];
    *revision = all["header"]["revision"].get<int64_t>();
    std::string file = dir_.Sub("snap.db");
    server->Etcdctl({"snapshot", "save", file});
    server->Stop();
    return file;
  }

  std::vector<std::string> MemberFlags(const std::string& name, const std::string& cluster, int port) {
    return {"--name", name, "--initial-cluster", cluster, "--initial-advertise-peer-urls",
            "http://127.0.0.1:" + std::to_string(port), "--initial-cluster-token", "restored"};
  }

  // kubectl etcd restore FILE --data-dir DIR flags... -o json
  nlohmann::json RestoreWithUs(const std::string& file, const std::string& data_dir,
                               const std::vector<std::string>& flags) {
    std::vector<std::string> args = {"restore", file, "--data-dir", data_dir, "-o", "json"};
    args.insert(args.end(), flags.begin(), flags.end());
    CommandResult r = RunKubectlEtcd(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.exit_code == 0 ? nlohmann::json::parse(r.out) : nlohmann::json();
  }

  void RestoreWithEtcd(const std::string& file, const std::string& data_dir, const std::vector<std::string>& flags) {
    std::vector<std::string> argv = {version_.etcdutl(), "snapshot", "restore", file, "--data-dir", data_dir};
    argv.insert(argv.end(), flags.begin(), flags.end());
    CommandResult r = e2e::Run(argv, {{"ETCDCTL_API", "3"}});
    EXPECT_EQ(r.exit_code, 0) << r.err;
  }

  // `n` distinct free ports, taken together so that a server started later cannot be
  // handed a port reserved for another member.
  std::vector<int> Ports(size_t n) {
    std::set<int> seen;
    std::vector<int> out;
    while (out.size() < n) {
      int p = FreePort();
      if (seen.insert(p).second) out.push_back(p);
    }
    return out;
  }

  std::unique_ptr<EtcdServer> StartOn(const std::string& data_dir, const std::string& name,
                                      const std::string& cluster, int port, bool wait = true,
                                      int client_port = 0, int metrics_port = 0) {
    ServerOptions o;
    o.client_port = client_port;
    o.metrics_port = metrics_port;
    o.certs = &certs_;
    o.name = name;
    o.data_dir = data_dir;
    o.initial_cluster = cluster;
    o.initial_cluster_token = "restored";
    o.peer_port = port;
    o.wait_healthy = wait;
    return EtcdServer::Start(version_, o);
  }

  EtcdVersion version_;
  TempDir dir_;
  TestCerts certs_;
};

TEST_P(RestoreTest, SingleMemberServesSameDataAtSameRevision) {
  nlohmann::json kvs;
  int64_t revision = 0;
  std::string file = MakeSnapshot(&kvs, &revision);
  ASSERT_FALSE(file.empty());
  int port = FreePort();
  std::string cluster = "solo=http://127.0.0.1:" + std::to_string(port);
  auto flags = MemberFlags("solo", cluster, port);
  std::string ours = dir_.Sub("ours"), theirs = dir_.Sub("theirs");
  nlohmann::json out = RestoreWithUs(file, ours, flags);
  RestoreWithEtcd(file, theirs, flags);

  // A one-member restore is deterministic in every version: same bytes as etcd's.
  std::string wal = FileContents(ours + kWal);
  EXPECT_EQ(wal.size(), 64000000u);
  EXPECT_TRUE(wal == FileContents(theirs + kWal)) << "WAL differs from etcd's restore";
  std::string snap = "/member/snap/0000000000000001-0000000000000001.snap";
  EXPECT_TRUE(FileContents(ours + snap) == FileContents(theirs + snap)) << ".snap differs from etcd's restore";
  EXPECT_EQ(out["etcdFormat"], version_.name);
  EXPECT_EQ(out["revision"].get<int64_t>(), revision);

  auto server = StartOn(ours, "solo", cluster, port);
  ASSERT_NE(server, nullptr);
  auto all = nlohmann::json::parse(server->Etcdctl({"get", "", "--prefix", "-w", "json"}));
  EXPECT_EQ(all["kvs"], kvs);
  EXPECT_EQ(all["header"]["revision"].get<int64_t>(), revision);
  EXPECT_EQ(all["header"]["cluster_id"].get<uint64_t>(),
            std::stoull(out["clusterID"].get<std::string>(), nullptr, 16));

  auto put = nlohmann::json::parse(server->Etcdctl({"put", "new", "key", "-w", "json"}));
  EXPECT_EQ(put["header"]["revision"].get<int64_t>(), revision + 1);
  EXPECT_EQ(server->Etcdctl({"get", "new", "--print-value-only"}), "key\n");

  auto members = nlohmann::json::parse(server->Etcdctl({"member", "list", "-w", "json"}))["members"];
  ASSERT_EQ(members.size(), 1u);
  EXPECT_EQ(members[0]["ID"].get<uint64_t>(), std::stoull(out["memberID"].get<std::string>(), nullptr, 16));
  EXPECT_EQ(members[0]["name"], "solo");
  EXPECT_EQ(members[0]["peerURLs"], nlohmann::json::array({"http://127.0.0.1:" + std::to_string(port)}));
  EXPECT_EQ(server->Log().find("\"level\":\"panic\""), std::string::npos);
}

// The snapshot variants of the status tests (values larger than a page, >100,000 keys,
// deletions and a compaction, a lease, users and roles with auth on) restore and serve
// every key at the same revision, older revisions above the compaction too, and survive
// two restarts with a raft snapshot taken at every entry (--snapshot-count 1).
TEST_P(RestoreTest, RichSnapshotSurvivesRestartsWithFrequentRaftSnapshots) {
  ServerOptions o;
  o.certs = &certs_;
  o.extra_args = {"--max-txn-ops=20000", "--max-request-bytes=10485760"};
  auto source = EtcdServer::Start(version_, o);
  ASSERT_NE(source, nullptr);
  source->Etcdctl({"put", "/registry/configmaps/kube-system/big", std::string(20000, 'x')});
  source->PutMany("/registry/secrets/ns1/s", 100500, 10000);
  source->Etcdctl({"del", "--prefix", "/registry/secrets/ns1/s1000"});
  int64_t r1 = nlohmann::json::parse(source->Etcdctl({"put", "k", "v1", "-w", "json"}))["header"]["revision"];
  source->Etcdctl({"put", "k", "v2"});
  source->Etcdctl({"compact", std::to_string(r1 - 1), "--physical"});
  std::string lease = source->Etcdctl({"lease", "grant", "600"});
  source->Etcdctl({"put", "--lease=" + lease.substr(6, lease.find(' ', 6) - 6), "/registry/leases/n1", "x"});
  source->Etcdctl({"role", "add", "reader"});
  source->Etcdctl({"user", "add", "root:pw"});
  source->Etcdctl({"user", "grant-role", "root", "root"});
  source->Etcdctl({"auth", "enable"});
  const std::string root = "--user=root:pw";
  auto before = nlohmann::json::parse(source->Etcdctl({root, "get", "", "--prefix", "-w", "json"}));
  std::string file = dir_.Sub("rich.db");
  source->Etcdctl({root, "snapshot", "save", file});
  source->Stop();

  std::vector<int> ports = Ports(3);
  std::string cluster = "rich=http://127.0.0.1:" + std::to_string(ports[0]);
  RestoreWithUs(file, dir_.Sub("rich"), MemberFlags("rich", cluster, ports[0]));
  // The revision bump rewrites the meta bucket of a database of many pages: bbolt's check.
  auto bump = MemberFlags("rich", cluster, ports[0]);
  bump.insert(bump.end(), {"--bump-revision", "1000000000", "--mark-compacted"});
  RestoreWithUs(file, dir_.Sub("rich-bumped"), bump);
  BboltCheck(dir_.Sub("rich-bumped"));
  for (int round = 0; round < 3; round++) {
    ServerOptions r;
    r.certs = &certs_;
    r.name = "rich";
    r.data_dir = dir_.Sub("rich");
    r.initial_cluster = cluster;
    r.initial_cluster_token = "restored";
    r.peer_port = ports[0];
    r.client_port = ports[1];
    r.metrics_port = ports[2];
    r.extra_args = {"--snapshot-count=1"};
    auto server = EtcdServer::Start(version_, r);
    ASSERT_NE(server, nullptr) << "round " << round;
    auto all = nlohmann::json::parse(server->Etcdctl({root, "get", "", "--prefix", "-w", "json"}));
    if (round == 0) {
      EXPECT_EQ(all["header"]["revision"], before["header"]["revision"]);
      EXPECT_TRUE(all["kvs"] == before["kvs"]) << "restored keys differ";
      EXPECT_EQ(server->Etcdctl({root, "get", "k", "--rev", std::to_string(r1), "--print-value-only"}), "v1\n");
    }
    EXPECT_EQ(all["kvs"].size(), before["kvs"].size() + static_cast<size_t>(round));
    server->Etcdctl({root, "put", "after-restart-" + std::to_string(round), "x"});
    EXPECT_EQ(server->Etcdctl({root, "user", "list"}), "root\n");
    std::string log = server->Log();
    EXPECT_EQ(log.find("\"level\":\"panic\""), std::string::npos) << log.substr(0, 4000);
    EXPECT_EQ(log.find("\"level\":\"fatal\""), std::string::npos) << log.substr(0, 4000);
    server->Stop();
  }
}

TEST_P(RestoreTest, BumpRevisionMarksCompacted) {
  nlohmann::json kvs;
  int64_t revision = 0;
  std::string file = MakeSnapshot(&kvs, &revision);
  ASSERT_FALSE(file.empty());
  int port = FreePort();
  std::string cluster = "b=http://127.0.0.1:" + std::to_string(port);
  auto flags = MemberFlags("b", cluster, port);
  flags.insert(flags.end(), {"--bump-revision", "1000", "--mark-compacted"});
  nlohmann::json out = RestoreWithUs(file, dir_.Sub("bumped"), flags);
  EXPECT_EQ(out["bumpedRevision"].get<int64_t>(), revision + 1000);
  BboltCheck(dir_.Sub("bumped"));

  auto server = StartOn(dir_.Sub("bumped"), "b", cluster, port);
  ASSERT_NE(server, nullptr);
  auto all = nlohmann::json::parse(server->Etcdctl({"get", "", "--prefix", "-w", "json"}));
  EXPECT_EQ(all["kvs"], kvs);  // data unchanged, revisions unchanged
  EXPECT_EQ(all["header"]["revision"].get<int64_t>(), revision + 1000);
  CommandResult old = server->TryEtcdctl({"get", "foo", "--rev", std::to_string(revision)});
  EXPECT_NE(old.exit_code, 0);
  EXPECT_NE(old.err.find("compacted"), std::string::npos) << old.err;
  auto put = nlohmann::json::parse(server->Etcdctl({"put", "after", "bump", "-w", "json"}));
  EXPECT_EQ(put["header"]["revision"].get<int64_t>(), revision + 1001);

  // Without --mark-compacted the flags are refused, as etcdutl does.
  CommandResult bad = RunKubectlEtcd({"restore", file, "--data-dir", dir_.Sub("bad"), "--bump-revision", "5"});
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  EXPECT_NE(bad.err.find("--mark-compacted required"), std::string::npos);
}

TEST_P(RestoreTest, ThreeMemberClusterForms) {
  nlohmann::json kvs;
  int64_t revision = 0;
  std::string file = MakeSnapshot(&kvs, &revision);
  ASSERT_FALSE(file.empty());
  std::vector<int> ports = Ports(9);  // peer, client and metrics port of each member
  std::string cluster;
  for (int i = 0; i < 3; i++) {
    cluster += (i ? "," : "") + std::string("m") + std::to_string(i + 1) + "=http://127.0.0.1:" +
               std::to_string(ports[i]);
  }
  nlohmann::json outs[3];
  for (int i = 0; i < 3; i++) {
    std::string name = "m" + std::to_string(i + 1);
    outs[i] = RestoreWithUs(file, dir_.Sub(name), MemberFlags(name, cluster, ports[i]));
    // Same flags for etcd: same WAL except the local member ID (deterministic part).
    RestoreWithEtcd(file, dir_.Sub(name + "-etcd"), MemberFlags(name, cluster, ports[i]));
    EXPECT_TRUE(FileContents(dir_.Sub(name) + kWal) == FileContents(dir_.Sub(name + "-etcd") + kWal)) << name;
  }
  std::unique_ptr<EtcdServer> servers[3];
  for (int i = 0; i < 3; i++) {
    std::string name = "m" + std::to_string(i + 1);
    servers[i] = StartOn(dir_.Sub(name), name, cluster, ports[i], false, ports[3 + i], ports[6 + i]);
    ASSERT_NE(servers[i], nullptr);
  }
  for (auto& s : servers) ASSERT_TRUE(s->WaitHealthy(60)) << s->Log();

  auto members = nlohmann::json::parse(servers[0]->Etcdctl({"member", "list", "-w", "json"}))["members"];
  ASSERT_EQ(members.size(), 3u);
  std::map<uint64_t, std::string> got, want;
  for (const auto& m : members) got[m["ID"].get<uint64_t>()] = m["name"];
  for (const auto& m : outs[0]["members"]) want[std::stoull(m["id"].get<std::string>(), nullptr, 16)] = m["name"];
  EXPECT_EQ(got, want);
  for (auto& s : servers) {
    auto all = nlohmann::json::parse(s->Etcdctl({"get", "", "--prefix", "-w", "json"}));
    EXPECT_EQ(all["kvs"], kvs);
    EXPECT_EQ(all["header"]["revision"].get<int64_t>(), revision);
  }
  servers[0]->Etcdctl({"put", "replicated", "yes"});
  EXPECT_EQ(servers[2]->Etcdctl({"get", "replicated", "--print-value-only"}), "yes\n");
}

TEST_P(RestoreTest, RefusesNonEmptyDataDirAndCorruptSnapshot) {
  nlohmann::json kvs;
  int64_t revision = 0;
  std::string file = MakeSnapshot(&kvs, &revision);
  ASSERT_FALSE(file.empty());
  std::string d = dir_.Sub("full");
  ::mkdir(d.c_str(), 0700);
  std::ofstream(d + "/something") << "x";
  CommandResult r = RunKubectlEtcd({"restore", file, "--data-dir", d});
  EXPECT_EQ(r.exit_code, 5) << r.err;
  EXPECT_NE(r.err.find("not empty"), std::string::npos) << r.err;

  std::string bytes = FileContents(file);
  bytes[bytes.size() - 40] ^= 1;  // inside the db image, before the trailer
  std::string bad = dir_.Sub("bad.db");
  std::ofstream(bad, std::ios::binary) << bytes;
  CommandResult c = RunKubectlEtcd({"restore", bad, "--data-dir", dir_.Sub("c")});
  EXPECT_EQ(c.exit_code, 4) << c.err;
  EXPECT_NE(c.err.find("expected sha256"), std::string::npos) << c.err;
  struct stat st;
  EXPECT_NE(::stat(dir_.Sub("c").c_str(), &st), 0);
}

INSTANTIATE_TEST_SUITE_P(Versions, RestoreTest, ::testing::ValuesIn(VersionNames()),
                         [](const auto& param_info) {
                           std::string n = param_info.param;
                           for (char& c : n) {
                             if (c == '.') c = '_';
                           }
                           return "v" + n;
                         });

}  // namespace
}  // namespace ketcd::e2e
