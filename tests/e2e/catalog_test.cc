// kubectl etcd list, prune and backup --prune against real etcd 3.4 and 3.7: backups taken
// into a directory are listed with the revision and flags they have, and the retention
// policies remove exactly the older ones, each with its FILE.json, never the newest
// verified one, never an unverified file or a file that is not a snapshot.
#include <sys/stat.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "pkg/base/format.h"
#include "tests/e2e/harness.h"

namespace ketcd::e2e {
namespace {

constexpr int64_t kDay = 86400;

bool Exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

class CatalogTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    server_ = EtcdServer::Start(VersionByName(GetParam()));
    ASSERT_NE(server_, nullptr);
    backups_ = dir_.Sub("backups");
    ASSERT_EQ(::mkdir(backups_.c_str(), 0700), 0);
  }

  // The revision etcd reports now (no writes happen between it and a backup).
  int64_t Revision() {
    auto j = nlohmann::json::parse(server_->Etcdctl({"get", "foo", "-w", "json"}));
    return j["header"]["revision"].get<int64_t>();
  }

  // kubectl etcd backup PATH flags... -o json, after a write so every backup has its revision.
  nlohmann::json Backup(const std::string& path, const std::vector<std::string>& flags = {}) {
    server_->Etcdctl({"put", "foo", "before " + path});
    CommandResult r = RunBackup(path, flags);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.exit_code == 0 ? nlohmann::json::parse(r.out) : nlohmann::json();
  }
  CommandResult RunBackup(const std::string& path, const std::vector<std::string>& flags) {
    std::vector<std::string> args = {"backup", "-o", "json"};
    if (!path.empty()) args.push_back(path);
    auto conn = server_->ConnectionFlags();
    args.insert(args.end(), conn.begin(), conn.end());
    args.insert(args.end(), flags.begin(), flags.end());
    return RunKubectlEtcd(args);
  }

  // Sets createdAt in FILE.json to `age_seconds` ago, as if the backup were that old.
  void Age(const std::string& name, int64_t age_seconds) {
    std::string path = backups_ + "/" + name + ".json";
    nlohmann::ordered_json j = nlohmann::ordered_json::parse(FileContents(path));
    j["createdAt"] = UtcRfc3339(static_cast<int64_t>(::time(nullptr)) - age_seconds);
    std::ofstream(path) << j.dump(2) << "\n";
  }

  nlohmann::json Json(const std::vector<std::string>& args, int want_exit = 0) {
    CommandResult r = RunKubectlEtcd(args);
    EXPECT_EQ(r.exit_code, want_exit) << r.out << r.err;
    return r.exit_code == want_exit ? nlohmann::json::parse(r.out) : nlohmann::json();
  }
  nlohmann::json List() { return Json({"list", backups_, "-o", "json"}); }

  // The names in the backup directory.
  std::set<std::string> Files() {
    CommandResult r = e2e::Run({"/bin/ls", "-A", backups_});
    std::set<std::string> out;
    std::istringstream in(r.out);
    for (std::string line; std::getline(in, line);) out.insert(line);
    return out;
  }

  // Four verified backups, a.db (4 days old) to d.db.zst (1 day), an unverified copy, a
  // killed backup's leftover and a file that is not a snapshot.
  void FourBackupsAndOthers() {
    Backup(backups_ + "/a.db");
    Backup(backups_ + "/b.db");
    Backup(backups_ + "/c.db");
    Backup(backups_ + "/d.db.zst", {"--compress", "zstd"});
    for (auto [name, days] : {std::pair{"a.db", 4}, {"b.db", 3}, {"c.db", 2}, {"d.db.zst", 1}}) Age(name, days * kDay);
    std::ofstream(backups_ + "/copied.db") << FileContents(backups_ + "/a.db");
    std::ofstream(backups_ + "/killed.db.part") << "half a snapshot";
    std::ofstream(backups_ + "/notes.txt") << "not a snapshot";
  }

  TempDir dir_;
  std::unique_ptr<EtcdServer> server_;
  std::string backups_;
};

TEST_P(CatalogTest, ListShowsEachBackupWithItsRevisionAndFlags) {
  int64_t rev_a = Revision() + 1;  // Backup() writes once first
  nlohmann::json a = Backup(backups_ + "/a.db");
  nlohmann::json z = Backup(backups_ + "/z.db.zst", {"--compress", "zstd"});
  nlohmann::json d = Backup("", {"--dir", backups_});  // the default name
  ASSERT_TRUE(a.is_object() && z.is_object() && d.is_object());
  EXPECT_EQ(a["revision"], rev_a);
  std::ofstream(backups_ + "/notes.txt") << "not a snapshot";

  nlohmann::json list = List();
  ASSERT_EQ(list["snapshots"].size(), 3u) << list.dump(2);
  std::map<std::string, nlohmann::json> by;
  for (const auto& s : list["snapshots"]) by[s["name"]] = s;
  const std::string default_name = d["path"].get<std::string>().substr(backups_.size() + 1);
  ASSERT_TRUE(by.count("a.db") && by.count("z.db.zst") && by.count(default_name)) << list.dump(2);

  EXPECT_EQ(by["a.db"]["revision"], rev_a);
  EXPECT_EQ(by[default_name]["revision"], rev_a + 2);
  EXPECT_FALSE(by["z.db.zst"].contains("revision"));  // not read back from a compressed file
  for (const auto& [name, s] : by) {
    EXPECT_EQ(s["state"], "verified") << name;
    EXPECT_EQ(s["verified"], true) << name;
    EXPECT_EQ(s["clusterID"], a["clusterID"]) << name;
    EXPECT_EQ(s["etcdVersion"], a["etcdVersion"]) << name;
    EXPECT_EQ(s["compressed"], name == "z.db.zst") << name;
    EXPECT_EQ(s["encrypted"], false) << name;
    EXPECT_EQ(s["timeFrom"], "metadata") << name;
  }
  EXPECT_EQ(by["z.db.zst"]["size"], z["size"]);
  EXPECT_EQ(by["z.db.zst"]["fileSize"], z["fileSize"]);
  EXPECT_EQ(by["z.db.zst"]["sha256"], z["sha256"]);

  CommandResult table = RunKubectlEtcd({"list", backups_});
  EXPECT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("REVISION"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("zstd"), std::string::npos) << table.out;
  EXPECT_EQ(table.out.find("notes.txt"), std::string::npos) << table.out;

  EXPECT_EQ(RunKubectlEtcd({"list", dir_.Sub("missing")}).exit_code, 6);
  EXPECT_EQ(RunKubectlEtcd({"list", backups_ + "/a.db"}).exit_code, 2);
}

TEST_P(CatalogTest, PruneKeepLastRemovesExactlyTheOlderOnesWithTheirMetadata) {
  FourBackupsAndOthers();
  const std::set<std::string> before = Files();

  nlohmann::json dry = Json({"prune", backups_, "--keep-last", "2", "--dry-run", "-o", "json"});
  EXPECT_EQ(dry["dryRun"], true);
  EXPECT_EQ(Files(), before);
  std::map<std::string, std::string> outcome;
  for (const auto& s : dry["snapshots"]) outcome[s["name"]] = s["outcome"];
  EXPECT_EQ(outcome, (std::map<std::string, std::string>{{"a.db", "would-remove"},
                                                         {"b.db", "would-remove"},
                                                         {"c.db", "kept"},
                                                         {"d.db.zst", "kept"},
                                                         {"copied.db", "kept"},
                                                         {"killed.db.part", "kept"}}));

  nlohmann::json done = Json({"prune", backups_, "--keep-last", "2", "-o", "json"});  // no terminal: acts
  EXPECT_EQ(done["dryRun"], false);
  EXPECT_EQ(Files(), (std::set<std::string>{"c.db", "c.db.json", "d.db.zst", "d.db.zst.json", "copied.db",
                                            "killed.db.part", "notes.txt"}));
  for (const auto& s : done["snapshots"]) {
    if (s["name"] == "d.db.zst") {
      EXPECT_EQ(s["reasons"], nlohmann::json::array({"last #1"}));
    }
    if (s["name"] == "copied.db") {
      EXPECT_EQ(s["state"], "unverified");
    }
  }

  // The leftover goes only when asked; the unverified copy and notes.txt never.
  Json({"prune", backups_, "--keep-last", "1", "--prune-incomplete", "-o", "json"});
  EXPECT_EQ(Files(), (std::set<std::string>{"d.db.zst", "d.db.zst.json", "copied.db", "notes.txt"}));

  CommandResult empty = RunKubectlEtcd({"prune", backups_});
  EXPECT_EQ(empty.exit_code, 2);
  EXPECT_NE(empty.err.find("no retention policy"), std::string::npos) << empty.err;
  EXPECT_EQ(RunKubectlEtcd({"prune", dir_.Sub("missing"), "--keep-last", "1"}).exit_code, 6);
  EXPECT_EQ(RunKubectlEtcd({"prune", backups_, "--keep-last", "0"}).exit_code, 2);
}

TEST_P(CatalogTest, NewestVerifiedSnapshotSurvivesAPolicyThatWouldDropIt) {
  FourBackupsAndOthers();
  // Backups stopped a day ago: nothing is within the last hour.
  nlohmann::json done = Json({"prune", backups_, "--keep-within", "1h", "-o", "json"});
  EXPECT_EQ(Files(), (std::set<std::string>{"d.db.zst", "d.db.zst.json", "copied.db", "killed.db.part", "notes.txt"}));
  for (const auto& s : done["snapshots"]) {
    if (s["name"] == "d.db.zst") {
      EXPECT_EQ(s["reasons"], nlohmann::json::array({"newest verified"}));
    }
  }
}

TEST_P(CatalogTest, OnATerminalPruneOnlyShowsUnlessYes) {
  FourBackupsAndOthers();
  const std::set<std::string> before = Files();
  // A pseudo-terminal on standard input and output, as an operator's shell gives.
  auto on_pty = [&](std::vector<std::string> args) {
    std::vector<std::string> argv = {
        "/usr/bin/python3", "-c", "import os, pty, sys; sys.exit(os.waitstatus_to_exitcode(pty.spawn(sys.argv[1:])))",
        KubectlEtcd()};
    argv.insert(argv.end(), args.begin(), args.end());
    return e2e::Run(argv);
  };
  CommandResult shown = on_pty({"prune", backups_, "--keep-daily", "2"});
  EXPECT_EQ(shown.exit_code, 0) << shown.out << shown.err;
  EXPECT_NE(shown.out.find("Dry run (on a terminal without --yes)"), std::string::npos) << shown.out;
  EXPECT_EQ(Files(), before);
  CommandResult done = on_pty({"prune", backups_, "--keep-daily", "2", "--yes"});
  EXPECT_EQ(done.exit_code, 0) << done.out << done.err;
  EXPECT_NE(done.out.find("Removed 2"), std::string::npos) << done.out;
  EXPECT_FALSE(Exists(backups_ + "/a.db"));
  EXPECT_FALSE(Exists(backups_ + "/b.db.json"));
  EXPECT_TRUE(Exists(backups_ + "/c.db"));
}

TEST_P(CatalogTest, BackupPruneLeavesOneAfterASuccessfulBackupOnly) {
  Backup(backups_ + "/a.db");
  Backup(backups_ + "/b.db.zst", {"--compress", "zstd"});
  Age("a.db", 2 * kDay);
  Age("b.db.zst", kDay);

  // Refused before anything is transferred.
  EXPECT_EQ(RunBackup(backups_ + "/x.db", {"--keep-last", "1"}).exit_code, 2);
  EXPECT_EQ(RunBackup("-", {"--prune", "--keep-last", "1"}).exit_code, 2);
  EXPECT_EQ(RunBackup(backups_ + "/x.db", {"--prune"}).exit_code, 2);
  EXPECT_FALSE(Exists(backups_ + "/x.db"));
  // A backup that fails prunes nothing.
  CommandResult failed =
      RunKubectlEtcd({"backup", backups_ + "/x.db", "--endpoints", "http://127.0.0.1:" + std::to_string(FreePort()),
                      "--prune", "--keep-last", "1"});
  EXPECT_EQ(failed.exit_code, 3) << failed.err;
  EXPECT_EQ(Files(), (std::set<std::string>{"a.db", "a.db.json", "b.db.zst", "b.db.zst.json"}));

  nlohmann::json saved = Backup(backups_ + "/new.db", {"--prune", "--keep-last", "1"});
  EXPECT_EQ(saved["path"], backups_ + "/new.db");
  EXPECT_EQ(Files(), (std::set<std::string>{"new.db", "new.db.json"}));
  nlohmann::json list = List();
  ASSERT_EQ(list["snapshots"].size(), 1u);
  EXPECT_EQ(list["snapshots"][0]["state"], "verified");
}

INSTANTIATE_TEST_SUITE_P(Versions, CatalogTest, ::testing::Values("3.4", "3.7"),
                         [](const ::testing::TestParamInfo<std::string>& p) {
                           std::string n = p.param;
                           for (char& c : n) c = c == '.' ? '_' : c;
                           return "etcd_" + n;
                         });

}  // namespace
}  // namespace ketcd::e2e
