// kubectl etcd status against the reference tools (etcdctl 3.4 `snapshot status`,
// etcdutl 3.5/3.6/3.7 `snapshot status`) on snapshots written by real servers of each
// version: a few keys, values larger than a page, >100,000 keys, deletions and a
// compaction, leases, auth users and roles, a three-member cluster, and a raw db copy.
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "pkg/base/bytes.h"
#include "pkg/bbolt/writer.h"
#include "tests/e2e/harness.h"

namespace ketcd::e2e {
namespace {

const std::map<std::string, std::string> kEnv = {{"ETCDCTL_API", "3"}};

// etcdutl 3.7's newer tablewriter draws with box characters; 3.4-3.6 (and we) use ASCII.
// The layout is otherwise the same, so compare after mapping the borders to ASCII.
std::string AsciiBorders(std::string s) {
  const std::pair<std::string, std::string> kMap[] = {{"┌", "+"}, {"┬", "+"}, {"┐", "+"}, {"├", "+"}, {"┼", "+"},
                                                       {"┤", "+"}, {"└", "+"}, {"┴", "+"}, {"┘", "+"}, {"─", "-"},
                                                       {"│", "|"}};
  for (const auto& [from, to] : kMap) {
    for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
      s.replace(at, from.size(), to);
    }
  }
  return s;
}

class StatusE2eTest : public ::testing::TestWithParam<std::string> {
 protected:
  EtcdVersion version() const { return VersionByName(GetParam()); }

  // etcdctl 3.4 / etcdutl 3.5+ `snapshot status -w <format>`.
  CommandResult Reference(const std::string& file, const std::string& format) {
    const EtcdVersion v = version();
    return e2e::Run({v.etcdutl(), "snapshot", "status", file, "-w", format}, kEnv);
  }

  std::string Save(EtcdServer& server, const std::string& file) {
    std::vector<std::string> args = server.ConnectionFlags();
    args.insert(args.end(), {"snapshot", "save", file});
    CommandResult r = e2e::Run([&] {
      std::vector<std::string> argv = {server.version().etcdctl()};
      argv.insert(argv.end(), args.begin(), args.end());
      return argv;
    }(), kEnv);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return file;
  }

  // Our -o json must carry the reference's values under the reference's keys, and our
  // -o simple / table must print the reference's simple / table text.
  void ExpectSameAsReference(const std::string& file) {
    SCOPED_TRACE(file);
    CommandResult ref = Reference(file, "json");
    ASSERT_EQ(ref.exit_code, 0) << ref.err;
    nlohmann::json want = nlohmann::json::parse(ref.out);
    CommandResult ours = RunKubectlEtcd({"status", "-o", "json", file});
    ASSERT_EQ(ours.exit_code, 0) << ours.err;
    nlohmann::json got = nlohmann::json::parse(ours.out);
    for (const char* k : {"hash", "revision", "totalKey", "totalSize"}) EXPECT_EQ(got[k], want[k]) << k;
    if (want.contains("version") && want["version"] != "") {
      EXPECT_EQ(got["version"], want["version"]);
    }
    EXPECT_EQ(got["integrity"]["ok"], true);
    EXPECT_EQ(got["sha256"]["state"], "match");

    CommandResult ref_simple = Reference(file, "simple");
    CommandResult our_simple = RunKubectlEtcd({"snapshot", "status", "-o", "simple", file});
    EXPECT_EQ(our_simple.out, ref_simple.out);
    std::string ref_table = AsciiBorders(Reference(file, "table").out);
    CommandResult our_table = RunKubectlEtcd({"status", file});
    EXPECT_EQ(our_table.out.substr(0, ref_table.size()), ref_table);
  }
};

TEST_P(StatusE2eTest, MatchesReferenceToolOnOneServer) {
  ServerOptions opts;
  opts.extra_args = {"--max-txn-ops=20000", "--max-request-bytes=10485760"};
  auto server = EtcdServer::Start(version(), opts);
  ASSERT_NE(server, nullptr);
  TempDir dir;

  // A few keys, and values larger than a page.
  server->Etcdctl({"put", "/registry/pods/default/a", "1"});
  server->Etcdctl({"put", "/registry/configmaps/kube-system/big", std::string(20000, 'x')});
  server->Etcdctl({"put", "plain", std::string(5000, 'y')});
  ExpectSameAsReference(Save(*server, dir.Sub("few.db")));

  // >100,000 keys, deletions and a compaction, a lease, users and roles.
  server->PutMany("/registry/secrets/ns1/s", 100500, 10000);
  server->Etcdctl({"del", "--prefix", "/registry/secrets/ns1/s1000"});
  server->Etcdctl({"put", "/registry/pods/default/a", "2"});
  std::string lease = server->Etcdctl({"lease", "grant", "600"});
  std::string id = lease.substr(6, lease.find(' ', 6) - 6);  // "lease <hex> granted with TTL(600s)"
  server->Etcdctl({"put", "--lease=" + id, "/registry/leases/kube-node-lease/n1", "x"});
  std::string header = server->Etcdctl({"get", "plain", "-w", "json"});
  int64_t rev = nlohmann::json::parse(header)["header"]["revision"].get<int64_t>();
  server->Etcdctl({"compact", std::to_string(rev - 1), "--physical"});
  server->Etcdctl({"role", "add", "reader"});
  server->Etcdctl({"user", "add", "alice:pw"});
  server->Etcdctl({"user", "grant-role", "alice", "reader"});
  std::string big = Save(*server, dir.Sub("big.db"));
  ExpectSameAsReference(big);

  CommandResult keys = RunKubectlEtcd({"status", "--keys", "-o", "json", big});
  ASSERT_EQ(keys.exit_code, 0) << keys.err;
  nlohmann::json in = nlohmann::json::parse(keys.out)["inspect"];
  EXPECT_EQ(in["resources"]["secrets"]["namespaces"]["ns1"], 100500 - 111);
  EXPECT_EQ(in["leases"], 1);
  EXPECT_EQ(in["keysWithLease"], 1);
  EXPECT_EQ(in["compactedRevision"], rev - 1);
  EXPECT_EQ(in["users"], nlohmann::json::array({"alice"}));

  // The input is never modified.
  std::string before = FileContents(big);
  ASSERT_EQ(RunKubectlEtcd({"status", big}).exit_code, 0);
  EXPECT_EQ(FileContents(big), before);

  // A raw copy of member/snap/db has no trailer: refused unless --skip-hash-check.
  server->Stop();
  std::string raw = server->data_dir() + "/member/snap/db";
  CommandResult r = RunKubectlEtcd({"status", raw});
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_NE(r.err.find("--skip-hash-check"), std::string::npos);
  r = RunKubectlEtcd({"status", "--skip-hash-check", "-o", "json", raw});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  CommandResult ref = Reference(raw, "json");
  ASSERT_EQ(ref.exit_code, 0) << ref.err;
  nlohmann::json got = nlohmann::json::parse(r.out), want = nlohmann::json::parse(ref.out);
  for (const char* k : {"hash", "revision", "totalKey", "totalSize"}) EXPECT_EQ(got[k], want[k]) << k;

  // A flipped byte in the trailer or in the data: exit 4 with the reason.
  std::string bytes = FileContents(big);
  bytes[bytes.size() - 5] ^= 1;
  std::ofstream(dir.Sub("bad-trailer.db"), std::ios::binary) << bytes;
  r = RunKubectlEtcd({"status", dir.Sub("bad-trailer.db")});
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_NE(r.err.find("SHA-256 mismatch"), std::string::npos) << r.err;
}

TEST_P(StatusE2eTest, ThreeMemberCluster) {
  std::vector<std::unique_ptr<EtcdServer>> servers = StartCluster(version(), 3);
  ASSERT_EQ(servers.size(), 3u);
  servers[0]->Etcdctl({"put", "k", "v"});
  TempDir dir;
  std::string file = Save(*servers[0], dir.Sub("three.db"));
  ExpectSameAsReference(file);
  CommandResult keys = RunKubectlEtcd({"status", "--keys", "-o", "json", file});
  ASSERT_EQ(keys.exit_code, 0) << keys.err;
  EXPECT_EQ(nlohmann::json::parse(keys.out)["inspect"]["members"].size(), 3u);
}

INSTANTIATE_TEST_SUITE_P(Versions, StatusE2eTest, ::testing::ValuesIn(VersionNames()),
                         [](const auto& param_info) { return "v" + std::string(1, param_info.param[0]) + "_" + param_info.param.substr(2); });

// A ~256 MiB database (no trailer) shaped like etcd's: revision keys in `key`, plus `meta`.
void WriteBigDb(const std::string& path) {
  ::unlink(path.c_str());
  auto w = bbolt::BulkWriter::Create(path);
  ASSERT_TRUE(w.ok()) << w.status();
  ASSERT_TRUE((*w)->BeginBucket("key").ok());
  std::string value(128 << 10, 'v');
  for (uint64_t i = 1; i <= 2048; i++) {
    std::string k(17, '_');
    StoreBE64(k.data(), i);
    StoreBE64(k.data() + 9, 0);
    value[0] = static_cast<char>('a' + i % 26);
    ASSERT_TRUE((*w)->Put(k, value).ok());
  }
  ASSERT_TRUE((*w)->EndBucket().ok());
  ASSERT_TRUE((*w)->BeginBucket("meta").ok());
  ASSERT_TRUE((*w)->Put("consistent_index", std::string(8, '\0')).ok());
  ASSERT_TRUE((*w)->EndBucket().ok());
  ASSERT_TRUE((*w)->Finish().ok());
}

// Someone truncates the file while `status` or `restore` reads it. That used to kill the
// process with SIGBUS (exit 135); now it is a clean "bad snapshot" (exit 4), or a success
// when the truncation came too late. Several delays so that some truncations land mid-read.
TEST(FileSafetyE2eTest, TruncatedWhileReadExitsFourNotSigbus) {
  TempDir dir;
  const std::string file = dir.Sub("big.db");
  int mid_read = 0;
  for (int delay_ms : {30, 80, 150, 250}) {
    for (const char* command : {"status", "restore"}) {
      WriteBigDb(file);
      std::vector<std::string> args = {KubectlEtcd(), command, file, "--skip-hash-check"};
      if (std::string(command) == "restore") {
        (void)e2e::Run({"/bin/rm", "-rf", dir.Sub("data")});
        args.insert(args.end(), {"--data-dir", dir.Sub("data")});
      }
      CommandResult r;
      std::thread runner([&] { r = e2e::Run(args, {}, 120); });
      std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
      ASSERT_EQ(::truncate(file.c_str(), 8192), 0);
      runner.join();
      EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 4) << command << " after " << delay_ms << "ms: exit "
                                                        << r.exit_code << " " << r.err;
      if (r.err.find("changed size or could not be read") != std::string::npos) mid_read++;
    }
  }
  EXPECT_GT(mid_read, 0) << "no truncation landed while the file was read";
}

}  // namespace
}  // namespace ketcd::e2e
