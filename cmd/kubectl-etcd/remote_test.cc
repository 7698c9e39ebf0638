#include "cmd/kubectl-etcd/remote.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ketcd::cmd {
namespace {

using ::testing::HasSubstr;

discovery::EtcdPod Kubeadm(const std::string& node, bool ready = true) {
  discovery::EtcdPod p;
  p.name = "etcd-" + node;
  p.node = node;
  p.phase = "Running";
  p.ready = ready;
  p.image = "registry.k8s.io/etcd:3.6.8-0";
  p.flags = {{"trusted-ca-file", "/etc/kubernetes/pki/etcd/ca.crt"},
             {"cert-file", "/etc/kubernetes/pki/etcd/server.crt"},
             {"key-file", "/etc/kubernetes/pki/etcd/server.key"},
             {"listen-client-urls", "https://10.0.0.11:2379,https://127.0.0.1:2379"}};
  p.host_paths = {{"/etc/kubernetes/pki/etcd", "/etc/kubernetes/pki/etcd"}, {"/var/lib/etcd", "/var/lib/etcd"}};
  return p;
}

cxxopts::ParseResult Parse(std::vector<std::string> args) {
  static cxxopts::Options options = [] {
    cxxopts::Options o("t");
    AddConnectionFlags(o);
    AddRemoteFlags(o);
    return o;
  }();
  args.insert(args.begin(), "t");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  return options.parse(static_cast<int>(argv.size()), argv.data());
}

TEST(MemberPodFrom, KubeadmPaths) {
  auto m = MemberPodFrom(Kubeadm("cp1"));
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->client_port, 2379);
  EXPECT_EQ(m->ca.in_container, "/etc/kubernetes/pki/etcd/ca.crt");
  ASSERT_EQ(m->client_pairs.size(), 3u);
  EXPECT_EQ(m->client_pairs[0].first.on_host, "/etc/kubernetes/pki/etcd/healthcheck-client.crt");
  EXPECT_EQ(m->client_pairs[1].second.in_container, "/etc/kubernetes/pki/etcd/client.key");
  EXPECT_EQ(m->client_pairs[2].first.in_container, "/etc/kubernetes/pki/etcd/server.crt");
}

TEST(MemberPodFrom, MountedElsewhereAndOtherPort) {
  discovery::EtcdPod p = Kubeadm("cp1");
  p.host_paths = {{"/certs", "/srv/etcd/pki"}};
  p.flags["trusted-ca-file"] = "/certs/ca.pem";
  p.flags["listen-client-urls"] = "https://127.0.0.1:12379";
  auto m = MemberPodFrom(p);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->client_port, 12379);
  EXPECT_EQ(m->ca.on_host, "/srv/etcd/pki/ca.pem");
  p.flags.erase("trusted-ca-file");
  EXPECT_TRUE(absl::IsFailedPrecondition(MemberPodFrom(p).status()));
}

TEST(MemberCandidates, ReadyFirstOrTheOneNamed) {
  std::vector<discovery::EtcdPod> pods = {Kubeadm("cp1", false), Kubeadm("cp2"), Kubeadm("cp3")};
  auto c = MemberCandidates(pods, "");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ((*c)[0].name, "etcd-cp2");
  EXPECT_EQ((*c)[2].name, "etcd-cp1");
  for (const char* name : {"etcd-cp3", "cp3"}) {
    auto one = MemberCandidates(pods, name);
    ASSERT_TRUE(one.ok());
    ASSERT_EQ(one->size(), 1u);
    EXPECT_EQ((*one)[0].name, "etcd-cp3");
  }
  auto none = MemberCandidates(pods, "cp9");
  EXPECT_TRUE(absl::IsNotFound(none.status()));
  EXPECT_THAT(none.status().message(), HasSubstr("etcd-cp1, etcd-cp2, etcd-cp3"));
}

TEST(WantsRemote, OnlyWhenEtcdIsElsewhereAndNoCertificateHere) {
  discovery::Report r;
  r.pods = {Kubeadm("cp1")};
  r.target = discovery::EtcdTarget();
  r.target->kind = "kubeconfig";
  EXPECT_TRUE(WantsRemote(Parse({}), r));
  EXPECT_FALSE(WantsRemote(Parse({"--endpoints", "https://10.0.0.11:2379"}), r));
  EXPECT_FALSE(WantsRemote(Parse({"--cert", "c.crt"}), r));
  r.target->cert_file = "/etc/kubernetes/pki/etcd/healthcheck-client.crt";  // readable here
  EXPECT_FALSE(WantsRemote(Parse({}), r));
  r.target->cert_file.clear();
  r.pods[0].this_host = true;
  EXPECT_FALSE(WantsRemote(Parse({}), r));
  EXPECT_TRUE(WantsRemote(Parse({"--remote"}), r));
  r.target->kind = "kubeadm";
  EXPECT_FALSE(WantsRemote(Parse({}), r));
}

TEST(RestoreOnNodeMessage, NamesTheNodeAndTheCommands) {
  std::string m = RestoreOnNodeMessage({Kubeadm("cp1"), Kubeadm("cp2")}, "/home/me/snap.db");
  EXPECT_THAT(m, HasSubstr("kubectl debug node/cp1 -it --profile=sysadmin --image=ghcr.io/kubectl-etcd/kubectl-etcd:v"));
  EXPECT_THAT(m, HasSubstr("-- kubectl-etcd restore /host/var/backups/snap.db --host-root /host"));
  EXPECT_THAT(m, HasSubstr("scp /home/me/snap.db cp1:/var/backups/ && ssh -t cp1 sudo kubectl-etcd restore"));
  EXPECT_THAT(m, HasSubstr("cp1, cp2"));
}

}  // namespace
}  // namespace ketcd::cmd
