#include "pkg/remote/credentials.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "pkg/remote/fake_processes.h"

namespace ketcd::remote {
namespace {

using ::testing::HasSubstr;

MemberPod Kubeadm() {
  MemberPod m;
  m.pod = "etcd-cp1";
  m.node = "cp1";
  m.ca = {"/etc/kubernetes/pki/etcd/ca.crt", "/etc/kubernetes/pki/etcd/ca.crt"};
  m.client_pairs = {{{"/etc/kubernetes/pki/etcd/healthcheck-client.crt", "/etc/kubernetes/pki/etcd/healthcheck-client.crt"},
                     {"/etc/kubernetes/pki/etcd/healthcheck-client.key", "/etc/kubernetes/pki/etcd/healthcheck-client.key"}},
                    {{"/etc/kubernetes/pki/etcd/server.crt", "/etc/kubernetes/pki/etcd/server.crt"},
                     {"/etc/kubernetes/pki/etcd/server.key", "/etc/kubernetes/pki/etcd/server.key"}}};
  return m;
}

TEST(CredentialsFromDump, PicksThePairPrinted) {
  std::map<std::string, std::string> dump = {{"/ca", "CA\n"}, {"/s.crt", "S\n"}, {"/s.key", "K\n"}};
  auto c = CredentialsFromDump(dump, "/ca", {{"/h.crt", "/h.key"}, {"/s.crt", "/s.key"}}, "cp1");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->tls.ca_pem, "CA\n");
  EXPECT_EQ(c->tls.cert_pem, "S\n");
  EXPECT_EQ(c->tls.key_pem, "K\n");
  EXPECT_EQ(c->tls.cert_file, "cp1:/s.crt");
  EXPECT_FALSE(CredentialsFromDump({{"/ca", "CA\n"}}, "/ca", {{"/h.crt", "/h.key"}}, "cp1").ok());
  EXPECT_FALSE(CredentialsFromDump({{"/s.crt", "S\n"}}, "/ca", {}, "cp1").ok());
}

TEST(ReadCredentials, ThroughExecInTheEtcdContainer) {
  FakeProcesses fake;
  fake.runs.push_back(RunResult{0,
                                "=== /etc/kubernetes/pki/etcd/ca.crt\nCA\n"
                                "=== /etc/kubernetes/pki/etcd/healthcheck-client.crt\nC\n"
                                "=== /etc/kubernetes/pki/etcd/healthcheck-client.key\nK\n",
                                ""});
  Kubectl k(&fake, {});
  CredentialOptions o;
  o.kubectl = &k;
  auto c = ReadCredentials(o, Kubeadm());
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->tls.key_pem, "K\n");
  EXPECT_THAT(c->source, HasSubstr("kubectl exec in pod kube-system/etcd-cp1"));
  EXPECT_EQ(fake.argvs[0].size(), 12u + 5u);  // kubectl exec ... sh, the CA and two pairs
}

TEST(ReadCredentials, EachExecFailureIsReported) {
  for (auto [run, code] : {std::pair{RunResult{1, "", "is forbidden: pods/exec"}, absl::StatusCode::kPermissionDenied},
                           {RunResult{4, "", "no readable client certificate and key"}, absl::StatusCode::kNotFound},
                           {RunResult{0, "no header", ""}, absl::StatusCode::kUnavailable},
                           {RunResult{0, "=== /other\nX\n", ""}, absl::StatusCode::kUnavailable},
                           {RunResult{1, "", "error: unable to upgrade connection: 500"},
                            absl::StatusCode::kUnavailable}}) {
    FakeProcesses fake;
    fake.runs.push_back(run);
    Kubectl k(&fake, {});
    CredentialOptions o;
    o.kubectl = &k;
    auto c = ReadCredentials(o, Kubeadm());
    EXPECT_EQ(c.status().code(), code) << c.status();
  }
}

}  // namespace
}  // namespace ketcd::remote
