// The orchestrated restore of etcd run by systemd, against real etcd: a scratch host root
// with /etc/systemd/system/etcd.service (Type=notify, as in "Kubernetes the hard way":
// TLS clients and peers, certificates under /etc/etcd) and tests/kubelet/systemctl first
// on PATH, a stand-in that behaves like systemd: it reads the unit only at daemon-reload,
// passes NOTIFY_SOCKET to etcd and blocks a start until etcd sends READY=1 (for a member of
// several, once a quorum runs) or TimeoutStartSec= passes.
// `kubectl etcd restore FILE --yes --host-root R` needs no other flag.
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "tests/e2e/harness.h"
#include "tests/e2e/node.h"

namespace ketcd::e2e {
namespace {

namespace fs = std::filesystem;


int Find(const std::vector<std::string>& lines, const std::string& line, int from = 0) {
  for (int i = from; i < static_cast<int>(lines.size()); i++) {
    if (lines[i] == line) return i;
  }
  return -1;
}

// The data dir the unit names (--data-dir=...).
std::string UnitDataDir(const std::string& unit) {
  size_t at = unit.find("--data-dir=");
  if (at == std::string::npos) return "";
  at += 11;
  return unit.substr(at, unit.find_first_of(" \\\n", at) - at);
}

// The stand-in itself, as the restore tests rely on it: a Type=notify start blocks until
// READY=1 and fails after TimeoutStartSec=; --no-block returns at once; the unit is the one
// loaded at daemon-reload (with a warning when the file changed since); the failure mode
// fails one start.
TEST(NodeRestoreSystemdTest, SystemctlStandInBehavesLikeSystemd) {
  EtcdVersion v = VersionByName("3.6");
  TempDir dir;
  TestCerts certs = MakeCerts(dir.Sub("certs"));
  SystemdNode node(v, certs, "cp1");
  auto seconds_since = [](std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  };
  auto etcd_cmdline = [&] {  // of the service's main process, once it runs
    std::string cmdline;
    for (int i = 0; i < 50 && cmdline.empty(); i++) {
      std::string pid = FileContents(node.R("/run/systemctl-standin/etcd.service.pid"));
      if (!pid.empty()) cmdline = FileContents("/proc/" + pid + "/cmdline");
      if (cmdline.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    for (char& c : cmdline) {
      if (c == '\0') c = ' ';
    }
    return cmdline;
  };
  // A member of two whose peer never comes: no quorum, no READY=1.
  std::string lonely = "cp1=" + node.PeerUrl() + ",cp2=https://127.0.0.1:" + std::to_string(FreePort());
  node.WriteUnit(lonely, "TimeoutStartSec=4s\n");
  auto t0 = std::chrono::steady_clock::now();
  CommandResult blocked = node.Systemctl({"start", "etcd"});
  double took = seconds_since(t0);
  EXPECT_EQ(blocked.exit_code, 1) << blocked.err;
  EXPECT_NE(blocked.err.find("Job for etcd.service failed because a timeout was exceeded"), std::string::npos)
      << blocked.err;
  EXPECT_GE(took, 4.0);
  EXPECT_LT(took, 15.0);
  EXPECT_EQ(node.Systemctl({"is-active", "etcd"}).out, "failed\n");

  t0 = std::chrono::steady_clock::now();
  CommandResult nb = node.Systemctl({"start", "--no-block", "etcd"});
  EXPECT_EQ(nb.exit_code, 0) << nb.err;
  EXPECT_LT(seconds_since(t0), 2.0);
  EXPECT_EQ(node.Systemctl({"is-active", "etcd"}).out, "activating\n");
  EXPECT_EQ(node.Systemctl({"stop", "etcd"}).exit_code, 0);
  EXPECT_EQ(node.Systemctl({"is-active", "etcd"}).out, "inactive\n");

  // A single-member unit on disk, not reloaded: the start runs the loaded unit and warns.
  node.WriteUnit("cp1=" + node.PeerUrl(), "TimeoutStartSec=4s\n");
  CommandResult stale = node.Systemctl({"start", "--no-block", "etcd"});
  EXPECT_NE(stale.err.find("etcd.service changed on disk. Run 'systemctl daemon-reload'"), std::string::npos)
      << stale.err;
  EXPECT_NE(etcd_cmdline().find(lonely), std::string::npos) << etcd_cmdline();
  EXPECT_EQ(node.Systemctl({"stop", "etcd"}).exit_code, 0);
  fs::remove_all(node.R("/var/lib/etcd"));  // made for the two-member cluster
  EXPECT_EQ(node.Systemctl({"daemon-reload"}).exit_code, 0);
  CommandResult fresh = node.Systemctl({"restart", "etcd"});
  EXPECT_EQ(fresh.exit_code, 0) << fresh.err << node.EtcdLog();
  EXPECT_EQ(fresh.err, "");
  EXPECT_EQ(etcd_cmdline().find(lonely), std::string::npos) << etcd_cmdline();
  EXPECT_EQ(node.Systemctl({"is-active", "etcd"}).out, "active\n");
  EXPECT_TRUE(node.WaitEtcd(10));

  // The failure mode fails the next start only.
  Put(node.R("/systemctl-fail-next-start"), "");
  CommandResult failed = node.Systemctl({"restart", "etcd"});
  EXPECT_EQ(failed.exit_code, 1);
  EXPECT_NE(failed.err.find("the control process exited with error code"), std::string::npos) << failed.err;
  EXPECT_EQ(node.Systemctl({"is-active", "etcd"}).out, "failed\n");
  EXPECT_EQ(node.Systemctl({"start", "etcd"}).exit_code, 0);
  EXPECT_EQ(node.Systemctl({"is-active", "etcd"}).out, "active\n");
  std::string log = node.SystemctlLog();
  EXPECT_NE(log.find("start --no-block etcd\n"), std::string::npos) << log;
  EXPECT_NE(log.find("# start job of etcd.service: failed (a timeout was exceeded)\n"), std::string::npos) << log;
}

// A single member: the unit's --data-dir is patched, then `systemctl daemon-reload` and a
// restart (the stand-in runs the unit it loaded, so without the reload etcd would start on
// the old dir); --undo puts the unit back.
TEST(NodeRestoreSystemdTest, UnitPatchedReloadedAndRestarted) {
  EtcdVersion v = VersionByName("3.6");
  TempDir dir;
  TestCerts certs = MakeCerts(dir.Sub("certs"));
  SystemdNode node(v, certs, "cp1");
  std::string unit = node.WriteUnit("cp1=" + node.PeerUrl());
  CommandResult started = node.Systemctl({"start", "etcd"});
  ASSERT_EQ(started.exit_code, 0) << started.err << node.EtcdLog();
  ASSERT_TRUE(node.WaitEtcd(30)) << node.EtcdLog();
  EXPECT_EQ(node.Systemctl({"is-active", "etcd"}).out, "active\n");
  ASSERT_EQ(node.Etcdctl({"put", "a", "1"}).exit_code, 0);
  std::string snap = dir.Sub("snap.db");
  CommandResult b = node.Kubectl({"backup", snap});
  ASSERT_EQ(b.exit_code, 0) << b.err;
  ASSERT_EQ(node.Etcdctl({"put", "c", "3"}).exit_code, 0);
  ASSERT_EQ(node.Etcdctl({"del", "a"}).exit_code, 0);

  size_t log_before = node.LogLines().size();
  CommandResult r = node.Kubectl({"restore", snap, "--yes"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err << node.SystemctlLog();
  std::string patched = FileContents(node.UnitPath());
  std::string restored = UnitDataDir(patched);
  EXPECT_EQ(restored.rfind("/var/lib/etcd-restored-", 0), 0u) << patched;
  std::string expected = unit;
  size_t at = unit.find("--data-dir=/var/lib/etcd\n") + 11;
  expected.replace(at, std::string("/var/lib/etcd").size(), restored);
  EXPECT_EQ(patched, expected);
  EXPECT_TRUE(fs::exists(node.R(restored + "/member/snap/db")));
  std::vector<std::string> log = node.LogLines(log_before);
  int stop = Find(log, "stop etcd"), reload = Find(log, "daemon-reload", stop + 1);
  int restart = std::max(Find(log, "restart etcd", reload + 1), Find(log, "restart --no-block etcd", reload + 1));
  EXPECT_GE(stop, 0) << testing::PrintToString(log);
  EXPECT_GT(reload, stop) << testing::PrintToString(log);
  EXPECT_GT(restart, reload) << testing::PrintToString(log);
  EXPECT_EQ(node.SystemctlLog().find("changed on disk"), std::string::npos) << node.SystemctlLog();
  ASSERT_TRUE(node.WaitEtcd(30)) << node.EtcdLog();
  EXPECT_EQ(node.Get("a"), "1\n");
  EXPECT_EQ(node.Get("c"), "");
  EXPECT_EQ(node.Systemctl({"is-active", "etcd"}).out, "active\n");

  CommandResult u = node.Kubectl({"restore", "--undo", "--yes"});
  ASSERT_EQ(u.exit_code, 0) << u.out << u.err;
  EXPECT_EQ(FileContents(node.UnitPath()), unit);
  ASSERT_TRUE(node.WaitEtcd(30)) << node.EtcdLog();
  EXPECT_EQ(node.Get("c"), "3\n");
  EXPECT_EQ(node.Get("a"), "");
}

// Three members under systemd, each restored with `kubectl etcd restore FILE --yes` on its
// node. The first restored member cannot send READY=1 before a second one runs (no quorum),
// so a blocking `systemctl restart etcd` would wait for TimeoutStartSec= and fail: the tool
// must reload the unit, restart without blocking and wait on etcd itself.
TEST(NodeRestoreSystemdTest, ThreeMembersRestoredNodeByNode) {
  EtcdVersion v = VersionByName("3.6");
  TempDir dir;
  TestCerts certs = MakeCerts(dir.Sub("certs"));
  std::vector<std::unique_ptr<SystemdNode>> nodes;
  std::string cluster;
  for (const char* name : {"cp1", "cp2", "cp3"}) {
    nodes.push_back(std::make_unique<SystemdNode>(v, certs, name));
    cluster += (cluster.empty() ? "" : ",") + std::string(name) + "=" + nodes.back()->PeerUrl();
  }
  // A short start timeout: a blocking start of a member without quorum fails in 30 s.
  for (auto& n : nodes) n->WriteUnit(cluster, "TimeoutStartSec=30\n");
  // Started together, as at boot: a blocking start of the first would wait for the others.
  for (auto& n : nodes) {
    CommandResult s = n->Systemctl({"start", "--no-block", "etcd"}, 10);
    ASSERT_EQ(s.exit_code, 0) << s.err;
  }
  for (auto& n : nodes) ASSERT_TRUE(n->WaitEtcd(60)) << n->name() << n->EtcdLog();
  for (auto& n : nodes) {
    bool active = false;
    for (int i = 0; i < 50 && !active; i++) {
      active = n->Systemctl({"is-active", "etcd"}).out == "active\n";
      if (!active) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    EXPECT_TRUE(active) << n->name() << " never sent READY=1\n" << n->SystemctlLog();
  }
  ASSERT_EQ(nodes[0]->Etcdctl({"put", "a", "1"}).exit_code, 0);
  std::string snap = dir.Sub("snap.db");
  CommandResult b = nodes[0]->Kubectl({"backup", snap});
  ASSERT_EQ(b.exit_code, 0) << b.err;
  ASSERT_EQ(nodes[1]->Etcdctl({"put", "c", "3"}).exit_code, 0);

  for (auto& n : nodes) {
    size_t log_before = n->LogLines().size();
    auto t0 = std::chrono::steady_clock::now();
    CommandResult r = n->Kubectl({"restore", snap, "--yes", "--wait-timeout", "60"});
    auto took = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - t0).count();
    ASSERT_EQ(r.exit_code, 0) << n->name() << " (" << took << " s)\n"
                              << r.out << r.err << n->SystemctlLog();
    std::vector<std::string> log = n->LogLines(log_before);
    int reload = Find(log, "daemon-reload"), restart = Find(log, "restart --no-block etcd");
    EXPECT_GE(reload, 0) << n->name() << testing::PrintToString(log);
    EXPECT_GT(restart, reload) << n->name() << " restarted etcd blocking or before the reload: "
                               << testing::PrintToString(log);
    EXPECT_EQ(Find(log, "restart etcd"), -1) << n->name() << testing::PrintToString(log);
    EXPECT_EQ(n->SystemctlLog().find("changed on disk"), std::string::npos) << n->SystemctlLog();
  }
  std::set<uint64_t> cluster_ids;
  for (auto& n : nodes) {
    ASSERT_TRUE(n->WaitEtcd(60)) << n->name() << n->EtcdLog();
    EXPECT_EQ(n->Get("a"), "1\n") << n->name();
    EXPECT_EQ(n->Get("c"), "") << n->name();
    EXPECT_EQ(UnitDataDir(FileContents(n->UnitPath())).rfind("/var/lib/etcd-restored-", 0), 0u) << n->name();
    CommandResult st = n->Etcdctl({"endpoint", "status", "-w", "json"});
    ASSERT_EQ(st.exit_code, 0) << st.err;
    auto sj = nlohmann::json::parse(st.out)[0]["Status"];
    cluster_ids.insert(sj["header"]["cluster_id"].get<uint64_t>());
    EXPECT_NE(sj["leader"].get<uint64_t>(), 0u) << n->name();
    // The restored member sent READY=1 once it had a quorum: systemd sees it active.
    bool active = false;
    for (int i = 0; i < 100 && !active; i++) {
      active = n->Systemctl({"is-active", "etcd"}).out == "active\n";
      if (!active) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    EXPECT_TRUE(active) << n->name() << n->SystemctlLog();
  }
  EXPECT_EQ(cluster_ids.size(), 1u);
  CommandResult ml = nodes[2]->Etcdctl({"member", "list", "-w", "json"});
  ASSERT_EQ(ml.exit_code, 0) << ml.err;
  EXPECT_EQ(nlohmann::json::parse(ml.out)["members"].size(), 3u) << ml.out;
  ASSERT_EQ(nodes[2]->Etcdctl({"put", "after", "restore"}).exit_code, 0);
  EXPECT_EQ(nodes[0]->Get("after"), "restore\n");
}

// etcd does not start on the restored dir (the stand-in's failure mode fails the next
// start): the restore rolls back. The unit is the original again, etcd runs on the old data
// and `-o json` reports every step after the failed one as rolled back.
TEST(NodeRestoreSystemdTest, FailedStartRollsBack) {
  EtcdVersion v = VersionByName("3.6");
  TempDir dir;
  TestCerts certs = MakeCerts(dir.Sub("certs"));
  SystemdNode node(v, certs, "cp1");
  std::string unit = node.WriteUnit("cp1=" + node.PeerUrl());
  ASSERT_EQ(node.Systemctl({"start", "etcd"}).exit_code, 0) << node.EtcdLog();
  ASSERT_TRUE(node.WaitEtcd(30)) << node.EtcdLog();
  ASSERT_EQ(node.Etcdctl({"put", "a", "1"}).exit_code, 0);
  std::string snap = dir.Sub("snap.db");
  CommandResult b = node.Kubectl({"backup", snap});
  ASSERT_EQ(b.exit_code, 0) << b.err;
  ASSERT_EQ(node.Etcdctl({"put", "c", "3"}).exit_code, 0);
  ASSERT_EQ(node.Etcdctl({"del", "a"}).exit_code, 0);

  Put(node.R("/systemctl-fail-next-start"), "");
  size_t log_before = node.LogLines().size();
  CommandResult r = node.Kubectl({"restore", snap, "--yes", "--wait-timeout", "20", "-o", "json"});
  EXPECT_NE(r.exit_code, 0) << r.out << r.err;
  EXPECT_FALSE(fs::exists(node.R("/systemctl-fail-next-start"))) << "etcd was never started on the restored dir";
  auto out = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_FALSE(out.is_discarded()) << r.out << r.err;
  ASSERT_TRUE(out.contains("run")) << r.out;
  const auto& j = out["run"];
  EXPECT_EQ(j["ok"], false) << r.out;
  EXPECT_EQ(j["rolledBack"], true) << r.out;
  int failed = -1, rolled_back = 0;
  bool systemctl_step = false;
  const auto& steps = j["steps"];
  for (int i = 0; i < static_cast<int>(steps.size()); i++) {
    std::string result = steps[i]["result"], name = steps[i]["step"];
    if (failed < 0) {
      EXPECT_NE(result, "rolled back") << name << " before any failure\n" << r.out;
      if (result == "failed") failed = i;
      continue;
    }
    EXPECT_EQ(result, "rolled back") << name << "\n" << r.out;
    rolled_back++;
    if (name.find("systemctl") != std::string::npos) systemctl_step = true;
  }
  EXPECT_GE(failed, 0) << r.out;
  EXPECT_GE(rolled_back, 2) << r.out;
  EXPECT_TRUE(systemctl_step) << "no rolled back step starts etcd through systemctl\n" << r.out;

  // The original unit, loaded again, etcd on the old data.
  EXPECT_EQ(FileContents(node.UnitPath()), unit);
  std::vector<std::string> log = node.LogLines(log_before);
  int last_reload = -1;
  for (int i = 0; i < static_cast<int>(log.size()); i++) {
    if (log[i] == "daemon-reload") last_reload = i;
  }
  EXPECT_GE(last_reload, 0) << testing::PrintToString(log);
  ASSERT_TRUE(node.WaitEtcd(30)) << node.EtcdLog();
  EXPECT_EQ(node.Get("c"), "3\n");
  EXPECT_EQ(node.Get("a"), "");
  EXPECT_EQ(node.Systemctl({"is-active", "etcd"}).out, "active\n") << node.SystemctlLog();
  EXPECT_EQ(node.SystemctlLog().find("changed on disk"), std::string::npos) << node.SystemctlLog();
}

}  // namespace
}  // namespace ketcd::e2e
