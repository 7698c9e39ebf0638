// Backups to S3 and back, against versitygw (a real S3 gateway over a directory) and real
// etcd 3.4 and 3.7: streamed multipart uploads, status and restore of s3:// URLs (the
// restored dir served by etcd), compressed and encrypted objects, bad credentials, Ctrl-C
// and a gateway killed in the middle of an upload (nothing left behind), Object Lock; list,
// prune and backup --prune of an S3 prefix.
#include <signal.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "pkg/base/format.h"
#include "tests/e2e/harness.h"
#include "tests/e2e/versitygw.h"

namespace ketcd::e2e {
namespace {

class S3Test : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    gw_ = VersityGw::Start();
    ASSERT_NE(gw_, nullptr);
    ASSERT_TRUE(gw_->Client().CreateBucket("backups").ok());
    version_ = VersionByName(GetParam());
    certs_ = MakeCerts(dir_.Sub("certs"));
    ServerOptions o;
    o.certs = &certs_;
    server_ = EtcdServer::Start(version_, o);
    ASSERT_NE(server_, nullptr);
    server_->Etcdctl({"put", "foo", "bar"});
    server_->Etcdctl({"put", "/registry/pods/default/p1", std::string(100000, 'x')});
    server_->Etcdctl({"put", "foo", "baz"});
  }

  std::map<std::string, std::string> Env() const {
    auto env = gw_->Env();
    env["TMPDIR"] = dir_.path();
    return env;
  }
  CommandResult Ours(std::vector<std::string> args, std::map<std::string, std::string> extra_env = {}) {
    args.insert(args.begin(), KubectlEtcd());
    auto env = Env();
    for (const auto& [k, v] : extra_env) env[k] = v;
    return e2e::Run(args, env);
  }
  std::vector<std::string> BackupArgs(const std::string& dest, const std::vector<std::string>& flags) {
    std::vector<std::string> args = {"backup", dest, "-o", "json"};
    auto conn = server_->ConnectionFlags();
    args.insert(args.end(), conn.begin(), conn.end());
    args.insert(args.end(), flags.begin(), flags.end());
    return args;
  }
  nlohmann::json Backup(const std::string& dest, const std::vector<std::string>& flags = {}) {
    CommandResult r = Ours(BackupArgs(dest, flags));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.exit_code == 0 ? nlohmann::json::parse(r.out) : nlohmann::json();
  }
  std::vector<std::string> Keys(const std::string& prefix = "") {
    auto page = gw_->Client().ListObjectsV2("backups", {.prefix = prefix});
    EXPECT_TRUE(page.ok()) << page.status();
    std::vector<std::string> keys;
    if (page.ok()) {
      for (const auto& o : page->objects) keys.push_back(o.key);
    }
    return keys;
  }
  size_t Uploads() {
    auto page = gw_->Client().ListMultipartUploads("backups", "");
    EXPECT_TRUE(page.ok()) << page.status();
    return page.ok() ? page->uploads.size() : 99;
  }
  // Restores `url` into a new data dir, serves it with etcd and checks the data.
  void RestoreAndServe(const std::string& url, const std::vector<std::string>& flags = {}) {
    const std::string data_dir = dir_.Sub("restored-" + std::to_string(restores_++));
    int port = FreePort();
    std::string cluster = "solo=http://127.0.0.1:" + std::to_string(port);
    std::vector<std::string> args = {"restore", url, "--data-dir", data_dir, "--name", "solo", "--initial-cluster",
                                     cluster, "--initial-advertise-peer-urls", "http://127.0.0.1:" + std::to_string(port),
                                     "-o", "json"};
    args.insert(args.end(), flags.begin(), flags.end());
    CommandResult r = Ours(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(nlohmann::json::parse(r.out)["snapshot"], url);
    ServerOptions o;
    o.certs = &certs_;
    o.name = "solo";
    o.data_dir = data_dir;
    o.initial_cluster = cluster;
    o.peer_port = port;
    auto restored = EtcdServer::Start(version_, o);
    ASSERT_NE(restored, nullptr);
    EXPECT_EQ(restored->Etcdctl({"get", "foo", "--print-value-only"}), "baz\n");
  }

  TempDir dir_;
  std::unique_ptr<VersityGw> gw_;
  EtcdVersion version_;
  TestCerts certs_;
  std::unique_ptr<EtcdServer> server_;
  int restores_ = 0;
};

TEST_P(S3Test, BackupToAPrefixThenStatusAndRestoreFromS3) {
  nlohmann::json b = Backup("s3://backups/etcd/prod/");
  const std::string url = b["path"];
  ASSERT_EQ(url.rfind("s3://backups/etcd/prod/etcd-snapshot-default-", 0), 0u) << url;
  const std::string key = url.substr(std::string("s3://backups/").size());
  EXPECT_EQ(Keys("etcd/"), (std::vector<std::string>{key, key + ".json"}));
  EXPECT_EQ(Uploads(), 0u);
  auto head = gw_->Client().HeadObject("backups", key);
  ASSERT_TRUE(head.ok()) << head.status();
  EXPECT_EQ(head->size, b["size"].get<uint64_t>());
  std::string meta;
  ASSERT_TRUE(gw_->Client().GetObject("backups", key + ".json", [&](const char* p, size_t n) {
    meta.append(p, n);
    return absl::OkStatus();
  }).ok());
  auto mj = nlohmann::json::parse(meta);
  EXPECT_EQ(mj["sha256"], b["sha256"]);
  EXPECT_EQ(mj["etcdVersion"], b["etcdVersion"]);

  // status reads the object as it reads a file; no temp dir is left.
  CommandResult st = Ours({"status", url, "-o", "json"});
  ASSERT_EQ(st.exit_code, 0) << st.err;
  EXPECT_GT(nlohmann::json::parse(st.out)["revision"].get<int64_t>(), 0);
  EXPECT_EQ(e2e::Run({"/bin/sh", "-c", "ls -A \"$0\" | grep -c kubectl-etcd", dir_.path()}).out, "0\n");

  // An exact key; refused the second time without --force.
  Backup("s3://backups/exact.db");
  CommandResult again = Ours(BackupArgs("s3://backups/exact.db", {}));
  EXPECT_EQ(again.exit_code, 5) << again.err;
  EXPECT_NE(again.err.find("already exists"), std::string::npos) << again.err;
  Backup("s3://backups/exact.db", {"--force"});
  RestoreAndServe(url);
  CommandResult missing = Ours({"status", "s3://backups/nope.db"});
  EXPECT_EQ(missing.exit_code, 6) << missing.err;
  CommandResult node = Ours({"restore", url, "--yes"});
  EXPECT_EQ(node.exit_code, 2) << node.err;
}

TEST_P(S3Test, CompressedAndEncryptedObjectsRestore) {
  ASSERT_EQ(e2e::Run({"/usr/bin/age-keygen", "-o", dir_.Sub("key.txt")}).exit_code, 0);
  std::string recipient = e2e::Run({"/usr/bin/age-keygen", "-y", dir_.Sub("key.txt")}).out;
  recipient.pop_back();
  nlohmann::json b = Backup("s3://backups/sealed/", {"--compress", "zstd", "--encrypt-to", recipient});
  const std::string url = b["path"];
  EXPECT_NE(url.find(".db.zst.age"), std::string::npos) << url;
  EXPECT_LT(b["fileSize"].get<uint64_t>(), b["size"].get<uint64_t>());
  CommandResult st = Ours({"status", url, "--identity", dir_.Sub("key.txt"), "-o", "json"});
  EXPECT_EQ(st.exit_code, 0) << st.err;
  RestoreAndServe(url, {"--identity", dir_.Sub("key.txt")});
}

TEST_P(S3Test, WrongSecretKeyIsAnAuthenticationError) {
  CommandResult r = Ours(BackupArgs("s3://backups/x.db", {}), {{"AWS_SECRET_ACCESS_KEY", "wrong-secret"}});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("SignatureDoesNotMatch"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(VersityGw::kAccessKey), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("wrong-secret"), std::string::npos) << r.err;
  EXPECT_TRUE(Keys().empty());
  CommandResult nobucket = Ours(BackupArgs("s3://nosuchbucket/x.db", {}));
  EXPECT_EQ(nobucket.exit_code, 6) << nobucket.err;
  EXPECT_NE(nobucket.err.find("NoSuchBucket"), std::string::npos) << nobucket.err;
}

TEST_P(S3Test, ObjectLockRetentionOnBothObjects) {
  ASSERT_TRUE(gw_->Client().CreateBucket("locked", true).ok());
  Backup("s3://locked/etcd.db", {"--s3-object-lock-mode", "GOVERNANCE", "--s3-object-lock-retain-until", "2d"});
  for (const char* key : {"etcd.db", "etcd.db.json"}) {
    auto head = gw_->Client().HeadObject("locked", key);
    ASSERT_TRUE(head.ok()) << head.status();
    EXPECT_EQ(head->lock_mode, "GOVERNANCE") << key;
    EXPECT_FALSE(head->lock_retain_until.empty()) << key;
  }
  // Without Object Lock on the bucket, the request is refused and nothing is left.
  CommandResult r = Ours(BackupArgs("s3://backups/l.db", {"--s3-object-lock-mode", "GOVERNANCE",
                                                          "--s3-object-lock-retain-until", "1d"}));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Keys().empty());
  EXPECT_EQ(Uploads(), 0u);
}

// Sets createdAt in KEY.json to `age_seconds` ago, as if the backup were that old.
void Age(const s3::Client& client, const std::string& key, int64_t age_seconds) {
  std::string text;
  ASSERT_TRUE(client
                  .GetObject("backups", key + ".json",
                             [&](const char* p, size_t n) {
                               text.append(p, n);
                               return absl::OkStatus();
                             })
                  .ok());
  nlohmann::ordered_json j = nlohmann::ordered_json::parse(text);
  j["createdAt"] = UtcRfc3339(static_cast<int64_t>(::time(nullptr)) - age_seconds);
  ASSERT_TRUE(client.PutObject("backups", key + ".json", j.dump()).ok());
}

TEST_P(S3Test, ListAndPruneAPrefix) {
  const s3::Client client = gw_->Client();
  nlohmann::json a = Backup("s3://backups/etcd/a.db");
  nlohmann::json b = Backup("s3://backups/etcd/b.db");
  nlohmann::json c = Backup("s3://backups/etcd/c.db.zst", {"--compress", "zstd"});
  for (auto [key, days] : {std::pair{"etcd/a.db", 3}, {"etcd/b.db", 2}, {"etcd/c.db.zst", 1}}) {
    Age(client, key, days * 86400);
  }
  ASSERT_TRUE(client.PutObject("backups", "etcd/notes.txt", "not a snapshot").ok());
  ASSERT_TRUE(client.PutObject("backups", "etcd/sub/x.db", "below the prefix").ok());
  auto upload = client.CreateMultipartUpload("backups", "etcd/killed.db", {});  // a backup killed -9
  ASSERT_TRUE(upload.ok()) << upload.status();

  CommandResult listed = Ours({"list", "s3://backups/etcd/", "-o", "json"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  nlohmann::json list = nlohmann::json::parse(listed.out);
  EXPECT_EQ(list["destination"], "s3://backups/etcd/");
  std::map<std::string, nlohmann::json> by;
  for (const auto& e : list["snapshots"]) by[e["name"]] = e;
  ASSERT_EQ(by.size(), 4u) << list.dump(2);
  for (const auto& [name, backup] : {std::pair{"a.db", a}, {"b.db", b}, {"c.db.zst", c}}) {
    const nlohmann::json& e = by[name];
    EXPECT_EQ(e["state"], "verified") << e.dump();
    EXPECT_EQ(e["verified"], true) << name;
    EXPECT_EQ(e["sha256"], backup["sha256"]) << name;
    EXPECT_EQ(e["fileSize"], backup["fileSize"]) << name;
    EXPECT_EQ(e["etcdVersion"], backup["etcdVersion"]) << name;
    EXPECT_EQ(e["timeFrom"], "metadata") << name;
    EXPECT_EQ(e["compressed"], name == std::string("c.db.zst")) << name;
    EXPECT_FALSE(e.contains("revision")) << name;  // not read back from an upload
  }
  EXPECT_EQ(by["killed.db.part"]["state"], "incomplete");
  std::vector<std::string> order;  // oldest first: the upload was started last
  for (const auto& e : list["snapshots"]) order.push_back(e["name"]);
  EXPECT_EQ(order, (std::vector<std::string>{"a.db", "b.db", "c.db.zst", "killed.db.part"}));
  CommandResult table = Ours({"list", "s3://backups/etcd"});  // the trailing '/' is implied
  EXPECT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("zstd"), std::string::npos) << table.out;
  EXPECT_EQ(table.out.find("x.db"), std::string::npos) << table.out;
  CommandResult deep = Ours({"list", "s3://backups/etcd/", "--recursive", "-o", "json"});
  EXPECT_NE(deep.out.find("\"sub/x.db\""), std::string::npos) << deep.out;

  const std::vector<std::string> all = Keys();
  CommandResult dry = Ours({"prune", "s3://backups/etcd/", "--keep-last", "1", "--dry-run", "-o", "json"});
  EXPECT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_EQ(Keys(), all);
  CommandResult pruned = Ours({"prune", "s3://backups/etcd/", "--keep-last", "1", "--yes", "-o", "json"});
  EXPECT_EQ(pruned.exit_code, 0) << pruned.err;
  const std::vector<std::string> kept = {"etcd/c.db.zst", "etcd/c.db.zst.json", "etcd/notes.txt", "etcd/sub/x.db"};
  EXPECT_EQ(Keys(), kept);

  // The leftover upload: only with --prune-incomplete, and not while it may be a running
  // backup (under a day old; the test binary shortens that).
  CommandResult busy = Ours({"prune", "s3://backups/etcd/", "--keep-last", "1", "--prune-incomplete", "-o", "json"});
  EXPECT_EQ(busy.exit_code, 0) << busy.err;
  EXPECT_NE(busy.out.find("\"busy\""), std::string::npos) << busy.out;
  EXPECT_EQ(Uploads(), 1u);
  CommandResult aborted = e2e::Run(
      {KubectlEtcdTestHooks(), "prune", "s3://backups/etcd/", "--keep-last", "1", "--prune-incomplete", "-o", "json"},
      [&] {
        auto env = Env();
        env["KETCD_TEST_S3_RUNNING_UPLOAD_SECONDS"] = "0";
        return env;
      }());
  EXPECT_EQ(aborted.exit_code, 0) << aborted.err;
  EXPECT_EQ(Uploads(), 0u);
  EXPECT_EQ(Keys(), kept);

  // backup --prune: the new one stays alone in its prefix.
  nlohmann::json d = Backup("s3://backups/etcd/", {"--prune", "--keep-last", "1"});
  const std::string d_key = d["path"].get<std::string>().substr(std::string("s3://backups/").size());
  EXPECT_EQ(Keys(), (std::vector<std::string>{d_key, d_key + ".json", "etcd/notes.txt", "etcd/sub/x.db"}));

  CommandResult wrong = Ours({"list", "s3://backups/etcd/"}, {{"AWS_SECRET_ACCESS_KEY", "wrong-secret"}});
  EXPECT_EQ(wrong.exit_code, 3) << wrong.err;
  EXPECT_NE(wrong.err.find("SignatureDoesNotMatch"), std::string::npos) << wrong.err;
  CommandResult wrong_prune =
      Ours({"prune", "s3://backups/etcd/", "--keep-last", "1"}, {{"AWS_SECRET_ACCESS_KEY", "wrong-secret"}});
  EXPECT_EQ(wrong_prune.exit_code, 3) << wrong_prune.err;
  EXPECT_EQ(Ours({"list", "s3://nosuchbucket/etcd/"}).exit_code, 6);
}

INSTANTIATE_TEST_SUITE_P(Versions, S3Test, ::testing::Values("3.4", "3.7"));

// Interrupting an upload: a database of ~30 MB sent at 4 MB/s in 5 MiB parts.
class S3InterruptTest : public S3Test {
 protected:
  void SetUp() override {
    S3Test::SetUp();
    if (HasFatalFailure()) return;
    std::vector<std::string> argv = {version_.etcdctl()};
    for (const auto& f : server_->ConnectionFlags()) argv.push_back(f);
    for (int i = 0; i < 30; i++) {
      std::vector<std::string> put = argv;
      put.insert(put.end(), {"put", "/registry/configmaps/default/big-" + std::to_string(i)});
      CommandResult r = e2e::Run(put, {{"ETCDCTL_API", "3"}}, 60, std::string(1 << 20, 'a' + i % 26));
      ASSERT_EQ(r.exit_code, 0) << r.err;
    }
  }
  std::unique_ptr<Background> SlowBackup(const std::string& url) {
    std::vector<std::string> args = BackupArgs(url, {"--s3-part-size", "5"});
    args.insert(args.begin(), KubectlEtcdTestHooks());
    auto env = Env();
    env["KETCD_TEST_S3_SEND_BYTES_PER_SEC"] = "4000000";
    return std::make_unique<Background>(args, env);
  }
  // Waits until the upload has begun.
  bool WaitForUpload() {
    for (int i = 0; i < 300; i++) {
      auto page = gw_->Client().ListMultipartUploads("backups", "");
      if (page.ok() && !page->uploads.empty()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }
};

TEST_P(S3InterruptTest, CtrlCAbortsTheUpload) {
  auto run = SlowBackup("s3://backups/big.db");
  ASSERT_TRUE(WaitForUpload());
  std::this_thread::sleep_for(std::chrono::seconds(2));  // parts on the way
  run->Signal(SIGINT);
  EXPECT_EQ(run->Wait(120), 130) << run->Err();
  EXPECT_NE(run->Err().find("the partial upload was aborted"), std::string::npos) << run->Err();
  EXPECT_TRUE(Keys().empty());
  EXPECT_EQ(Uploads(), 0u);
}

TEST_P(S3InterruptTest, GatewayKilledMidUploadLeavesNothingOnceItIsBack) {
  auto run = SlowBackup("s3://backups/big.db");
  ASSERT_TRUE(WaitForUpload());
  std::this_thread::sleep_for(std::chrono::seconds(2));
  gw_->Kill();
  // The part in flight fails, its retries fail, then the abort is retried until the gateway
  // is back.
  for (int i = 0; i < 600 && run->Err().find("retrying in") == std::string::npos; i++) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_NE(run->Err().find("aborting the multipart upload"), std::string::npos) << run->Err();
  ASSERT_TRUE(gw_->Restart()) << gw_->Log();
  EXPECT_EQ(run->Wait(120), 3) << run->Err();
  EXPECT_NE(run->Err().find("the partial upload was aborted"), std::string::npos) << run->Err();
  EXPECT_TRUE(Keys().empty());
  EXPECT_EQ(Uploads(), 0u);
}

// Eight 5 MiB parts, two uploading while the next fills: the object is the snapshot, its
// parts in order (status checks its SHA-256 trailer), and restores into a served data dir.
TEST_P(S3InterruptTest, PartsUploadedTogetherMakeTheSnapshot) {
  nlohmann::json b = Backup("s3://backups/big.db", {"--s3-part-size", "5"});
  ASSERT_GT(b["size"].get<uint64_t>(), 30u << 20);
  auto head = gw_->Client().HeadObject("backups", "big.db");
  ASSERT_TRUE(head.ok()) << head.status();
  EXPECT_EQ(head->size, b["size"].get<uint64_t>());
  // A multipart ETag: "MD5-of-the-parts'-MD5s-PARTS".
  const uint64_t parts = (b["size"].get<uint64_t>() + (5u << 20) - 1) / (5u << 20);
  EXPECT_NE(head->etag.find("-" + std::to_string(parts) + "\""), std::string::npos) << head->etag;
  CommandResult st = Ours({"status", "s3://backups/big.db", "-o", "json"});
  ASSERT_EQ(st.exit_code, 0) << st.err;
  EXPECT_EQ(nlohmann::json::parse(st.out)["sha256"]["state"], "match") << st.out;
  EXPECT_EQ(Uploads(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Versions, S3InterruptTest, ::testing::Values("3.7"));

}  // namespace
}  // namespace ketcd::e2e
