// kubectl etcd backup against real etcd 3.4, 3.5, 3.6 and 3.7 servers.
#include <signal.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "pkg/bbolt/db.h"
#include "pkg/etcdclient/client.h"
#include "tests/e2e/harness.h"

namespace ketcd::e2e {
namespace {

using Clock = std::chrono::steady_clock;

bool Exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

std::unique_ptr<etcdclient::Client> Connect(const EtcdServer& server) {
  etcdclient::ConnectionConfig cfg;
  cfg.endpoints = {*etcdclient::ParseEndpoint(server.client_url(), true)};
  cfg.tls.ca_file = server.certs().ca_crt;
  cfg.tls.cert_file = server.certs().client_crt;
  cfg.tls.key_file = server.certs().client_key;
  auto c = etcdclient::Client::Connect(cfg, cfg.endpoints[0]);
  EXPECT_TRUE(c.ok()) << c.status();
  return c.ok() ? std::move(*c) : nullptr;
}

// Writes `count` keys with `value_size`-byte values.
void Fill(const EtcdServer& server, int count, size_t value_size) {
  auto client = Connect(server);
  ASSERT_NE(client, nullptr);
  std::string value(value_size, 'v');
  for (int i = 0; i < count; i++) {
    value[0] = static_cast<char>('a' + i % 26);
    auto r = client->Put("/registry/test/key-" + std::to_string(i), value);
    ASSERT_TRUE(r.ok()) << r.status();
  }
}

// The reference tool's `snapshot status -w json` of a file (etcdctl 3.4, etcdutl 3.5+).
nlohmann::json ReferenceStatus(const EtcdVersion& v, const std::string& file) {
  CommandResult r = Run({v.etcdutl(), "snapshot", "status", file, "-w", "json"}, {{"ETCDCTL_API", "3"}});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.exit_code == 0 ? nlohmann::json::parse(r.out) : nlohmann::json();
}

// Our file must be what etcdctl writes for the same server state. etcd 3.4 serves an
// idle database byte for byte the same every time, so the files must be identical.
// From 3.5 on, every Snapshot call first commits the backend, which rewrites the
// consistent index and so moves a page and bumps the bbolt txid: two `etcdctl snapshot
// save` runs in a row differ as well. There the check is the same size and the same
// content by the reference tool's own reading (hash over every bucket, key and value,
// revision, key count, size).
void ExpectSameSnapshot(const EtcdVersion& v, const std::string& ours, const std::string& theirs) {
  std::string a = FileContents(ours), b = FileContents(theirs);
  ASSERT_GT(a.size(), 4096u);
  EXPECT_EQ(a.size(), b.size());
  if (v.name == "3.4") {
    EXPECT_TRUE(a == b) << "snapshot bytes differ from etcdctl snapshot save";
    return;
  }
  nlohmann::json sa = ReferenceStatus(v, ours), sb = ReferenceStatus(v, theirs);
  EXPECT_EQ(sa, sb) << "reference snapshot status differs: " << sa << " vs " << sb;
  EXPECT_NE(sa.value("hash", 0u), 0u);
}

// Every bucket, key and value of a snapshot, except meta/consistent_index and meta/term:
// those advance with every raft entry, and an Authenticate call is one.
std::map<std::string, std::string> Content(const std::string& path) {
  std::map<std::string, std::string> out;
  auto db = bbolt::Db::Open(path);
  EXPECT_TRUE(db.ok()) << db.status();
  if (!db.ok()) return out;
  absl::Status s = (*db)->ForEach((*db)->root(), [&](const bbolt::Entry& b) -> absl::Status {
    KETCD_ASSIGN_OR_RETURN(bbolt::Bucket bucket, (*db)->BucketFromEntry(b));
    std::string name(b.key);
    return (*db)->ForEach(bucket, [&](const bbolt::Entry& kv) -> absl::Status {
      std::string key(kv.key);
      if (name == "meta" && (key == "consistent_index" || key == "term")) return absl::OkStatus();
      out[name + "/" + key] = std::string(kv.value);
      return absl::OkStatus();
    });
  });
  EXPECT_TRUE(s.ok()) << s;
  return out;
}

// With password auth, each client's Authenticate is a raft entry, so from 3.5 on the two
// files differ in the consistent index as well; everything else must be the same.
void ExpectSameContent(const EtcdVersion& v, const std::string& ours, const std::string& theirs) {
  if (v.name == "3.4") return ExpectSameSnapshot(v, ours, theirs);
  auto a = Content(ours), b = Content(theirs);
  EXPECT_GT(a.size(), 10u);
  EXPECT_TRUE(a == b) << "snapshot content differs from etcdctl snapshot save";
  nlohmann::json sa = ReferenceStatus(v, ours), sb = ReferenceStatus(v, theirs);
  for (const char* k : {"revision", "totalKey", "totalSize"}) EXPECT_EQ(sa[k], sb[k]) << k;
}

class BackupTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { version_ = VersionByName(GetParam()); }
  EtcdVersion version_;
  TempDir dir_;
};

TEST_P(BackupTest, ByteIdenticalToEtcdctlWithClientCertAuth) {
  auto server = EtcdServer::Start(version_);
  ASSERT_NE(server, nullptr);
  Fill(*server, 50, 100);
  std::string ours = dir_.Sub("ours.db"), theirs = dir_.Sub("etcdctl.db");
  std::vector<std::string> args = {"backup", ours, "-o", "json"};
  for (const auto& f : server->ConnectionFlags()) args.push_back(f);
  CommandResult r = RunKubectlEtcd(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  server->Etcdctl({"snapshot", "save", theirs});
  ExpectSameSnapshot(version_, ours, theirs);
  std::string a = FileContents(ours);
  EXPECT_FALSE(Exists(ours + ".part"));

  struct stat st;
  ASSERT_EQ(::stat(ours.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  auto out = nlohmann::json::parse(r.out);
  EXPECT_EQ(out["path"], ours);
  EXPECT_EQ(out["size"], a.size());
  EXPECT_EQ(out["sha256"].get<std::string>().size(), 64u);
  EXPECT_GT(out["revision"].get<int64_t>(), 50);
  auto meta = nlohmann::json::parse(FileContents(ours + ".json"));
  EXPECT_EQ(meta["sha256"], out["sha256"]);
  EXPECT_EQ(meta["memberName"], "default");
  EXPECT_EQ(meta["etcdVersion"].get<std::string>().substr(0, 3), version_.name);
  EXPECT_EQ(meta["tool"], "kubectl-etcd");
}

TEST_P(BackupTest, ByteIdenticalToEtcdctlWithPasswordAuth) {
  ServerOptions opts;
  opts.client_cert_auth = false;  // TLS server, password auth only
  auto server = EtcdServer::Start(version_, opts);
  ASSERT_NE(server, nullptr);
  Fill(*server, 10, 10);
  server->Etcdctl({"user", "add", "root:s3cret"});
  server->Etcdctl({"auth", "enable"});
  std::string ours = dir_.Sub("ours.db"), theirs = dir_.Sub("etcdctl.db");
  CommandResult r = RunKubectlEtcd({"backup", ours, "--endpoints", server->client_url(), "--cacert",
                                    server->certs().ca_crt, "--user", "root", "--password", "s3cret"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  server->Etcdctl({"--user", "root:s3cret", "snapshot", "save", theirs});
  ExpectSameContent(version_, ours, theirs);

  // The password kept off the command line: a file, or etcdctl's environment variable.
  const std::string password_file = dir_.Sub("password");
  std::ofstream(password_file) << "s3cret\n";
  CommandResult from_file = RunKubectlEtcd({"backup", dir_.Sub("f.db"), "--endpoints", server->client_url(), "--cacert",
                                            server->certs().ca_crt, "--user", "root", "--password-file", password_file});
  EXPECT_EQ(from_file.exit_code, 0) << from_file.err;
  CommandResult from_env = e2e::Run({KubectlEtcd(), "backup", dir_.Sub("e.db"), "--endpoints", server->client_url(),
                                "--cacert", server->certs().ca_crt, "--user", "root"},
                               {{"ETCDCTL_PASSWORD", "s3cret"}});
  EXPECT_EQ(from_env.exit_code, 0) << from_env.err;

  CommandResult wrong = RunKubectlEtcd({"backup", dir_.Sub("w.db"), "--endpoints", server->client_url(), "--cacert",
                                        server->certs().ca_crt, "--user", "root", "--password", "nope"});
  EXPECT_EQ(wrong.exit_code, 3);
  EXPECT_NE(wrong.err.find("rejected user \"root\""), std::string::npos) << wrong.err;
  CommandResult none = RunKubectlEtcd({"backup", dir_.Sub("n.db"), "--endpoints", server->client_url(), "--cacert",
                                       server->certs().ca_crt});
  EXPECT_EQ(none.exit_code, 3);
  EXPECT_NE(none.err.find("authentication enabled"), std::string::npos) << none.err;
  EXPECT_FALSE(Exists(dir_.Sub("w.db")) || Exists(dir_.Sub("n.db")) || Exists(dir_.Sub("n.db.part")));
}

TEST_P(BackupTest, StdoutStreamAndRefusalToOverwrite) {
  auto server = EtcdServer::Start(version_);
  ASSERT_NE(server, nullptr);
  Fill(*server, 5, 10);
  std::string file = dir_.Sub("s.db");
  std::vector<std::string> conn = server->ConnectionFlags();
  std::vector<std::string> args = {"backup", file};
  args.insert(args.end(), conn.begin(), conn.end());
  ASSERT_EQ(RunKubectlEtcd(args).exit_code, 0);
  std::string first = FileContents(file);

  CommandResult again = RunKubectlEtcd(args);
  EXPECT_EQ(again.exit_code, 5) << again.err;
  EXPECT_NE(again.err.find("already exists"), std::string::npos) << again.err;
  EXPECT_EQ(FileContents(file), first);
  args.push_back("--force");
  EXPECT_EQ(RunKubectlEtcd(args).exit_code, 0);

  std::vector<std::string> dash = {"backup", "-"};
  dash.insert(dash.end(), conn.begin(), conn.end());
  CommandResult piped = RunKubectlEtcd(dash);
  ASSERT_EQ(piped.exit_code, 0) << piped.err;
  std::string streamed = dir_.Sub("streamed.db");
  std::ofstream(streamed, std::ios::binary) << piped.out;
  ExpectSameSnapshot(version_, streamed, file);
  EXPECT_NE(piped.err.find("Snapshot saved"), std::string::npos);
}

TEST_P(BackupTest, DefaultNameInDirAndSeveralEndpoints) {
  auto server = EtcdServer::Start(version_);
  ASSERT_NE(server, nullptr);
  int dead_port = FreePort();
  // etcdctl refuses several endpoints for a snapshot; we pick the healthy member.
  CommandResult r = RunKubectlEtcd({"backup", "--dir", dir_.path(), "--endpoints",
                                    "https://127.0.0.1:" + std::to_string(dead_port) + "," + server->client_url(),
                                    "--cacert", server->certs().ca_crt, "--cert", server->certs().client_crt, "--key",
                                    server->certs().client_key, "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string path = nlohmann::json::parse(r.out)["path"];
  EXPECT_EQ(path.rfind(dir_.path() + "/etcd-snapshot-default-", 0), 0u) << path;
  EXPECT_TRUE(Exists(path));
}

// Each misconfiguration gets its own actionable message, fast, and leaves no file.
TEST_P(BackupTest, ConnectionErrorsAreDistinctAndFast) {
  auto server = EtcdServer::Start(version_);
  ASSERT_NE(server, nullptr);
  const TestCerts& c = server->certs();
  std::string file = dir_.Sub("x.db");
  struct Case {
    std::string name;
    std::vector<std::string> flags;
    std::string expect;
    int exit_code = 3;  // README, "Exit codes": cannot talk to etcd
  };
  std::string https = "https://127.0.0.1:";
  std::vector<Case> cases = {
      {"wrong CA", {"--endpoints", server->client_url(), "--cacert", c.other_ca_crt, "--cert", c.client_crt, "--key", c.client_key},
       "is not trusted by CA file \"" + c.other_ca_crt + "\""},
      {"wrong client cert", {"--endpoints", server->client_url(), "--cacert", c.ca_crt, "--cert", c.other_client_crt, "--key", c.other_client_key},
       "rejected the client certificate \"" + c.other_client_crt + "\""},
      {"no client cert", {"--endpoints", server->client_url(), "--cacert", c.ca_crt}, "requires a client certificate"},
      {"peer port", {"--endpoints", server->peer_url(), "--cacert", c.ca_crt, "--cert", c.client_crt, "--key", c.client_key},
       "is etcd's peer port"},
      {"metrics port", {"--endpoints", server->metrics_url(), "--cacert", c.ca_crt, "--cert", c.client_crt, "--key", c.client_key},
       "is etcd's metrics port"},
      {"http to a TLS port", {"--endpoints", "http://127.0.0.1:" + std::to_string(server->client_port())},
       "speaks TLS: use https://"},
      {"unreachable", {"--endpoints", https + std::to_string(FreePort()), "--cacert", c.ca_crt, "--cert", c.client_crt, "--key", c.client_key},
       "connection refused"},
      {"missing cert file", {"--endpoints", server->client_url(), "--cacert", c.ca_crt, "--cert", dir_.Sub("nope.crt"), "--key", c.client_key},
       "client certificate \"" + dir_.Sub("nope.crt") + "\" cannot be read", 6},
      {"key of another cert", {"--endpoints", server->client_url(), "--cacert", c.ca_crt, "--cert", c.client_crt, "--key", c.other_client_key},
       "does not belong to client certificate", 2},
  };
  for (const Case& k : cases) {
    std::vector<std::string> args = {"backup", file};
    args.insert(args.end(), k.flags.begin(), k.flags.end());
    auto start = Clock::now();
    CommandResult r = RunKubectlEtcd(args, 60);
    double secs = std::chrono::duration<double>(Clock::now() - start).count();
    EXPECT_EQ(r.exit_code, k.exit_code) << k.name << ": " << r.err;
    EXPECT_NE(r.err.find(k.expect), std::string::npos) << k.name << ": " << r.err;
    EXPECT_EQ(r.err.find("deadline exceeded"), std::string::npos) << k.name << ": " << r.err;
    EXPECT_LT(secs, 8.0) << k.name;
    EXPECT_FALSE(Exists(file) || Exists(file + ".part")) << k.name;
  }
}

// The server dies or freezes mid-stream: non-zero exit, a message, no file, no .part.
TEST_P(BackupTest, ServerLostMidSnapshotLeavesNothing) {
  ServerOptions opts;
  opts.extra_args = {"--quota-backend-bytes=4294967296"};
  auto server = EtcdServer::Start(version_, opts);
  ASSERT_NE(server, nullptr);
  Fill(*server, 160, 1 << 20);  // ~160 MiB database
  for (int mode = 0; mode < 2; mode++) {
    std::string file = dir_.Sub(mode == 0 ? "frozen.db" : "killed.db");
    std::vector<std::string> args = {KubectlEtcd(), "backup", file, "--stall-timeout", "2"};
    for (const auto& f : server->ConnectionFlags()) args.push_back(f);
    CommandResult result;
    std::thread runner([&] { result = e2e::Run(args, {}, 60); });
    // Wait for the transfer to start, then freeze (SIGSTOP) or kill the server.
    auto deadline = Clock::now() + std::chrono::seconds(20);
    struct stat st{};
    while (Clock::now() < deadline && !(::stat((file + ".part").c_str(), &st) == 0 && st.st_size > 0)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    EXPECT_GT(st.st_size, 0) << "the transfer did not start";
    if (mode == 0) {
      server->Signal(SIGSTOP);
    } else {
      server->Kill();
    }
    runner.join();
    if (mode == 0) server->Signal(SIGCONT);
    EXPECT_EQ(result.exit_code, 3) << result.err;  // lost the server: cannot talk to etcd
    EXPECT_NE(result.err.find(mode == 0 ? "stalled" : "broke off"), std::string::npos) << result.err;
    EXPECT_FALSE(Exists(file)) << "a partial snapshot was published";
    EXPECT_FALSE(Exists(file + ".part")) << ".part left behind";
  }
}

// A FILE.part left by a killed run (nobody holds its lock) no longer blocks later backups,
// with or without --force; FILE.json is refused without --force like FILE, before the stream.
TEST_P(BackupTest, StalePartIsReplacedAndJsonIsNotOverwritten) {
  auto server = EtcdServer::Start(version_);
  ASSERT_NE(server, nullptr);
  Fill(*server, 5, 10);
  std::vector<std::string> conn = server->ConnectionFlags();
  std::string file = dir_.Sub("s.db");
  std::ofstream(file + ".part") << "left by a killed run";
  std::vector<std::string> args = {"backup", file};
  args.insert(args.end(), conn.begin(), conn.end());
  CommandResult r = RunKubectlEtcd(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(Exists(file + ".part"));
  EXPECT_GT(FileContents(file).size(), 4096u);

  std::string other = dir_.Sub("o.db");
  std::ofstream(other + ".json") << "{\"mine\": true}\n";
  args[1] = other;
  CommandResult refused = RunKubectlEtcd(args);
  EXPECT_EQ(refused.exit_code, 5) << refused.err;
  EXPECT_NE(refused.err.find(other + ".json\" already exists"), std::string::npos) << refused.err;
  EXPECT_FALSE(Exists(other) || Exists(other + ".part"));
  EXPECT_EQ(FileContents(other + ".json"), "{\"mine\": true}\n");
  args.push_back("--force");
  ASSERT_EQ(RunKubectlEtcd(args).exit_code, 0);
  EXPECT_NE(FileContents(other + ".json").find("\"sha256\""), std::string::npos);
}

// Keys are written all through the backup: the revision reported (and in FILE.json) is the
// saved database's, as `status` reads it from the file, not the one before the stream began.
TEST_P(BackupTest, ReportsTheRevisionOfTheSavedSnapshot) {
  ServerOptions opts;
  opts.extra_args = {"--quota-backend-bytes=4294967296"};
  auto server = EtcdServer::Start(version_, opts);
  ASSERT_NE(server, nullptr);
  Fill(*server, 24, 1 << 20);
  std::atomic<bool> stop{false};
  std::atomic<int> puts{0};
  std::thread writer([&] {
    auto client = Connect(*server);
    for (int i = 0; client && !stop; i++) {
      (void)client->Put("/registry/busy/k" + std::to_string(i % 100), "v");
      puts++;
    }
  });
  auto busy = Clock::now() + std::chrono::seconds(20);
  while (puts < 50 && Clock::now() < busy) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_GE(puts, 50) << "the writer did not get going";
  std::string file = dir_.Sub("busy.db");
  std::vector<std::string> args = {"backup", file, "-o", "json"};
  for (const auto& f : server->ConnectionFlags()) args.push_back(f);
  CommandResult r = RunKubectlEtcd(args);
  stop = true;
  writer.join();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  CommandResult st = RunKubectlEtcd({"status", file, "-o", "json"});
  ASSERT_EQ(st.exit_code, 0) << st.err;
  int64_t in_file = nlohmann::json::parse(st.out)["revision"].get<int64_t>();
  EXPECT_EQ(nlohmann::json::parse(r.out)["revision"].get<int64_t>(), in_file);
  EXPECT_EQ(nlohmann::json::parse(FileContents(file + ".json"))["revision"].get<int64_t>(), in_file);
}

// The writer blocks for good (standard output is a pipe nobody reads, as a hung file system
// would block write or fsync): the stall timeout still ends the run, promptly and cleanly.
TEST_P(BackupTest, StuckWriterDoesNotHangTheRun) {
  ServerOptions opts;
  opts.extra_args = {"--quota-backend-bytes=4294967296"};
  auto server = EtcdServer::Start(version_, opts);
  ASSERT_NE(server, nullptr);
  Fill(*server, 8, 1 << 20);
  std::string script =
      "fifo=\"$1\"; shift; mkfifo \"$fifo\"; sleep 60 < \"$fifo\" & reader=$!; "
      "\"$@\" > \"$fifo\"; rc=$?; kill $reader; exit $rc";
  std::vector<std::string> args = {"/bin/bash", "-c", script, "bash", dir_.Sub("out.fifo"), KubectlEtcd(),
                                   "backup", "-", "--stall-timeout", "2"};
  for (const auto& f : server->ConnectionFlags()) args.push_back(f);
  auto start = Clock::now();
  CommandResult r = e2e::Run(args, {}, 40);
  double secs = std::chrono::duration<double>(Clock::now() - start).count();
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("standard output is stuck"), std::string::npos) << r.err;
  EXPECT_LT(secs, 15.0);
}

INSTANTIATE_TEST_SUITE_P(Etcd, BackupTest, ::testing::ValuesIn(VersionNames()),
                         [](const auto& param_info) { return "v" + std::string(1, param_info.param[0]) + param_info.param.substr(2); });

}  // namespace
}  // namespace ketcd::e2e
