// The members behind the etcd pods on the remote path (see remote.h).
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cmd/kubectl-etcd/remote.h"
#include "pkg/etcdclient/endpoint.h"

namespace ketcd::cmd {
namespace {

bool IsRunning(const discovery::EtcdPod& p) { return p.phase == "Running"; }

std::string Phases(const std::vector<discovery::EtcdPod>& pods) {
  std::vector<std::string> out;
  for (const auto& p : pods) out.push_back(absl::StrCat(p.name, " ", p.phase.empty() ? "(no phase)" : p.phase));
  return absl::StrJoin(out, ", ");
}

std::string HostOf(const std::string& url) {
  auto ep = etcdclient::ParseEndpoint(url, true);
  return ep.ok() ? ep->host : std::string();
}

}  // namespace

const discovery::EtcdPod* PodOfMember(const std::vector<discovery::EtcdPod>& pods, const etcdserverpb::Member& m) {
  for (const auto& p : pods) {
    for (const std::string& url : m.clienturls()) {
      if (std::find(p.client_urls.begin(), p.client_urls.end(), url) != p.client_urls.end()) return &p;
    }
  }
  if (!m.name().empty()) {
    for (const auto& p : pods) {
      if (p.node == m.name() || p.name == "etcd-" + m.name()) return &p;
    }
  }
  for (const auto& p : pods) {
    for (const std::string& url : m.clienturls()) {
      if (!p.host_ip.empty() && HostOf(url) == p.host_ip) return &p;
    }
  }
  return nullptr;
}

etcdclient::Reach RouteReach(const std::vector<PodRoute>& routes) {
  std::vector<discovery::EtcdPod> pods;
  for (const PodRoute& r : routes) pods.push_back(r.pod);
  return [routes, pods](const etcdserverpb::Member& m) -> absl::StatusOr<etcdclient::Endpoint> {
    const discovery::EtcdPod* pod = PodOfMember(pods, m);
    if (pod == nullptr) {
      return absl::NotFoundError(absl::StrCat("no etcd pod in ", remote::kNamespace, " matches member ",
                                              m.name().empty() ? absl::StrCat(absl::Hex(m.id())) : m.name(), " (",
                                              absl::StrJoin(m.clienturls(), ","),
                                              "): an etcd outside the cluster's pods is not reachable remotely"));
    }
    const PodRoute& route = routes[static_cast<size_t>(pod - pods.data())];
    if (!route.error.ok()) return route.error;
    return etcdclient::ParseEndpoint(absl::StrCat("https://127.0.0.1:", route.local_port), true);
  };
}

void ForwardEveryPod(RemoteLink& link, const std::vector<discovery::EtcdPod>& pods, const std::string& linked,
                     const std::function<void(const std::string&)>& log) {
  for (const discovery::EtcdPod& p : pods) {
    PodRoute route{p, 0, absl::OkStatus()};
    if (p.name == linked) {
      route.local_port = link.forward.local_port;
    } else if (p.phase != "Running") {
      route.error = absl::UnavailableError(
          absl::StrCat("pod ", remote::kNamespace, "/", p.name, " is ", p.phase.empty() ? "not Running" : p.phase));
    } else if (auto m = MemberPodFrom(p); !m.ok()) {
      route.error = m.status();
    } else {
      log(absl::StrCat("kubectl port-forward to pod ", remote::kNamespace, "/", p.name, " port ", m->client_port));
      auto fwd = link.kubectl->Forward(remote::kNamespace, p.name, m->client_port, std::chrono::seconds(30));
      if (fwd.ok()) {
        route.local_port = fwd->local_port;
        link.more_forwards.push_back(std::move(*fwd));
      } else {
        route.error = fwd.status();
      }
    }
    link.routes.push_back(std::move(route));
  }
}

absl::StatusOr<std::vector<discovery::EtcdPod>> RunningCandidates(std::vector<discovery::EtcdPod> pods,
                                                                  const std::string& member, const PodLister& list,
                                                                  const Sleeper& sleep, int attempts,
                                                                  std::chrono::milliseconds pause,
                                                                  const std::function<void(const std::string&)>& log) {
  std::string logged;  // the phases said last: each change is said once
  for (int attempt = 0;; attempt++) {
    KETCD_ASSIGN_OR_RETURN(std::vector<discovery::EtcdPod> candidates, MemberCandidates(pods, member));
    if (std::any_of(candidates.begin(), candidates.end(), IsRunning)) {
      std::stable_partition(candidates.begin(), candidates.end(), IsRunning);
      return candidates;
    }
    if (attempt >= attempts) {
      return absl::UnavailableError(absl::StrCat("no etcd pod is Running after ", attempts * pause.count() / 1000,
                                                 " s (", Phases(candidates),
                                                 "): is the kubelet recreating it? `kubectl -n ", remote::kNamespace,
                                                 " describe pod ", candidates[0].name, "` says why"));
    }
    if (std::string now = Phases(candidates); now != logged) {
      log(absl::StrCat(now, ": waiting up to ", attempts * pause.count() / 1000, " s for etcd to run"));
      logged = now;
    }
    sleep(pause);
    auto again = list();
    if (!again.ok()) return again.status();
    pods = std::move(*again);
  }
}

}  // namespace ketcd::cmd
