#pragma once
// End-to-end test harness: real etcd servers of every supported version on
// 127.0.0.1 with free ports, TLS certificates made for the test, temp data dirs,
// and helpers to run kubectl-etcd and the reference tools (etcdctl, etcdutl).
//
// Versions come from the environment, set by `make test`:
//   KETCD_ETCD_VERSIONS="3.4=/usr/bin,3.5=/root/.cache/kubectl-etcd/etcd-v3.5.35,..."
//   KETCD_BIN=/path/to/kubectl-etcd
// A version that is listed but whose binaries are missing fails the test; a
// missing KETCD_ETCD_VERSIONS fails every end-to-end test (never a silent skip).

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace ketcd::e2e {

struct EtcdVersion {
  std::string name;     // "3.4", "3.5", "3.6", "3.7"
  std::string bin_dir;  // holds etcd and etcdctl, and etcdutl for 3.5+
  std::string etcd() const { return bin_dir + "/etcd"; }
  std::string etcdctl() const { return bin_dir + "/etcdctl"; }
  // etcdutl for 3.5+; 3.4's etcdctl does snapshot status/restore itself.
  std::string etcdutl() const;
};

// All configured versions, in order. Adds a test failure if the list is empty or a
// binary is missing.
std::vector<EtcdVersion> AllVersions();
// For INSTANTIATE_TEST_SUITE_P: the supported versions ("3.4" to "3.7"), fixed so that a
// version missing from KETCD_ETCD_VERSIONS fails its tests; and lookup by name.
std::vector<std::string> VersionNames();
EtcdVersion VersionByName(const std::string& name);

// A directory removed (recursively) when the object goes away.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// A CA, a server certificate (SANs 127.0.0.1, localhost, ::1), a peer certificate
// (serverAuth and clientAuth, the same SANs, signed by the CA, as kubeadm's
// pki/etcd/peer.crt), a client certificate and a second, unrelated CA with its own
// client certificate (for "wrong CA" tests).
struct TestCerts {
  std::string dir;
  std::string ca_crt, ca_key;
  std::string server_crt, server_key;
  std::string peer_crt, peer_key;
  std::string client_crt, client_key;
  std::string admin_crt, admin_key;              // CN=kubernetes-admin, O=system:masters
  std::string other_ca_crt;                      // a CA that signed nothing the server trusts
  std::string other_client_crt, other_client_key;  // signed by other_ca
};
// Creates the files under `dir` with the openssl command line (made once per dir).
TestCerts MakeCerts(const std::string& dir);

struct CommandResult {
  int exit_code = -1;  // -signal when killed by a signal
  std::string out;
  std::string err;
};
// Runs argv (argv[0] a path) with extra environment entries, optional stdin text,
// and a timeout (the child is killed after it: the result then has exit_code -9).
// The child never sees the runner's HOME or KUBECONFIG (a developer's own cluster must
// not be reachable from a test): HOME is a scratch dir of this test process (ScratchHome)
// and KUBECONFIG is unset, unless `env` gives them.
CommandResult Run(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env = {},
                  int timeout_seconds = 120, const std::string& stdin_text = "");

// The HOME every child gets: an empty dir made once per test process, removed at exit.
const std::string& ScratchHome();
// What Run() does to a child's environment, for tests that fork and exec themselves:
// HOME=ScratchHome(), no KUBECONFIG. Call it in the child, before exec.
void IsolateChildEnvironment();

// Path of the kubectl-etcd binary under test (KETCD_BIN).
std::string KubectlEtcd();
// The same binary with test hooks (tests/e2e/test_hooks.cc), beside it.
std::string KubectlEtcdTestHooks();
// Runs kubectl-etcd with args.
CommandResult RunKubectlEtcd(const std::vector<std::string>& args, int timeout_seconds = 120);

struct ServerOptions {
  bool tls = true;               // https client URL
  bool client_cert_auth = true;  // --client-cert-auth with the test CA
  std::string name = "default";
  std::string data_dir;          // empty: a fresh dir inside the server's temp dir
  std::string initial_cluster;   // empty: name=peer_url
  std::string initial_cluster_state = "new";
  std::string initial_cluster_token = "etcd-cluster";
  int client_port = 0, peer_port = 0, metrics_port = 0;  // 0: pick free ports
  bool wait_healthy = true;      // false for members of a cluster started together
  std::vector<std::string> extra_args;
  TestCerts* certs = nullptr;    // share certificates across servers; null: make new ones
};

// A running etcd server. The destructor stops it (SIGTERM, then SIGKILL) and removes
// its temp dir (not a caller-supplied data_dir).
class EtcdServer {
 public:
  // Starts the server and waits until it answers; adds a fatal failure if it does not
  // within 30 s (check with ASSERT_NE(server, nullptr)).
  static std::unique_ptr<EtcdServer> Start(const EtcdVersion& version, const ServerOptions& opts = {});
  ~EtcdServer();

  const EtcdVersion& version() const { return version_; }
  const ServerOptions& options() const { return opts_; }
  const TestCerts& certs() const { return *certs_; }
  std::string client_url() const;   // https://127.0.0.1:PORT
  std::string peer_url() const;     // http://127.0.0.1:PORT
  std::string metrics_url() const;  // http://127.0.0.1:PORT
  int client_port() const { return opts_.client_port; }
  int peer_port() const { return opts_.peer_port; }
  int metrics_port() const { return opts_.metrics_port; }
  const std::string& data_dir() const { return opts_.data_dir; }
  const std::string& log_path() const { return log_path_; }
  std::string Log() const;  // the server's stderr so far
  bool Running();

  // Connection flags for etcdctl and kubectl-etcd (--endpoints, --cacert, --cert, --key).
  std::vector<std::string> ConnectionFlags() const;
  // Runs this version's etcdctl against the server; EXPECTs exit 0 and returns stdout.
  std::string Etcdctl(const std::vector<std::string>& args, int timeout_seconds = 120);
  CommandResult TryEtcdctl(const std::vector<std::string>& args, int timeout_seconds = 120);
  // Puts keys prefix0..prefix(n-1) with `etcdctl txn`, `batch` keys per transaction (one
  // revision each); the server needs --max-txn-ops >= batch. `extra` goes before "txn".
  void PutMany(const std::string& prefix, int n, int batch, const std::vector<std::string>& extra = {});

  bool WaitHealthy(int seconds);
  void Stop();  // SIGTERM, wait; idempotent
  void Kill();  // SIGKILL now
  void Signal(int sig);  // e.g. SIGSTOP/SIGCONT to freeze the server

 private:
  bool HasStorageVersion();
  EtcdServer() = default;

  EtcdVersion version_;
  ServerOptions opts_;
  std::unique_ptr<TempDir> temp_;
  std::unique_ptr<TestCerts> own_certs_;
  const TestCerts* certs_ = nullptr;
  std::string log_path_;
  int pid_ = -1;
};

// A new cluster of `members` servers named m0, m1, ... (plain peer URLs), started together
// and waited on until each is healthy; `certs` shared by all (null: each makes its own).
// Adds a failure and returns no server if one does not start or become healthy in 30 s.
std::vector<std::unique_ptr<EtcdServer>> StartCluster(const EtcdVersion& version, int members,
                                                      TestCerts* certs = nullptr);

// The whole content of a file ("" if it cannot be read).
std::string FileContents(const std::string& path);

// A free TCP port on 127.0.0.1 (bound then released; the kernel will not hand it out
// again right away).
int FreePort();

}  // namespace ketcd::e2e
