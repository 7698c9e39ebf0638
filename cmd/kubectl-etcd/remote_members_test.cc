#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cmd/kubectl-etcd/remote.h"
#include "pkg/remote/fake_processes.h"

namespace ketcd::cmd {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

discovery::EtcdPod Pod(const std::string& node, const std::string& ip, const std::string& phase = "Running") {
  discovery::EtcdPod p;
  p.name = "etcd-" + node;
  p.node = node;
  p.host_ip = ip;
  p.phase = phase;
  p.ready = phase == "Running";
  p.client_urls = {"https://" + ip + ":2379"};
  p.flags = {{"trusted-ca-file", "/etc/kubernetes/pki/etcd/ca.crt"},
             {"listen-client-urls", "https://" + ip + ":2379,https://127.0.0.1:2379"}};
  return p;
}

etcdserverpb::Member Member(const std::string& name, const std::string& url) {
  etcdserverpb::Member m;
  m.set_id(0x10);
  m.set_name(name);
  if (!url.empty()) m.add_clienturls(url);
  return m;
}

TEST(PodOfMember, ByClientUrlThenNodeNameThenHostIp) {
  std::vector<discovery::EtcdPod> pods = {Pod("cp1", "10.0.0.11"), Pod("cp2", "10.0.0.12")};
  EXPECT_EQ(PodOfMember(pods, Member("x", "https://10.0.0.12:2379")), &pods[1]);
  EXPECT_EQ(PodOfMember(pods, Member("cp1", "https://cp1.example:2379")), &pods[0]);
  pods[1].client_urls.clear();  // no annotation, no flag: the host IP decides
  EXPECT_EQ(PodOfMember(pods, Member("renamed", "https://10.0.0.12:12379")), &pods[1]);
  EXPECT_EQ(PodOfMember(pods, Member("elsewhere", "https://10.9.9.9:2379")), nullptr);
  EXPECT_EQ(PodOfMember(pods, Member("", "")), nullptr);  // never started
}

TEST(RouteReach, EachMemberThroughItsOwnPortForward) {
  std::vector<PodRoute> routes = {
      {Pod("cp1", "10.0.0.11"), 40001, absl::OkStatus()},
      {Pod("cp2", "10.0.0.12", "Pending"), 0, absl::UnavailableError("pod kube-system/etcd-cp2 is Pending")}};
  etcdclient::Reach reach = RouteReach(routes);
  auto ep = reach(Member("cp1", "https://10.0.0.11:2379"));
  ASSERT_TRUE(ep.ok()) << ep.status();
  EXPECT_EQ(ep->Url(), "https://127.0.0.1:40001");
  EXPECT_THAT(reach(Member("cp2", "https://10.0.0.12:2379")).status().message(), HasSubstr("is Pending"));
  auto none = reach(Member("ext", "https://10.9.9.9:2379"));
  EXPECT_TRUE(absl::IsNotFound(none.status()));
  EXPECT_THAT(none.status().message(), HasSubstr("no etcd pod in kube-system matches member ext"));
}

TEST(ForwardEveryPod, OnePortForwardPerRunningPod) {
  remote::FakeProcesses procs;
  procs.children.push_back({{"Forwarding from 127.0.0.1:40003 -> 2379"}, ""});
  RemoteLink link;
  link.kubectl = std::make_unique<remote::Kubectl>(&procs, remote::KubectlOptions());
  link.forward.local_port = 40001;
  std::vector<std::string> logged;
  ForwardEveryPod(link, {Pod("cp1", "10.0.0.11"), Pod("cp2", "10.0.0.12", "Pending"), Pod("cp3", "10.0.0.13")},
                  "etcd-cp1", [&](const std::string& l) { logged.push_back(l); });
  ASSERT_EQ(link.routes.size(), 3u);
  EXPECT_EQ(link.routes[0].local_port, 40001);  // the link's own
  EXPECT_THAT(link.routes[1].error.message(), HasSubstr("etcd-cp2 is Pending"));
  EXPECT_EQ(link.routes[2].local_port, 40003);
  EXPECT_EQ(link.more_forwards.size(), 1u);
  ASSERT_EQ(procs.argvs.size(), 1u);  // no kubectl for the Pending pod
  EXPECT_THAT(procs.argvs[0], ElementsAre("kubectl", "port-forward", "-n", "kube-system", "pod/etcd-cp3", "--address",
                                          "127.0.0.1", ":2379"));
  EXPECT_THAT(logged, ElementsAre(HasSubstr("etcd-cp3 port 2379")));
}

TEST(ForwardEveryPod, AFailedPortForwardIsThatPodsError) {
  remote::FakeProcesses procs;
  procs.children.push_back({{}, "error: unable to forward port because pod is not running. Current status=Pending"});
  RemoteLink link;
  link.kubectl = std::make_unique<remote::Kubectl>(&procs, remote::KubectlOptions());
  ForwardEveryPod(link, {Pod("cp2", "10.0.0.12")}, "etcd-cp1", [](const std::string&) {});
  ASSERT_EQ(link.routes.size(), 1u);
  EXPECT_THAT(link.routes[0].error.message(), HasSubstr("pod is not running"));
  EXPECT_TRUE(link.more_forwards.empty());
}

struct Waiting {
  std::vector<std::vector<discovery::EtcdPod>> listings;  // what each later list returns
  int lists = 0;
  std::vector<std::chrono::milliseconds> slept;
  std::vector<std::string> logged;
  absl::StatusOr<std::vector<discovery::EtcdPod>> Run(std::vector<discovery::EtcdPod> first, const std::string& member,
                                                      int attempts = 15) {
    return RunningCandidates(
        std::move(first), member,
        [this]() -> absl::StatusOr<std::vector<discovery::EtcdPod>> {
          return listings[std::min(static_cast<size_t>(lists++), listings.size() - 1)];
        },
        [this](std::chrono::milliseconds d) { slept.push_back(d); }, attempts, std::chrono::milliseconds(2000),
        [this](const std::string& line) { logged.push_back(line); });
  }
};

TEST(RunningCandidates, ARunningPodFirstWithoutWaiting) {
  Waiting w;
  auto c = w.Run({Pod("cp1", "10.0.0.11", "Pending"), Pod("cp2", "10.0.0.12")}, "");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ((*c)[0].name, "etcd-cp2");
  EXPECT_EQ((*c)[1].name, "etcd-cp1");
  EXPECT_TRUE(w.slept.empty());
}

TEST(RunningCandidates, WaitsForTheNamedPodWhileTheKubeletRecreatesIt) {
  Waiting w;
  w.listings = {{Pod("cp1", "10.0.0.11", "Pending"), Pod("cp2", "10.0.0.12")},
                {Pod("cp1", "10.0.0.11"), Pod("cp2", "10.0.0.12")}};
  auto c = w.Run({Pod("cp1", "10.0.0.11", "Pending"), Pod("cp2", "10.0.0.12")}, "cp1");
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_EQ(c->size(), 1u);
  EXPECT_EQ((*c)[0].phase, "Running");
  EXPECT_EQ(w.slept.size(), 2u);
  EXPECT_EQ(w.lists, 2);
}

TEST(RunningCandidates, GivesUpNamingThePhases) {
  Waiting w;
  w.listings = {{Pod("cp1", "10.0.0.11", "Pending")}};
  auto c = w.Run({Pod("cp1", "10.0.0.11", "Pending")}, "", 3);
  EXPECT_TRUE(absl::IsUnavailable(c.status()));
  EXPECT_THAT(c.status().message(), HasSubstr("no etcd pod is Running after 6 s (etcd-cp1 Pending)"));
  EXPECT_EQ(w.slept.size(), 3u);
  EXPECT_THAT(w.logged, ElementsAre("etcd-cp1 Pending: waiting up to 6 s for etcd to run"));  // said once
}

}  // namespace
}  // namespace ketcd::cmd
