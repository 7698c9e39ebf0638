#pragma once
// The remote path of the commands that talk to etcd: when etcd was found only through
// the kubeconfig, runs on another machine and no certificate is readable here (or with
// --remote), the client credentials are read on the member's node and etcd is reached
// through `kubectl port-forward` (pkg/remote). The link lives as long as the command:
// destroying it stops the port-forward.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cmd/kubectl-etcd/command.h"
#include "cmd/kubectl-etcd/connection.h"
#include "pkg/discovery/discovery.h"
#include "pkg/etcdclient/cluster_status.h"
#include "pkg/kubeclient/client.h"
#include "pkg/remote/credentials.h"
#include "pkg/remote/kubectl.h"

namespace ketcd::cmd {

// --remote and --member.
void AddRemoteFlags(cxxopts::Options& options);

// How many members the link reaches: the one the command talks to (backup), or every
// etcd pod, each through a port-forward of its own (status).
enum class RemoteScope { kOneMember, kEveryMember };

// An etcd pod and the local end of the port-forward to it (with kEveryMember).
struct PodRoute {
  discovery::EtcdPod pod;
  int local_port = 0;
  absl::Status error;  // why there is no port-forward to it (not Running, refused...)
};

struct RemoteLink {
  std::unique_ptr<remote::Processes> processes;
  std::unique_ptr<kubeclient::Client> api;
  std::unique_ptr<remote::Kubectl> kubectl;
  remote::PortForward forward;
  std::string credentials_source;  // where the credentials were read
  std::string member_pod;          // the etcd pod the forward reaches
  std::string node;
  std::vector<PodRoute> routes;                    // kEveryMember: every etcd pod, this one included
  std::vector<remote::PortForward> more_forwards;  // kEveryMember: the port-forwards to the others

  std::string Describe() const;  // "pod kube-system/etcd-cp1 on node cp1 through kubectl port-forward"
  // A failed call, with what the port-forward said if it ended meanwhile (an API server or
  // proxy that cuts long or idle streams).
  absl::Status Explain(const absl::Status& error) const;
};

// True with --remote, or when the report found etcd only through the kubeconfig, on no
// pod of this host, and without a certificate readable here.
bool WantsRemote(const cxxopts::ParseResult& flags, const discovery::Report& report);

// The etcd pod's view the remote path works from: container and host paths of the
// CA and of the client certificate candidates, the loopback client port.
absl::StatusOr<remote::MemberPod> MemberPodFrom(const discovery::EtcdPod& pod);

// The pods to use, in order: --member's (by pod, member or node name), else the ready
// ones first. NotFound naming the pods there are.
absl::StatusOr<std::vector<discovery::EtcdPod>> MemberCandidates(const std::vector<discovery::EtcdPod>& pods,
                                                                 const std::string& member);

// Checks RBAC, reads the credentials, forwards to a healthy member (a follower when
// there are several) and points `conn` at it; with kEveryMember also forwards to every
// other Running etcd pod (`routes`).
absl::StatusOr<std::unique_ptr<RemoteLink>> OpenRemote(const cxxopts::ParseResult& flags,
                                                       const discovery::Report& report, Invocation& inv,
                                                       Connection* conn, RemoteScope scope = RemoteScope::kOneMember);

// For backup and status: explicit --endpoints as ResolveConnection; else discovery,
// then the remote path when it applies (`link` set).
absl::StatusOr<Connection> ResolveConnectionOrRemote(const cxxopts::ParseResult& flags, Invocation& inv,
                                                     std::unique_ptr<RemoteLink>* link,
                                                     RemoteScope scope = RemoteScope::kOneMember);

// remote_members.cc: the members behind the etcd pods.

// The etcd pod of a member of the member list: the one advertising one of its client
// URLs, else the one on the node named as the member (kubeadm names members after their
// node), else the one whose host IP is the host of its client URL. Null when none is.
const discovery::EtcdPod* PodOfMember(const std::vector<discovery::EtcdPod>& pods, const etcdserverpb::Member& m);

// kEveryMember: a route to each etcd pod in `pods`, a port-forward (link.kubectl) to each
// Running one besides `linked`, which link.forward already reaches.
void ForwardEveryPod(RemoteLink& link, const std::vector<discovery::EtcdPod>& pods, const std::string& linked,
                     const std::function<void(const std::string&)>& log);

// Each member through the port-forward to its pod (RemoteLink::routes).
etcdclient::Reach RouteReach(const std::vector<PodRoute>& routes);

// The candidates (MemberCandidates) with the Running pods first. When none is Running (a
// pod the kubelet recreates is Pending for a while), lists the pods again every `pause`,
// up to `attempts` times, before giving up with Unavailable naming each pod's phase.
using PodLister = std::function<absl::StatusOr<std::vector<discovery::EtcdPod>>()>;
using Sleeper = std::function<void(std::chrono::milliseconds)>;
absl::StatusOr<std::vector<discovery::EtcdPod>> RunningCandidates(std::vector<discovery::EtcdPod> pods,
                                                                  const std::string& member, const PodLister& list,
                                                                  const Sleeper& sleep, int attempts,
                                                                  std::chrono::milliseconds pause,
                                                                  const std::function<void(const std::string&)>& log);

// What `restore FILE` of a node prints on a machine that is not the node: the
// `kubectl debug node/...` and SSH commands to run there instead (restore_cmd.cc).
std::string RestoreOnNodeMessage(const std::vector<discovery::EtcdPod>& pods, const std::string& file);

// The API client of --kubeconfig/--context (for cleanup).
absl::StatusOr<std::unique_ptr<kubeclient::Client>> ApiClient(const cxxopts::ParseResult& flags);

}  // namespace ketcd::cmd
