// Compressed and encrypted snapshots against real etcd 3.4 and 3.7 and the real tools:
// `zstd -d` and `age -d` read what `backup --compress/--encrypt-to/--passphrase-file` writes,
// `status` and `restore` read what `zstd` and `age -e` write (the restored dir served by
// etcd), and damaged files, wrong keys and wrong passphrases fail cleanly.
#include <dirent.h>

#include <nlohmann/json.hpp>

#include "tests/e2e/harness.h"

namespace ketcd::e2e {
namespace {

const std::string kAgePty = std::string(KETCD_SOURCE_DIR) + "/tests/e2e/age_pty.py";

class SealedTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    version_ = VersionByName(GetParam());
    certs_ = MakeCerts(dir_.Sub("certs"));
    ServerOptions o;
    o.certs = &certs_;
    server_ = EtcdServer::Start(version_, o);
    ASSERT_NE(server_, nullptr);
    server_->Etcdctl({"put", "foo", "bar"});
    server_->Etcdctl({"put", "/registry/pods/default/p1", std::string(100000, 'x')});
    server_->Etcdctl({"put", "foo", "baz"});
    ASSERT_EQ(e2e::Run({"/usr/bin/age-keygen", "-o", Key()}).exit_code, 0) << "Debian package age (tests/tools/install-deps.sh)";
    ASSERT_EQ(e2e::Run({"/usr/bin/age-keygen", "-o", dir_.Sub("other.txt")}).exit_code, 0);
    recipient_ = e2e::Run({"/usr/bin/age-keygen", "-y", Key()}).out;
    recipient_.pop_back();
    Write("pass.txt", "correct horse battery\n");
    Sh("mkdir tmp");
    Write("wrong.txt", "wrong horse\n");
  }

  std::string Key() { return dir_.Sub("key.txt"); }
  void Write(const std::string& name, const std::string& text) {
    ASSERT_EQ(e2e::Run({"/bin/sh", "-c", "cat > \"$0\"", dir_.Sub(name)}, {}, 30, text).exit_code, 0);
  }
  std::string Sh(const std::string& script) {
    CommandResult r = e2e::Run({"/bin/sh", "-c", "cd \"$0\" && " + script, dir_.path()});
    EXPECT_EQ(r.exit_code, 0) << script << "\n" << r.err;
    return r.out;
  }
  std::string Sha256(const std::string& pipeline) { return Sh(pipeline + " | sha256sum").substr(0, 64); }

  // kubectl etcd backup FILE flags... -o json
  nlohmann::json Backup(const std::string& name, const std::vector<std::string>& flags) {
    std::vector<std::string> args = {"backup", dir_.Sub(name), "-o", "json"};
    auto conn = server_->ConnectionFlags();
    args.insert(args.end(), conn.begin(), conn.end());
    args.insert(args.end(), flags.begin(), flags.end());
    CommandResult r = RunKubectlEtcd(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.exit_code == 0 ? nlohmann::json::parse(r.out) : nlohmann::json();
  }

  nlohmann::json Status(const std::string& name, const std::vector<std::string>& flags = {}) {
    std::vector<std::string> args = {"status", dir_.Sub(name), "-o", "json"};
    args.insert(args.end(), flags.begin(), flags.end());
    CommandResult r = Ours(args);
    EXPECT_EQ(r.exit_code, 0) << name << ": " << r.err;
    if (r.exit_code != 0) return nlohmann::json();
    nlohmann::json j = nlohmann::json::parse(r.out);
    return {j["hash"], j["revision"], j["totalKey"], j["totalSize"]};
  }

  // kubectl-etcd with TMPDIR private to the test, where `status` decodes.
  CommandResult Ours(std::vector<std::string> args) {
    args.insert(args.begin(), KubectlEtcd());
    return e2e::Run(args, {{"TMPDIR", Tmp()}});
  }
  std::string Tmp() { return dir_.Sub("tmp"); }

  // Names in the directory that decoding would use; there must be none after a command.
  std::vector<std::string> Leftovers(const std::string& dir) {
    std::vector<std::string> names;
    DIR* d = ::opendir(dir.c_str());
    while (dirent* e = d ? ::readdir(d) : nullptr) {
      if (std::string(e->d_name).rfind(".kubectl-etcd-unseal-", 0) == 0) names.push_back(e->d_name);
    }
    if (d) ::closedir(d);
    return names;
  }

  EtcdVersion version_;
  TempDir dir_;
  TestCerts certs_;
  std::unique_ptr<EtcdServer> server_;
  std::string recipient_;
};

// Every backup reports the SHA-256 of the plain snapshot it received, and `status` of the
// sealed file reports what it reports for the plain snapshot the tools decode from it (etcd
// 3.6+ changes its database on its own after starting, so each file is compared with itself).
TEST_P(SealedTest, ToolsReadOurFilesAndStatusReadsThemAsThePlainSnapshot) {
  nlohmann::json plain = Backup("plain.db", {});
  ASSERT_EQ(Sha256("cat plain.db"), plain["sha256"]);

  nlohmann::json z = Backup("s.db.zst", {"--compress", "zstd"});
  EXPECT_EQ(z["compression"], "zstd");
  EXPECT_EQ(z["size"], plain["size"]);
  EXPECT_LT(z["fileSize"].get<uint64_t>(), z["size"].get<uint64_t>() / 4);
  EXPECT_EQ(Sha256("zstd -dc s.db.zst"), z["sha256"]);
  Sh("zstd -q -d s.db.zst -o s.db");
  EXPECT_EQ(Status("s.db.zst"), Status("s.db"));

  nlohmann::json za = Backup("s.db.zst.age", {"--compress", "zstd", "--encrypt-to", recipient_});
  EXPECT_EQ(za["encryption"], "age");
  const std::string sha = za["sha256"];
  auto meta = nlohmann::json::parse(FileContents(dir_.Sub("s.db.zst.age.json")));
  EXPECT_EQ(meta["compression"], "zstd");
  EXPECT_EQ(meta["encryption"], "age");
  EXPECT_EQ(Sha256("age -d -i key.txt s.db.zst.age | zstd -dc"), sha);
  Sh("age -d -i key.txt s.db.zst.age | zstd -dc > sa.db");
  EXPECT_EQ(Status("s.db.zst.age", {"--identity", Key()}), Status("sa.db"));

  // Several recipients from a file and the command line; age only.
  std::string other = e2e::Run({"/usr/bin/age-keygen", "-y", dir_.Sub("other.txt")}).out;
  Write("recipients.txt", "# ops\n" + other);
  nlohmann::json a = Backup("s.db.age", {"--encrypt-to-file", dir_.Sub("recipients.txt"), "--encrypt-to", recipient_});
  EXPECT_EQ(Sha256("age -d -i key.txt s.db.age"), a["sha256"]);
  EXPECT_EQ(Sha256("age -d -i other.txt s.db.age"), a["sha256"]);

  // A passphrase: age asks for it on a terminal.
  nlohmann::json p = Backup("p.db.zst.age", {"--compress", "zstd", "--passphrase-file", dir_.Sub("pass.txt")});
  Sh("python3 " + kAgePty + " 'correct horse battery' age -d -o p.db.zst p.db.zst.age");
  EXPECT_EQ(Sha256("zstd -dc p.db.zst"), p["sha256"]);
  Sh("zstd -q -d p.db.zst -o p.db");
  EXPECT_EQ(Status("p.db.zst.age", {"--passphrase-file", dir_.Sub("pass.txt")}), Status("p.db"));
  EXPECT_TRUE(Leftovers(Tmp()).empty());
}

TEST_P(SealedTest, RestoresFilesMadeByZstdAndAgeAndEtcdServesThem) {
  Backup("plain.db", {});
  const nlohmann::json want = Status("plain.db");
  Sh("zstd -q plain.db -o t.zst && age -e -r " + recipient_ + " -o t.age plain.db && age -e -r " + recipient_ +
     " -o t.zst.age t.zst && python3 " + kAgePty + " 'correct horse battery' age -p -o t.p.age t.zst");
  EXPECT_EQ(Status("t.zst"), want);
  EXPECT_EQ(Status("t.age", {"--identity", Key()}), want);
  EXPECT_EQ(Status("t.p.age", {"--passphrase-file", dir_.Sub("pass.txt")}), want);
  // Told by the first bytes, not by the name.
  Sh("cp t.zst.age renamed.db");
  EXPECT_EQ(Status("renamed.db", {"--identity", dir_.Sub("other.txt"), "--identity", Key()}), want);

  const std::string data_dir = dir_.Sub("restored");
  int port = FreePort();
  std::string cluster = "solo=http://127.0.0.1:" + std::to_string(port);
  CommandResult r = RunKubectlEtcd({"restore", dir_.Sub("t.zst.age"), "--data-dir", data_dir, "--identity", Key(),
                                    "--name", "solo", "--initial-cluster", cluster, "--initial-advertise-peer-urls",
                                    "http://127.0.0.1:" + std::to_string(port), "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Leftovers(dir_.path()).empty());
  server_->Stop();
  ServerOptions o;
  o.certs = &certs_;
  o.name = "solo";
  o.data_dir = data_dir;
  o.initial_cluster = cluster;
  o.peer_port = port;
  auto restored = EtcdServer::Start(version_, o);
  ASSERT_NE(restored, nullptr);
  EXPECT_EQ(restored->Etcdctl({"get", "foo", "--print-value-only"}), "baz\n");
  auto all = nlohmann::json::parse(restored->Etcdctl({"get", "", "--prefix", "-w", "json"}));
  EXPECT_EQ(all["header"]["revision"], want[1]);
  EXPECT_EQ(all["kvs"].size(), 2u);
}

TEST_P(SealedTest, DamagedFilesAndWrongKeysFailWithoutOutput) {
  Backup("s.db.zst", {"--compress", "zstd"});
  Backup("s.db.zst.age", {"--compress", "zstd", "--encrypt-to", recipient_});
  Backup("p.db.age", {"--passphrase-file", dir_.Sub("pass.txt")});
  Sh("head -c -100 s.db.zst > cut.zst && head -c -1 s.db.zst.age > cut.age && cp s.db.zst.age flip.age && "
     "printf 'X' | dd of=flip.age bs=1 seek=400 conv=notrunc 2>/dev/null && "
     "cp s.db.zst bad.zst && printf 'XXXX' | dd of=bad.zst bs=1 seek=300 conv=notrunc 2>/dev/null");
  struct Case {
    std::string file;
    std::vector<std::string> flags;
    int exit_code;
    std::string message;
  };
  const std::string id = Key();
  const std::string key_file = FileContents(id);
  const std::string secret = key_file.substr(key_file.find("AGE-SECRET-KEY-1"), 74);
  std::vector<Case> cases = {
      {"cut.zst", {}, 4, "the zstd stream is truncated"},
      {"bad.zst", {}, 4, "the zstd stream is damaged"},
      {"cut.age", {"--identity", id}, 4, "age"},
      {"flip.age", {"--identity", id}, 4, "age"},
      {"s.db.zst.age", {"--identity", dir_.Sub("other.txt")}, 2, "none of the identities"},
      {"s.db.zst.age", {}, 2, "is encrypted with age: pass --identity"},
      {"p.db.age", {"--passphrase-file", dir_.Sub("wrong.txt")}, 2, "encrypted with age to a passphrase"},
      {"p.db.age", {"--identity", id}, 2, "none of the identities"},
  };
  for (const Case& c : cases) {
    for (const char* cmd : {"status", "restore"}) {
      const std::string data_dir = dir_.Sub(std::string("out-") + c.file);
      std::vector<std::string> args = {cmd, dir_.Sub(c.file)};
      if (std::string(cmd) == "restore") args.insert(args.end(), {"--data-dir", data_dir});
      args.insert(args.end(), c.flags.begin(), c.flags.end());
      CommandResult r = Ours(args);
      EXPECT_EQ(r.exit_code, c.exit_code) << cmd << " " << c.file << ": " << r.err;
      EXPECT_NE(r.err.find(c.message), std::string::npos) << cmd << " " << c.file << ": " << r.err;
      EXPECT_EQ(r.err.find(secret), std::string::npos) << r.err;
      EXPECT_FALSE(e2e::Run({"/usr/bin/test", "-e", data_dir}).exit_code == 0) << cmd << " " << c.file << " left "
                                                                           << data_dir;
    }
  }
  EXPECT_TRUE(Leftovers(dir_.path()).empty());
  EXPECT_TRUE(Leftovers(Tmp()).empty());

  // The restore of a node (no --data-dir) takes plain snapshots only, and says so first.
  CommandResult node = RunKubectlEtcd({"restore", dir_.Sub("s.db.zst"), "--dry-run", "--host-root", dir_.Sub("none")});
  EXPECT_EQ(node.exit_code, 2) << node.err;
  EXPECT_NE(node.err.find("is zstd-encoded; the restore of a node takes a plain snapshot"), std::string::npos)
      << node.err;

  // A FILE without the suffix its layers need is refused before anything is written.
  auto conn = server_->ConnectionFlags();
  std::vector<std::string> args = {"backup", dir_.Sub("x.db"), "--compress", "zstd", "--encrypt-to", recipient_};
  args.insert(args.end(), conn.begin(), conn.end());
  CommandResult r = RunKubectlEtcd(args);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("must end in .zst.age"), std::string::npos) << r.err;
  EXPECT_FALSE(e2e::Run({"/usr/bin/test", "-e", dir_.Sub("x.db")}).exit_code == 0);
  args = {"backup", dir_.Sub("y.db.age"), "--encrypt-to", "age1notakey"};
  args.insert(args.end(), conn.begin(), conn.end());
  EXPECT_EQ(RunKubectlEtcd(args).exit_code, 2);
}

INSTANTIATE_TEST_SUITE_P(Versions, SealedTest, ::testing::Values("3.4", "3.7"),
                         [](const ::testing::TestParamInfo<std::string>& p) {
                           std::string n = p.param;
                           for (char& c : n) c = c == '.' ? '_' : c;
                           return "v" + n;
                         });

}  // namespace
}  // namespace ketcd::e2e
