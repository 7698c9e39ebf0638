#include "pkg/remote/helper_pod.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "pkg/remote/access.h"

namespace ketcd::remote {
namespace {

using ::testing::HasSubstr;

TEST(BuildHelperPod, IsPinnedReadOnlyAndEndsByItself) {
  HelperPodSpec s{"kubectl-etcd-r1-0", "kube-system", "cp1", "flannel:v1", {"/etc/kubernetes/pki/etcd"}, "r1"};
  nlohmann::json p = BuildHelperPod(s);
  EXPECT_EQ(p["metadata"]["labels"]["app.kubernetes.io/managed-by"], "kubectl-etcd");
  EXPECT_EQ(p["metadata"]["labels"]["kubectl-etcd.io/run-id"], "r1");
  const auto& spec = p["spec"];
  EXPECT_EQ(spec["nodeName"], "cp1");
  EXPECT_EQ(spec["automountServiceAccountToken"], false);
  EXPECT_EQ(spec["activeDeadlineSeconds"], 600);
  EXPECT_EQ(spec["restartPolicy"], "Never");
  EXPECT_EQ(spec["tolerations"], nlohmann::json::parse(R"([{"operator":"Exists"}])"));
  const auto& c = spec["containers"][0];
  EXPECT_EQ(c["image"], "flannel:v1");
  EXPECT_EQ(c["imagePullPolicy"], "Never");
  EXPECT_EQ(c["command"][0], "/bin/sh");
  EXPECT_THAT(c["command"][2].get<std::string>(), HasSubstr("sleep 600"));
  EXPECT_EQ(c["volumeMounts"][0]["mountPath"], "/etc/kubernetes/pki/etcd");
  EXPECT_EQ(c["volumeMounts"][0]["readOnly"], true);
  EXPECT_EQ(spec["volumes"][0]["hostPath"]["path"], "/etc/kubernetes/pki/etcd");
}

TEST(ShellImageCandidates, LikelyShellsFirstPauseAndEtcdLeftOut) {
  auto node = nlohmann::json::parse(R"({"status":{"images":[
    {"names":["registry.k8s.io/kube-apiserver@sha256:aa","registry.k8s.io/kube-apiserver:v1.37.2"]},
    {"names":["registry.k8s.io/pause:3.10"]},
    {"names":["registry.k8s.io/etcd:3.6.8-0"]},
    {"names":["ghcr.io/flannel-io/flannel:v0.27.0"]},
    {"names":[]}, {"sizeBytes":1}, "junk"]}})");
  EXPECT_EQ(ShellImageCandidates(node, "registry.k8s.io/etcd:3.6.8-0"),
            (std::vector<std::string>{"ghcr.io/flannel-io/flannel:v0.27.0", "registry.k8s.io/kube-apiserver:v1.37.2"}));
  EXPECT_TRUE(ShellImageCandidates(nlohmann::json::object(), "").empty());
}

TEST(HelperPodStatus, States) {
  auto st = [](const char* j) { return HelperPodStatus(nlohmann::json::parse(j)); };
  EXPECT_EQ(st(R"({"status":{"phase":"Pending"}})").state, HelperState::kPending);
  EXPECT_EQ(st(R"({"status":{"containerStatuses":[{"state":{"waiting":{"reason":"ContainerCreating"}}}]}})").state,
            HelperState::kPending);
  EXPECT_EQ(st(R"({"status":{"containerStatuses":[{"state":{"running":{}}}]}})").state, HelperState::kRunning);
  auto failed = st(R"({"status":{"containerStatuses":[{"state":{"terminated":{"reason":"StartError",
      "message":"exec: \"/bin/sh\": stat /bin/sh: no such file or directory"}}}]}})");
  EXPECT_EQ(failed.state, HelperState::kFailed);
  EXPECT_THAT(failed.reason, HasSubstr("StartError"));
  EXPECT_EQ(st(R"({"status":{"containerStatuses":[{"state":{"waiting":{"reason":"ErrImageNeverPull"}}}]}})").state,
            HelperState::kFailed);
  EXPECT_EQ(st(R"({"status":{"phase":"Failed","message":"deadline"}})").state, HelperState::kFailed);
  EXPECT_EQ(st("null").state, HelperState::kPending);
}

TEST(AccessReview, RequestAndResult) {
  Access a{"create", "pods", "exec", "kube-system"};
  auto req = AccessReviewRequest(a);
  EXPECT_EQ(req["kind"], "SelfSubjectAccessReview");
  EXPECT_EQ(req["spec"]["resourceAttributes"]["subresource"], "exec");
  EXPECT_EQ(req["spec"]["resourceAttributes"]["namespace"], "kube-system");
  EXPECT_TRUE(AccessReviewResult(nlohmann::json::parse(R"({"status":{"allowed":true}})"), a).ok());
  auto no = AccessReviewResult(nlohmann::json::parse(R"({"status":{"allowed":false,"reason":"no rule"}})"), a);
  EXPECT_TRUE(absl::IsPermissionDenied(no));
  EXPECT_THAT(no.message(), HasSubstr("create pods/exec in namespace kube-system (no rule)"));
  EXPECT_TRUE(absl::IsPermissionDenied(AccessReviewResult(nlohmann::json::parse(R"({"status":{}})"), a)));
  EXPECT_TRUE(absl::IsUnavailable(AccessReviewResult(nlohmann::json::parse("[]"), a)));
}

}  // namespace
}  // namespace ketcd::remote
