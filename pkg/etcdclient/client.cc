#include "pkg/etcdclient/client.h"

#include <grpcpp/grpcpp.h>
#include <grpcpp/security/tls_credentials_options.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "pkg/base/interrupt.h"
#include "pkg/etcdclient/proto/rpc.grpc.pb.h"
#include "pkg/etcdclient/resolve.h"
#include "pkg/etcdclient/tls_probe.h"
#include "pkg/fsutil/file.h"

namespace ketcd::etcdclient {
namespace {

using Clock = std::chrono::steady_clock;

absl::Status FromGrpc(const grpc::Status& s) {
  if (s.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(s.error_code()), s.error_message());
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> MakeCredentials(const Endpoint& ep, const TlsFiles& tls) {
  if (!ep.tls()) return grpc::InsecureChannelCredentials();
  std::string ca, cert, key;
  if (!tls.ca_file.empty() || !tls.ca_pem.empty()) {
    KETCD_ASSIGN_OR_RETURN(ca, TlsMaterial(tls.ca_pem, tls.ca_file));
  }
  if (!tls.cert_file.empty() || !tls.cert_pem.empty()) {
    KETCD_ASSIGN_OR_RETURN(cert, TlsMaterial(tls.cert_pem, tls.cert_file));
    KETCD_ASSIGN_OR_RETURN(key, TlsMaterial(tls.key_pem, tls.key_file));
  }
  if (tls.insecure_skip_verify) {
    grpc::experimental::TlsChannelCredentialsOptions opts;
    opts.set_verify_server_certs(false);
    opts.set_check_call_host(false);
    if (!cert.empty()) {
      auto provider = std::make_shared<grpc::experimental::StaticDataCertificateProvider>(
          std::vector<grpc::experimental::IdentityKeyCertPair>{{key, cert}});
      opts.set_certificate_provider(provider);
      opts.watch_identity_key_cert_pairs();
    }
    return grpc::experimental::TlsCredentials(opts);
  }
  grpc::SslCredentialsOptions opts;
  opts.pem_root_certs = ca;
  opts.pem_private_key = key;
  opts.pem_cert_chain = cert;
  return grpc::SslCredentials(opts);
}

constexpr int kFixedReceiveWindow = 16 << 20;

std::shared_ptr<grpc::Channel> MakeChannel(const Endpoint& ep, const std::shared_ptr<grpc::ChannelCredentials>& creds,
                                          bool adaptive_window) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 200);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 200);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 30000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10000);
  args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 0);
  // A large window lets the server stream snapshot chunks without waiting on us.
  if (adaptive_window) {
    args.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 1);
    args.SetInt(GRPC_ARG_HTTP2_STREAM_LOOKAHEAD_BYTES, 1 << 20);
  } else {
    args.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
    args.SetInt(GRPC_ARG_HTTP2_STREAM_LOOKAHEAD_BYTES, kFixedReceiveWindow);
  }
  GrpcTarget target = ChooseGrpcTarget(ep);
  if (target.by_address) {
    // Dialled by address: certificate check and :authority still use the name given.
    args.SetSslTargetNameOverride(ep.host);
    args.SetString(GRPC_ARG_DEFAULT_AUTHORITY, ep.HostPort());
  }
  return grpc::CreateCustomChannel(target.target, creds, args);
}

}  // namespace

absl::StatusOr<std::unique_ptr<Client>> Client::Connect(const ConnectionConfig& config, const Endpoint& ep) {
  if (ep.tls()) KETCD_RETURN_IF_ERROR(CheckTlsFiles(config.tls));
  KETCD_ASSIGN_OR_RETURN(auto creds, MakeCredentials(ep, config.tls));
  auto channel = MakeChannel(ep, creds, config.adaptive_receive_window);
  auto deadline = std::chrono::system_clock::now() + config.dial_timeout;
  std::unique_ptr<Client> client(new Client(config, ep, channel));
  // Wait for READY, but diagnose at the first TRANSIENT_FAILURE: a TLS or port mistake
  // never heals, and the probe explains it at once instead of after the whole timeout.
  bool probed = false;
  for (grpc_connectivity_state state = channel->GetState(true); state != GRPC_CHANNEL_READY;
       state = channel->GetState(true)) {
    if (state == GRPC_CHANNEL_TRANSIENT_FAILURE && !probed) {
      probed = true;
      absl::Status why = ProbeEndpoint(ep, config.tls, config.dial_timeout);
      if (!why.ok()) return why;
    }
    if (!channel->WaitForStateChange(state, deadline)) {
      absl::Status why = ProbeEndpoint(ep, config.tls, config.dial_timeout);
      if (!why.ok()) return why;
      return absl::UnavailableError(absl::StrCat("could not open a gRPC connection to ", ep.Url(), " within ",
                                                 config.dial_timeout.count() / 1000.0, "s"));
    }
  }
  // etcd 3.4/3.5 also serve gRPC on the peer port, so a snapshot "works" there; still, it
  // is the wrong listener (peer TLS settings, and gone in 3.6): say so instead.
  absl::Status listener = ProbeEndpoint(ep, config.tls, config.dial_timeout);
  if (!listener.ok() && absl::StrContains(listener.message(), "peer port")) return listener;
  if (!config.user.empty()) KETCD_RETURN_IF_ERROR(client->Authenticate());
  return client;
}

Client::~Client() = default;

template <typename Ctx>
void Client::Prepare(Ctx& ctx, bool with_deadline) {
  if (!token_.empty()) ctx.AddMetadata("token", token_);
  if (with_deadline) ctx.set_deadline(std::chrono::system_clock::now() + config_.request_timeout);
}

absl::Status Client::Authenticate() {
  auto stub = etcdserverpb::Auth::NewStub(channel_);
  grpc::ClientContext ctx;
  Prepare(ctx, true);
  etcdserverpb::AuthenticateRequest req;
  req.set_name(config_.user);
  req.set_password(config_.password);
  etcdserverpb::AuthenticateResponse resp;
  grpc::Status s = stub->Authenticate(&ctx, req, &resp);
  if (!s.ok()) {
    if (absl::StrContains(s.error_message(), "authentication is not enabled")) {
      return absl::FailedPreconditionError(absl::StrCat(
          "etcd at ", endpoint_.Url(), " has authentication disabled; drop --user/--password"));
    }
    if (absl::StrContains(s.error_message(), "invalid user ID or password")) {
      return absl::UnauthenticatedError(absl::StrCat("etcd at ", endpoint_.Url(), " rejected user \"", config_.user,
                                                     "\": wrong user name or password"));
    }
    return Explain(FromGrpc(s), "authenticate");
  }
  token_ = resp.token();
  return absl::OkStatus();
}

absl::Status Client::Explain(const absl::Status& err, absl::string_view what) {
  std::string msg(err.message());
  auto with_user = [&]() { return config_.user.empty() ? std::string("no user") : "user \"" + config_.user + "\""; };
  if (absl::StrContains(msg, "user name is empty") || absl::StrContains(msg, "user name not found")) {
    return absl::UnauthenticatedError(absl::StrCat("etcd at ", endpoint_.Url(),
                                                   " has authentication enabled: pass --user and --password"));
  }
  if (absl::StrContains(msg, "permission denied")) {
    return absl::PermissionDeniedError(absl::StrCat(what, " on ", endpoint_.Url(), " was refused for ", with_user(),
                                                    ": snapshots need a user with the root role"));
  }
  if (absl::StrContains(msg, "invalid auth token")) {
    return absl::UnauthenticatedError(absl::StrCat("etcd at ", endpoint_.Url(), " rejected the token of ",
                                                   with_user(), " (expired or revoked); retry"));
  }
  if (err.code() == absl::StatusCode::kUnavailable || err.code() == absl::StatusCode::kUnimplemented ||
      err.code() == absl::StatusCode::kUnknown || err.code() == absl::StatusCode::kDeadlineExceeded) {
    absl::Status probe = ProbeEndpoint(endpoint_, config_.tls, config_.dial_timeout);
    if (!probe.ok()) return probe;
  }
  return absl::Status(err.code(), absl::StrCat(what, " on ", endpoint_.Url(), ": ", msg));
}

absl::StatusOr<etcdserverpb::StatusResponse> Client::Status() {
  auto stub = etcdserverpb::Maintenance::NewStub(channel_);
  grpc::ClientContext ctx;
  Prepare(ctx, true);
  etcdserverpb::StatusResponse resp;
  grpc::Status s = stub->Status(&ctx, etcdserverpb::StatusRequest(), &resp);
  if (!s.ok()) return Explain(FromGrpc(s), "status");
  return resp;
}

absl::StatusOr<etcdserverpb::MemberListResponse> Client::MemberList(bool linearizable) {
  auto stub = etcdserverpb::Cluster::NewStub(channel_);
  grpc::ClientContext ctx;
  Prepare(ctx, true);
  etcdserverpb::MemberListRequest req;
  req.set_linearizable(linearizable);
  etcdserverpb::MemberListResponse resp;
  grpc::Status s = stub->MemberList(&ctx, req, &resp);
  if (!s.ok()) return Explain(FromGrpc(s), "member list");
  return resp;
}

absl::StatusOr<etcdserverpb::AlarmResponse> Client::Alarms() {
  auto stub = etcdserverpb::Maintenance::NewStub(channel_);
  grpc::ClientContext ctx;
  Prepare(ctx, true);
  etcdserverpb::AlarmRequest req;
  req.set_action(etcdserverpb::AlarmRequest::GET);
  etcdserverpb::AlarmResponse resp;
  grpc::Status s = stub->Alarm(&ctx, req, &resp);
  if (!s.ok()) return Explain(FromGrpc(s), "alarm list");
  return resp;
}

absl::StatusOr<etcdserverpb::PutResponse> Client::Put(const std::string& key, const std::string& value) {
  auto stub = etcdserverpb::KV::NewStub(channel_);
  grpc::ClientContext ctx;
  Prepare(ctx, true);
  etcdserverpb::PutRequest req;
  req.set_key(key);
  req.set_value(value);
  etcdserverpb::PutResponse resp;
  grpc::Status s = stub->Put(&ctx, req, &resp);
  if (!s.ok()) return Explain(FromGrpc(s), "put");
  return resp;
}

absl::StatusOr<etcdserverpb::RangeResponse> Client::Range(const etcdserverpb::RangeRequest& req) {
  auto stub = etcdserverpb::KV::NewStub(channel_);
  grpc::ClientContext ctx;
  Prepare(ctx, true);
  etcdserverpb::RangeResponse resp;
  grpc::Status s = stub->Range(&ctx, req, &resp);
  if (!s.ok()) return Explain(FromGrpc(s), "range");
  return resp;
}

absl::Status Client::Snapshot(const SnapshotHandler& on_message, std::chrono::milliseconds stall_timeout) {
  auto stub = etcdserverpb::Maintenance::NewStub(channel_);
  grpc::ClientContext ctx;
  Prepare(ctx, false);

  // A watchdog cancels the call on Ctrl-C or when no message came for stall_timeout:
  // a slow snapshot of a large database is fine, a silent one is not.
  std::atomic<int64_t> last_progress{Clock::now().time_since_epoch().count()};
  std::atomic<int> cancel_reason{0};  // 1 stall, 2 interrupt
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  std::thread watchdog([&] {
    std::unique_lock<std::mutex> lock(mu);
    while (!cv.wait_for(lock, std::chrono::milliseconds(100), [&] { return done; })) {
      if (Interrupted()) {
        cancel_reason = 2;
      } else if (Clock::now() - Clock::time_point(Clock::duration(last_progress.load())) > stall_timeout) {
        cancel_reason = 1;
      }
      if (cancel_reason != 0) {
        ctx.TryCancel();
        return;
      }
    }
  });
  auto stop_watchdog = [&] {
    {
      std::lock_guard<std::mutex> lock(mu);
      done = true;
    }
    cv.notify_all();
    watchdog.join();
  };

  auto reader = stub->Snapshot(&ctx, etcdserverpb::SnapshotRequest());
  etcdserverpb::SnapshotResponse msg;
  absl::Status handler_status;
  while (reader->Read(&msg)) {
    last_progress = Clock::now().time_since_epoch().count();
    handler_status = on_message(msg);
    if (!handler_status.ok()) {
      ctx.TryCancel();
      break;
    }
  }
  grpc::Status s = reader->Finish();
  stop_watchdog();
  if (!handler_status.ok()) return handler_status;
  if (cancel_reason == 2) return absl::CancelledError("interrupted");
  if (cancel_reason == 1) {
    return absl::DeadlineExceededError(absl::StrCat("the snapshot stream from ", endpoint_.Url(),
                                                    " stalled: no data for ", stall_timeout.count() / 1000.0,
                                                    "s (raise --stall-timeout if the server is very busy)"));
  }
  if (!s.ok()) {
    absl::Status err = FromGrpc(s);
    if (err.code() == absl::StatusCode::kUnavailable || err.code() == absl::StatusCode::kCancelled ||
        err.code() == absl::StatusCode::kInternal) {
      return absl::UnavailableError(absl::StrCat("the snapshot stream from ", endpoint_.Url(),
                                                 " broke off: ", err.message(), " (did the server stop?)"));
    }
    return Explain(err, "snapshot");
  }
  return absl::OkStatus();
}

absl::StatusOr<Selected> SelectMember(const ConnectionConfig& config) {
  struct Candidate {
    std::unique_ptr<Client> client;
    etcdserverpb::StatusResponse status;
  };
  std::vector<Candidate> healthy;
  Selected out;
  absl::Status first_error;
  for (const Endpoint& ep : config.endpoints) {
    auto client = Client::Connect(config, ep);
    absl::StatusOr<etcdserverpb::StatusResponse> st =
        client.ok() ? (*client)->Status() : absl::StatusOr<etcdserverpb::StatusResponse>(client.status());
    if (!st.ok()) {
      if (first_error.ok()) first_error = st.status();
      out.skipped.push_back(absl::StrCat(ep.Url(), ": ", st.status().message()));
      continue;
    }
    healthy.push_back({std::move(*client), *st});
  }
  if (healthy.empty()) {
    if (config.endpoints.size() == 1) return first_error;
    return absl::Status(first_error.code(),
                        absl::StrCat("no etcd endpoint answered; first error: ", first_error.message()));
  }
  auto pick = healthy.begin();
  auto is_leader = [](const Candidate& c) { return c.status.leader() == c.status.header().member_id(); };
  auto leader = std::find_if(healthy.begin(), healthy.end(), is_leader);
  auto local = std::find_if(healthy.begin(), healthy.end(), [](const Candidate& c) {
    return c.client->endpoint().IsLoopback();
  });
  if (leader != healthy.end()) {
    pick = leader;
  } else if (local != healthy.end()) {
    pick = local;
  }
  for (auto it = healthy.begin(); it != healthy.end(); ++it) {
    if (it != pick) out.skipped.push_back(absl::StrCat(it->client->endpoint().Url(), ": healthy, not chosen"));
  }
  out.client = std::move(pick->client);
  out.status = pick->status;
  return out;
}

}  // namespace ketcd::etcdclient
