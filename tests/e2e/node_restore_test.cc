// The orchestrated restore on a control-plane node against real etcd 3.4-3.7: a scratch
// host root laid out like a kubeadm node (1.30-, 1.33- and 1.35-style manifests, TLS with
// client-certificate auth), run by tests/kubelet/kubelet.py, a kubelet stand-in that
// starts the static pods' real commands. `kubectl etcd backup --host-root R` and
// `kubectl etcd restore FILE --yes --host-root R` need no other flag.
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "pkg/noderestore/http.h"
#include "tests/e2e/harness.h"
#include "tests/e2e/node.h"

namespace ketcd::e2e {
namespace {

namespace fs = std::filesystem;

class NodeRestoreTest : public ::testing::TestWithParam<int> {
 protected:
  void SetUp() override {
    style_ = kStyles[GetParam()];
    version_ = VersionByName(style_.etcd);
    certs_ = MakeCerts(dir_.Sub("certs"));
  }
  // A running kubeadm node with data; `snap` taken after a=1, b=2; then c=3 and a deleted.
  std::unique_ptr<Node> NodeWithSnapshot(std::string* snap, const std::string& crash = "",
                                         ApiServer api = ApiServer::kFake) {
    *snap = dir_.Sub("snap.db");
    return StartNodeWithSnapshot(style_, version_, certs_, *snap, crash, api);
  }

  Style style_;
  EtcdVersion version_;
  TempDir dir_;
  TestCerts certs_;
};

// For the etcd 3.6 and 3.7 styles the API server is the real kube-apiserver: its /livez
// fails while etcd is down and kubeadm-config is an object stored in etcd.
TEST_P(NodeRestoreTest, RestoreWithNoOtherFlagThenUndo) {
  std::string snap;
  bool real = style_.etcd == std::string("3.6") || style_.etcd == std::string("3.7");
  auto node = NodeWithSnapshot(&snap, "", real ? ApiServer::kReal : ApiServer::kFake);
  ASSERT_FALSE(HasFailure());
  std::string original = FileContents(node->Manifests() + "/etcd.yaml");
  size_t events_before = node->Events().size();

  CommandResult r = node->Kubectl({"restore", snap, "--yes"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("Restore finished"), std::string::npos) << r.out;

  // The snapshot's data, with the revision bumped past everything seen before.
  EXPECT_EQ(node->Get("a"), "1\n");
  EXPECT_EQ(node->Get("c"), "");
  CommandResult st = node->Etcdctl({"endpoint", "status", "-w", "json"});
  ASSERT_EQ(st.exit_code, 0) << st.err;
  auto sj = nlohmann::json::parse(st.out);
  EXPECT_GT(sj[0]["Status"]["header"]["revision"].get<int64_t>(), 1'000'000'000);

  // The manifest differs only in the data volume's hostPath.
  std::string patched = FileContents(node->Manifests() + "/etcd.yaml");
  size_t at = original.find("      path: /var/lib/etcd\n");
  ASSERT_NE(at, std::string::npos);
  std::string restored_dir = patched.substr(at + 12, patched.find('\n', at) - at - 12);
  EXPECT_EQ(restored_dir.rfind("/var/lib/etcd-restored-", 0), 0u) << restored_dir;
  std::string expected = original;
  expected.replace(at + 12, std::string("/var/lib/etcd").size(), restored_dir);
  EXPECT_EQ(patched, expected);
  EXPECT_TRUE(fs::exists(node->R(restored_dir + "/member/snap/db")));
  EXPECT_EQ(fs::status(node->R(restored_dir)).permissions() & fs::perms::all, fs::perms::owner_all);
  EXPECT_TRUE(fs::exists(node->R("/var/lib/etcd/member/snap/db")));  // old data kept

  // Nothing of ours in the kubelet's directory; the originals are in the backup dir.
  EXPECT_EQ(node->ManifestNames(), kAllManifests);
  std::string base = node->R("/etc/kubernetes/kubectl-etcd-backups");
  std::string backup;
  for (const auto& e : fs::directory_iterator(base)) {
    if (e.is_directory()) backup = e.path();
  }
  ASSERT_FALSE(backup.empty()) << e2e::Run({"/usr/bin/find", node->R("/etc")}).out << r.out;
  EXPECT_EQ(FileContents(backup + "/etcd.yaml"), original);
  for (const auto& m : kAllManifests) EXPECT_TRUE(fs::exists(backup + "/" + m)) << m;

  // The control plane was stopped while etcd moved to the new dir, and runs again.
  std::vector<std::string> ev = node->Events();
  ev.erase(ev.begin(), ev.begin() + static_cast<long>(events_before));
  int etcd_restart = IndexOf(ev, "start etcd.yaml");
  ASSERT_GE(etcd_restart, 0) << testing::PrintToString(ev);
  for (std::string m : {"kube-apiserver.yaml", "kube-controller-manager.yaml", "kube-scheduler.yaml"}) {
    int stop = IndexOf(ev, "stop " + m), start = IndexOf(ev, "start " + m);
    EXPECT_GE(stop, 0) << m;
    EXPECT_LT(stop, etcd_restart) << m;
    EXPECT_GT(start, etcd_restart) << m;
  }
  EXPECT_LT(IndexOf(ev, "start kube-apiserver.yaml"), IndexOf(ev, "start kube-controller-manager.yaml"));
  long livez = node->Livez();
  EXPECT_EQ(livez, 200) << "the restore finished while the API server's /livez answers " << livez;
  EXPECT_EQ(node->KubeadmDataDir(), restored_dir);

  // --undo: back to the old data dir and its data.
  CommandResult u = node->Kubectl({"restore", "--undo", "--yes"});
  ASSERT_EQ(u.exit_code, 0) << u.out << u.err;
  EXPECT_EQ(FileContents(node->Manifests() + "/etcd.yaml"), original);
  ASSERT_TRUE(node->WaitEtcd(30));
  EXPECT_EQ(node->Get("c"), "3\n");
  EXPECT_EQ(node->Get("a"), "");
  EXPECT_EQ(node->ManifestNames(), kAllManifests);
  EXPECT_TRUE(node->ApiServerAnswers());  // --undo waited for it
  EXPECT_EQ(node->KubeadmDataDir(), "/var/lib/etcd");
  // Nothing left to undo: a second --undo refuses rather than going back further.
  CommandResult again = node->Kubectl({"restore", "--undo", "--yes"});
  EXPECT_EQ(again.exit_code, 5) << again.out << again.err;
  EXPECT_NE(again.err.find("undone already"), std::string::npos) << again.err;
}

std::string StyleName(const ::testing::TestParamInfo<int>& info) {
  std::string n = std::string("kubeadm") + kStyles[info.param].kubeadm + "_etcd" + kStyles[info.param].etcd;
  for (char& c : n) {
    if (c == '.') c = '_';
  }
  return n;
}

INSTANTIATE_TEST_SUITE_P(Styles, NodeRestoreTest, ::testing::Range(0, 4), StyleName);

class NodeRestoreFailureTest : public NodeRestoreTest {};

// etcd never comes up on the restored dir (the stand-in crash-loops it): the restore
// rolls back and the old data serves again. A second restore started meanwhile refuses
// (the node's lock).
TEST_P(NodeRestoreFailureTest, EtcdUnhealthyRollsBackAndSecondRunRefuses) {
  std::string snap;
  auto node = NodeWithSnapshot(&snap, "etcd-restored-");
  ASSERT_FALSE(HasFailure());
  std::string original = FileContents(node->Manifests() + "/etcd.yaml");
  CommandResult first;
  std::thread t([&] { first = node->Kubectl({"restore", snap, "--yes", "--wait-timeout", "8", "-o", "json"}); });
  std::string lock = node->R("/etc/kubernetes/kubectl-etcd-backups/.lock");
  for (int i = 0; i < 100 && !fs::exists(lock); i++) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CommandResult second = node->Kubectl({"restore", snap, "--yes"});
  t.join();
  EXPECT_EQ(second.exit_code, 5) << second.out << second.err;
  EXPECT_NE(second.err.find("another kubectl etcd restore is running"), std::string::npos) << second.err;

  EXPECT_EQ(first.exit_code, 3) << first.out << first.err;  // etcd did not serve in time
  auto run = nlohmann::json::parse(first.out, nullptr, false)["run"];
  ASSERT_TRUE(run.is_object()) << first.out << first.err;
  EXPECT_EQ(run["rolledBack"], true) << first.out;
  EXPECT_EQ(run["phase"], "rolled-back") << first.out;
  int undone = 0;
  for (const auto& step : run["steps"]) {
    std::string name = step["step"];
    if (name.rfind("undo: ", 0) != 0) continue;
    undone++;
    EXPECT_EQ(step["result"], "rolled back") << step.dump();
  }
  EXPECT_GE(undone, 2) << first.out;
  EXPECT_EQ(FileContents(node->Manifests() + "/etcd.yaml"), original);
  EXPECT_EQ(node->ManifestNames(), kAllManifests);
  ASSERT_TRUE(node->WaitEtcd(30));
  EXPECT_EQ(node->Get("c"), "3\n");
  EXPECT_TRUE(node->WaitApiServer(20));
}

TEST_P(NodeRestoreFailureTest, RefusedInPreflightWithNothingChanged) {
  std::string snap;
  auto node = NodeWithSnapshot(&snap);
  ASSERT_FALSE(HasFailure());
  std::string original = FileContents(node->Manifests() + "/etcd.yaml");
  auto unchanged = [&] {
    EXPECT_EQ(FileContents(node->Manifests() + "/etcd.yaml"), original);
    EXPECT_EQ(node->ManifestNames(), kAllManifests);
    EXPECT_EQ(node->Runs(), std::vector<std::string>{});
    EXPECT_TRUE(node->ApiServerAnswers());
  };
  // Disk too small.
  // The release binary reads no test variable: the same variable changes nothing for it.
  CommandResult plain = node->Kubectl({"restore", snap, "--dry-run", "-o", "json"}, {{"KETCD_TEST_FREE_BYTES", "1000"}});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_NE(nlohmann::json::parse(plain.out)["disk"]["free"], 1000) << plain.out;
  CommandResult disk = node->KubectlWithHooks({"restore", snap, "--yes"}, {{"KETCD_TEST_FREE_BYTES", "1000"}});
  EXPECT_EQ(disk.exit_code, 5) << disk.err;
  EXPECT_NE(disk.err.find("not enough free space"), std::string::npos) << disk.err;
  unchanged();
  // Snapshot corrupt.
  std::string bad = dir_.Sub("bad.db");
  std::string data = FileContents(snap);
  data[data.size() / 2] ^= 0x5a;
  Put(bad, data);
  CommandResult corrupt = node->Kubectl({"restore", bad, "--yes"});
  EXPECT_EQ(corrupt.exit_code, 4) << corrupt.err;
  unchanged();
  // No terminal and no --yes.
  CommandResult noyes = node->Kubectl({"restore", snap});
  EXPECT_EQ(noyes.exit_code, 5) << noyes.err;
  EXPECT_NE(noyes.err.find("--yes"), std::string::npos) << noyes.err;
  unchanged();
  // --dry-run prints the plan as JSON and changes nothing.
  CommandResult dry = node->Kubectl({"restore", snap, "--dry-run", "-o", "json"});
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  auto plan = nlohmann::json::parse(dry.out);
  EXPECT_EQ(plan["members"].size(), 1u);
  EXPECT_EQ(plan["bumpRevision"], 1'000'000'000);
  EXPECT_EQ(plan["controlPlaneManifests"].size(), 3u);
  unchanged();
  // Malformed manifest: refused, left as it is.
  node->StopKubelet();
  std::string broken = original + "  - : [unbalanced\n";
  Put(node->Manifests() + "/etcd.yaml", broken);
  CommandResult mal = node->Kubectl({"restore", snap, "--yes"});
  EXPECT_EQ(mal.exit_code, 2) << mal.err;
  EXPECT_EQ(FileContents(node->Manifests() + "/etcd.yaml"), broken);
}

// Ctrl-C while waiting for etcd on the restored dir: rolled back, exit 130.
TEST_P(NodeRestoreFailureTest, InterruptRollsBack) {
  std::string snap;
  auto node = NodeWithSnapshot(&snap, "etcd-restored-");
  ASSERT_FALSE(HasFailure());
  std::string original = FileContents(node->Manifests() + "/etcd.yaml");
  std::string err_file = dir_.Sub("restore.err");
  pid_t pid = ::fork();
  if (pid == 0) {
    int fd = ::open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(fd, 2);
    ::dup2(fd, 1);
    std::string bin = KubectlEtcd(), root = node->R();
    ::execl(bin.c_str(), bin.c_str(), "restore", snap.c_str(), "--yes", "--host-root", root.c_str(),
            "--wait-timeout", "60", static_cast<char*>(nullptr));
    _exit(127);
  }
  for (int i = 0; i < 200 && FileContents(node->Manifests() + "/etcd.yaml") == original; i++) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  ::kill(pid, SIGINT);
  int status = 0;
  ::waitpid(pid, &status, 0);
  std::string err = FileContents(err_file);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 130) << err;
  EXPECT_NE(err.find("rolled back"), std::string::npos) << err;
  EXPECT_EQ(FileContents(node->Manifests() + "/etcd.yaml"), original);
  EXPECT_EQ(node->ManifestNames(), kAllManifests);
  ASSERT_TRUE(node->WaitEtcd(30));
  EXPECT_EQ(node->Get("c"), "3\n");
}

INSTANTIATE_TEST_SUITE_P(Etcd3_6, NodeRestoreFailureTest, ::testing::Values(2), StyleName);

// etcd with a WAL dir of its own (--wal-dir on its own hostPath volume): the WAL is
// restored into a new dir beside the old WAL dir, and the manifest points both volumes
// at the new dirs; the old ones stay as they are.
TEST(NodeRestoreWalDirTest, SeparateWalDirRestoredBesideTheOld) {
  TempDir dir;
  TestCerts certs = MakeCerts(dir.Sub("certs"));
  EtcdVersion v = VersionByName("3.6");
  auto node = std::make_unique<Node>(v, certs, "cp1");
  node->WriteEtcd("1.35", "cp1=" + node->PeerUrl());
  std::string manifest = FileContents(node->Manifests() + "/etcd.yaml");
  auto insert_after = [&](const std::string& line, const std::string& text) {
    size_t at = manifest.find(line);
    ASSERT_NE(at, std::string::npos) << line;
    manifest.insert(at + line.size(), text);
  };
  insert_after("    - --data-dir=/var/lib/etcd\n", "    - --wal-dir=/var/lib/etcd-wal\n");
  insert_after("      name: etcd-data\n", "    - mountPath: /var/lib/etcd-wal\n      name: etcd-wal\n");
  insert_after("      path: /var/lib/etcd\n      type: DirectoryOrCreate\n    name: etcd-data\n",
               "  - hostPath:\n      path: /var/lib/etcd-wal\n      type: DirectoryOrCreate\n    name: etcd-wal\n");
  Put(node->Manifests() + "/etcd.yaml", manifest);
  node->WriteControlPlane();
  node->StartKubelet();
  ASSERT_TRUE(node->WaitEtcd(30)) << FileContents(node->R("/var/log/pods/etcd.yaml.log"));
  ASSERT_TRUE(fs::exists(node->R("/var/lib/etcd-wal"))) << "the WAL is not where the manifest says";
  ASSERT_EQ(node->Etcdctl({"put", "a", "1"}).exit_code, 0);
  std::string snap = dir.Sub("snap.db");
  CommandResult b = node->Kubectl({"backup", snap});
  ASSERT_EQ(b.exit_code, 0) << b.err;
  ASSERT_EQ(node->Etcdctl({"put", "c", "3"}).exit_code, 0);

  CommandResult r = node->Kubectl({"restore", snap, "--yes", "--wait-timeout", "40"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err << FileContents(node->R("/var/log/pods/etcd.yaml.log"));
  std::string patched = FileContents(node->Manifests() + "/etcd.yaml");
  std::vector<std::string> diff;
  std::istringstream a(manifest), p(patched);
  for (std::string l1, l2; std::getline(a, l1) && std::getline(p, l2);) {
    if (l1 != l2) diff.push_back(l1 + " -> " + l2);
  }
  ASSERT_EQ(diff.size(), 2u) << patched;
  EXPECT_NE(diff[0].find("-> " "      path: /var/lib/etcd-restored-"), std::string::npos) << diff[0];
  EXPECT_NE(diff[1].find("-> " "      path: /var/lib/etcd-wal-restored-"), std::string::npos) << diff[1];
  std::string new_wal = diff[1].substr(diff[1].find("/var/lib/etcd-wal-restored-"));
  EXPECT_TRUE(fs::exists(node->R(new_wal))) << new_wal;
  ASSERT_TRUE(node->WaitEtcd(30));
  EXPECT_EQ(node->Get("a"), "1\n");
  EXPECT_EQ(node->Get("c"), "");
  // etcd writes to the new WAL dir, not into the data dir.
  EXPECT_FALSE(fs::exists(node->R(diff[0].substr(diff[0].find("/var/lib/etcd-restored-")) + "/member/wal")));
  bool wal_files = false;
  for (const auto& e : fs::recursive_directory_iterator(node->R(new_wal))) wal_files |= e.path().extension() == ".wal";
  EXPECT_TRUE(wal_files) << new_wal;
  // The old WAL dir is untouched and --undo returns to it.
  CommandResult u = node->Kubectl({"restore", "--undo", "--yes"});
  ASSERT_EQ(u.exit_code, 0) << u.out << u.err;
  ASSERT_TRUE(node->WaitEtcd(30));
  EXPECT_EQ(node->Get("c"), "3\n");
}

}  // namespace
}  // namespace ketcd::e2e
