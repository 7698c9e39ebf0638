#include "pkg/remote/kubectl.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <deque>

#include "pkg/remote/fake_processes.h"

namespace ketcd::remote {
namespace {

using ::testing::HasSubstr;

TEST(ParseForwardingLine, ReadsThePort) {
  EXPECT_EQ(ParseForwardingLine("Forwarding from 127.0.0.1:40123 -> 2379"), 40123);
  EXPECT_EQ(ParseForwardingLine("Forwarding from 127.0.0.1:1 -> 2379\r"), 1);
  EXPECT_EQ(ParseForwardingLine("Forwarding from [::1]:40123 -> 2379"), std::nullopt);
  EXPECT_EQ(ParseForwardingLine("Handling connection for 2379"), std::nullopt);
  EXPECT_EQ(ParseForwardingLine("Forwarding from 127.0.0.1:70000 -> 2379"), std::nullopt);
  EXPECT_EQ(ParseForwardingLine("Forwarding from 127.0.0.1:x -> 2379"), std::nullopt);
  EXPECT_EQ(ParseForwardingLine("Forwarding from 127.0.0.1:123"), std::nullopt);
}

TEST(ParseFileDump, SplitsFiles) {
  auto d = ParseFileDump("=== /a\nA1\nA2\n=== /b\n=== /c\nC\n");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ((*d)["/a"], "A1\nA2\n");
  EXPECT_EQ((*d)["/b"], "");
  EXPECT_EQ((*d)["/c"], "C\n");
  EXPECT_FALSE(ParseFileDump("junk\n=== /a\n").ok());
  EXPECT_FALSE(ParseFileDump("").ok());
}

TEST(ClassifyExecFailure, TellsNoShellFromTheRest) {
  EXPECT_EQ(ClassifyExecFailure(1,
                                "error: Internal error occurred: error executing command in container: failed to "
                                "exec in container: failed to start exec \"x\": OCI runtime exec failed: exec failed: "
                                "unable to start container process: exec: \"/bin/sh\": stat /bin/sh: no such file or "
                                "directory: unknown"),
            ExecFailure::kNoShell);
  EXPECT_EQ(ClassifyExecFailure(126, "exec: \"/bin/sh\": executable file not found in $PATH"), ExecFailure::kNoShell);
  EXPECT_EQ(ClassifyExecFailure(1, "Error from server (Forbidden): pods \"etcd-x\" is forbidden: User \"u\" cannot "
                                   "create resource \"pods/exec\""),
            ExecFailure::kForbidden);
  EXPECT_EQ(ClassifyExecFailure(3, "cannot read /x\ncommand terminated with exit code 3"), ExecFailure::kNoFile);
  EXPECT_EQ(ClassifyExecFailure(1, "error: unable to upgrade connection"), ExecFailure::kOther);
}

TEST(Kubectl, PassesKubeconfigAndContextOn) {
  FakeProcesses fake;
  fake.runs.push_back(RunResult{0, "=== /ca\nCA\n", ""});
  Kubectl k(&fake, {"/opt/kubectl", "/home/u/kc", "prod"});
  ExecFailure f;
  auto d = k.ReadFiles("kube-system", "etcd-a", "etcd", {"/ca", "/c", "/k"}, &f);
  ASSERT_TRUE(d.ok()) << d.status();
  ASSERT_EQ(fake.argvs.size(), 1u);
  const auto& a = fake.argvs[0];
  EXPECT_EQ(std::vector<std::string>(a.begin(), a.begin() + 11),
            (std::vector<std::string>{"/opt/kubectl", "--kubeconfig", "/home/u/kc", "--context", "prod", "exec", "-n",
                                      "kube-system", "etcd-a", "-c", "etcd"}));
  EXPECT_EQ(std::vector<std::string>(a.end() - 3, a.end()), (std::vector<std::string>{"/ca", "/c", "/k"}));
}

TEST(Kubectl, ExecFailuresAreClassified) {
  FakeProcesses fake;
  fake.runs.push_back(RunResult{1, "", "exec: \"/bin/sh\": stat /bin/sh: no such file or directory"});
  fake.runs.push_back(RunResult{1, "", "pods \"etcd-a\" is forbidden: cannot create resource \"pods/exec\""});
  fake.runs.push_back(RunResult{4, "", "no readable client certificate and key"});
  fake.runs.push_back(RunResult{0, "garbage", ""});
  fake.run_error = absl::NotFoundError("cannot run kubectl: No such file or directory");
  Kubectl k(&fake, {});
  ExecFailure f;
  auto r = k.ReadFiles("kube-system", "etcd-a", "etcd", {"/ca"}, &f);
  EXPECT_EQ(f, ExecFailure::kNoShell);
  EXPECT_THAT(r.status().message(), HasSubstr("has no /bin/sh"));
  r = k.ReadFiles("kube-system", "etcd-a", "etcd", {"/ca"}, &f);
  EXPECT_EQ(f, ExecFailure::kForbidden);
  EXPECT_TRUE(absl::IsPermissionDenied(r.status()));
  r = k.ReadFiles("kube-system", "etcd-a", "etcd", {"/ca"}, &f);
  EXPECT_TRUE(absl::IsNotFound(r.status()));
  r = k.ReadFiles("kube-system", "etcd-a", "etcd", {"/ca"}, &f);
  EXPECT_TRUE(absl::IsUnavailable(r.status()));
  r = k.ReadFiles("kube-system", "etcd-a", "etcd", {"/ca"}, &f);  // no kubectl at all
  EXPECT_TRUE(absl::IsFailedPrecondition(r.status()));
  EXPECT_THAT(r.status().message(), HasSubstr("$KUBECTL"));
}

TEST(Kubectl, ForwardWaitsForItsLine) {
  FakeProcesses fake;
  fake.children.push_back({{"Forwarding from 127.0.0.1:41000 -> 2379"}, ""});
  Kubectl k(&fake, {});
  auto f = k.Forward("kube-system", "etcd-a", 2379, std::chrono::seconds(1));
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->local_port, 41000);
  EXPECT_EQ(fake.argvs[0], (std::vector<std::string>{"kubectl", "port-forward", "-n", "kube-system", "pod/etcd-a",
                                                     "--address", "127.0.0.1", ":2379"}));
}

TEST(Kubectl, ForwardFailures) {
  FakeProcesses fake;
  fake.children.push_back({{}, "error: pods \"etcd-a\" is forbidden: cannot create resource \"pods/portforward\""});
  fake.children.push_back({{"something else"}, "error: unable to listen on any of the requested ports"});
  Kubectl k(&fake, {});
  auto f = k.Forward("kube-system", "etcd-a", 2379, std::chrono::seconds(1));
  EXPECT_TRUE(absl::IsPermissionDenied(f.status())) << f.status();
  f = k.Forward("kube-system", "etcd-a", 2379, std::chrono::seconds(1));
  EXPECT_TRUE(absl::IsUnavailable(f.status())) << f.status();
  EXPECT_THAT(f.status().message(), HasSubstr("unable to listen"));
  fake.start_error = absl::NotFoundError("cannot run kubectl");
  f = k.Forward("kube-system", "etcd-a", 2379, std::chrono::seconds(1));
  EXPECT_TRUE(absl::IsFailedPrecondition(f.status())) << f.status();
}

}  // namespace
}  // namespace ketcd::remote
