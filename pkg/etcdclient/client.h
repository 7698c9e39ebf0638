#pragma once
// A gRPC client for the parts of etcd's v3 API that kubectl-etcd uses: Status,
// MemberList, Alarm, Range/Put and the Maintenance.Snapshot stream. Connection
// failures are diagnosed (tls_probe.h) into errors that name the cert or port at fault.

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

#include "pkg/base/status.h"
#include "pkg/etcdclient/endpoint.h"
#include "pkg/etcdclient/proto/rpc.pb.h"

namespace grpc {
class Channel;
}

namespace ketcd::etcdclient {

struct TlsFiles {
  std::string ca_file;    // trust anchor for the server's certificate (--cacert)
  std::string cert_file;  // client certificate (--cert)
  std::string key_file;   // client key (--key)
  bool insecure_skip_verify = false;
  // The same material as PEM held in memory (read from a node through the API server,
  // never written to disk). A non-empty PEM is used instead of its file; the file name
  // then only names the material in messages.
  std::string ca_pem;
  std::string cert_pem;
  std::string key_pem;
};

struct ConnectionConfig {
  std::vector<Endpoint> endpoints;
  TlsFiles tls;
  std::string user;      // with password: etcd's Authenticate token flow
  std::string password;
  std::chrono::milliseconds dial_timeout{5000};
  std::chrono::milliseconds request_timeout{10000};
  // gRPC's receive window grows with the measured bandwidth-delay product (fastest), or is
  // held at 16 MiB, so that a reader slower than etcd (an S3 upload) does not have gRPC
  // buffer 100+ MiB of the snapshot stream.
  bool adaptive_receive_window = true;
};

// The PEM of one piece of TLS material: `pem` when set, else the file's content.
absl::StatusOr<std::string> TlsMaterial(const std::string& pem, const std::string& file);

// Checks that the TLS files exist, parse, match and are in date, before any dialing.
absl::Status CheckTlsFiles(const TlsFiles& tls);

class Client {
 public:
  // Dials `endpoint` and, if a user is configured, authenticates.
  static absl::StatusOr<std::unique_ptr<Client>> Connect(const ConnectionConfig& config, const Endpoint& endpoint);
  ~Client();

  const Endpoint& endpoint() const { return endpoint_; }

  absl::StatusOr<etcdserverpb::StatusResponse> Status();
  // Linearizable by default (needs a leader); else this member's own view (etcd 3.5+; 3.4
  // always answers from its own view).
  absl::StatusOr<etcdserverpb::MemberListResponse> MemberList(bool linearizable = true);
  absl::StatusOr<etcdserverpb::AlarmResponse> Alarms();
  absl::StatusOr<etcdserverpb::PutResponse> Put(const std::string& key, const std::string& value);
  absl::StatusOr<etcdserverpb::RangeResponse> Range(const etcdserverpb::RangeRequest& request);

  // Streams Maintenance.Snapshot. `on_message` gets every message in order (blob and
  // remaining_bytes) and may take its blob (swap it out); returning an error cancels the stream. The stream is cancelled if
  // no message arrives for `stall_timeout`, or on Ctrl-C.
  using SnapshotHandler = std::function<absl::Status(etcdserverpb::SnapshotResponse&)>;
  absl::Status Snapshot(const SnapshotHandler& on_message, std::chrono::milliseconds stall_timeout);

  // Translates a failed call on this endpoint into an actionable error.
  absl::Status Explain(const absl::Status& rpc_error, absl::string_view what);

 private:
  Client(ConnectionConfig config, Endpoint endpoint, std::shared_ptr<grpc::Channel> channel)
      : config_(std::move(config)), endpoint_(std::move(endpoint)), channel_(std::move(channel)) {}
  absl::Status Authenticate();
  template <typename Ctx>
  void Prepare(Ctx& ctx, bool with_deadline);

  ConnectionConfig config_;
  Endpoint endpoint_;
  std::shared_ptr<grpc::Channel> channel_;
  std::string token_;
};

// One reachable member chosen from several endpoints: the leader if it is among
// them, else a local (loopback) one, else the first healthy one. Unreachable
// endpoints are skipped; all failing gives the first endpoint's diagnosed error.
struct Selected {
  std::unique_ptr<Client> client;
  etcdserverpb::StatusResponse status;
  std::vector<std::string> skipped;  // "<url>: <reason>" of endpoints not used
};
absl::StatusOr<Selected> SelectMember(const ConnectionConfig& config);

}  // namespace ketcd::etcdclient
