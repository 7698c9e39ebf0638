// `get`, `extract` and `diff` on a small database: each output format, encrypted values, odd
// custom resources. --host-root points nowhere, so no encryption config of this host is read.
#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "cmd/kubectl-etcd/command.h"
#include "pkg/snapshot/objects_test_util.h"

namespace ketcd::cmd {
namespace {

class GetCmdTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = ::testing::TempDir() + "/get_" + std::to_string(::getpid()) + ".db";
    snapshot::testing::WriteKeyDb(
        path_, {{"/registry/configmaps/demo/a",
                 k8sobjects::StoredText("v1", "ConfigMap", R"pb(metadata {
                                                                  name: "a"
                                                                  namespace: "demo"
                                                                  creationTimestamp { seconds: 1 }
                                                                })pb")},
                {"/registry/configmaps/demo/b",
                 k8sobjects::StoredText("v1", "ConfigMap", R"pb(metadata { name: "b" namespace: "demo" })pb")},
                {"/registry/secrets/demo/s", "k8s:enc:aescbc:v1:key1:xxxx"},
                {"/registry/example.com/widgets/demo/w",
                 R"({"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w","creationTimestamp":5}})"},
                {"/registry/apiregistration.k8s.io/apiservices/v1beta1.metrics.k8s.io",
                 R"({"apiVersion":"apiregistration.k8s.io/v1","kind":"APIService",)"
                 R"("metadata":{"name":"v1beta1.metrics.k8s.io"},"spec":{"group":"metrics.k8s.io","version":"v1beta1",)"
                 R"("service":{"namespace":"kube-system","name":"metrics-server"}},"status":{"conditions":[)"
                 R"({"type":"Available","status":"False","reason":"MissingEndpoints"}]}})"},
                {"/registry/apiregistration.k8s.io/apiservices/v1.apps",
                 R"({"apiVersion":"apiregistration.k8s.io/v1","kind":"APIService",)"
                 R"("metadata":{"name":"v1.apps"},"spec":{"group":"apps","version":"v1"}})"},
                {"/registry/configmaps/demo/b", ""}});
  }
  void TearDown() override { ::unlink(path_.c_str()); }

  absl::Status Get(std::vector<std::string> args) { return Run("get", RunGet, args); }
  absl::Status Run(const char* command, absl::Status (*run)(Invocation&), std::vector<std::string> args) {
    out_.str("");
    err_.str("");
    args.insert(args.begin(), path_);
    args.insert(args.end(), {"--host-root", "/nonexistent-host-root"});
    Invocation inv{"kubectl etcd", command, args, out_, err_};
    return run(inv);
  }

  std::string path_;
  std::ostringstream out_, err_;
};

TEST_F(GetCmdTest, JsonListOfLiveObjects) {
  ASSERT_TRUE(Get({"cm", "-n", "demo", "-o", "json"}).ok()) << err_.str();
  auto list = nlohmann::json::parse(out_.str());
  EXPECT_EQ(list["kind"], "List");
  EXPECT_EQ(list["metadata"], nlohmann::json::parse(R"({"resourceVersion":""})"));
  ASSERT_EQ(list["items"].size(), 1u);  // b is deleted
  EXPECT_EQ(list["items"][0]["metadata"]["name"], "a");
  EXPECT_EQ(list["items"][0]["metadata"]["resourceVersion"], "1");
  EXPECT_EQ(out_.str().rfind("{\n    \"apiVersion\": \"v1\",\n    \"items\": [\n        {\n", 0), 0u) << out_.str();
}

TEST_F(GetCmdTest, EmptyListAndDefaultNamespace) {
  ASSERT_TRUE(Get({"cm", "-o", "json"}).ok());  // namespace "default": nothing there
  EXPECT_EQ(nlohmann::json::parse(out_.str())["items"], nlohmann::json::array());
  ASSERT_TRUE(Get({"cm"}).ok());
  EXPECT_EQ(err_.str(), "No resources found in default namespace.\n");
}

TEST_F(GetCmdTest, YamlNameAndSingleObject) {
  ASSERT_TRUE(Get({"configmaps", "-A", "-o", "yaml"}).ok());
  EXPECT_EQ(out_.str().rfind("apiVersion: \"v1\"\nitems:\n- apiVersion: \"v1\"\n  kind: \"ConfigMap\"\n", 0), 0u)
      << out_.str();
  EXPECT_TRUE(out_.str().ends_with("\nkind: \"List\"\nmetadata:\n  resourceVersion: \"\"\n")) << out_.str();
  ASSERT_TRUE(Get({"-n", "demo", "-o", "name"}).ok());  // with the cluster-scoped objects
  EXPECT_EQ(out_.str(),
            "apiservice.apiregistration.k8s.io/v1.apps\napiservice.apiregistration.k8s.io/v1beta1.metrics.k8s.io\n"
            "configmap/a\nwidget.example.com/w\nsecret/s\n");
  ASSERT_TRUE(Get({"cm/a", "-n", "demo", "-o", "json"}).ok());
  EXPECT_EQ(nlohmann::json::parse(out_.str())["kind"], "ConfigMap");
  EXPECT_EQ(Get({"cm/nope", "-n", "demo"}).code(), absl::StatusCode::kNotFound);
}

TEST_F(GetCmdTest, EncryptedAndOddObjectsInTheTable) {
  ASSERT_TRUE(Get({"-A"}).ok()) << err_.str();
  // One table per type, NAMESPACE first for namespaced types, names as kind.group/name.
  const std::string& t = out_.str();
  EXPECT_NE(t.find("\ndemo        configmap/a   0      "), std::string::npos) << t;
  EXPECT_NE(t.find("\ndemo        secret/s   <encrypted: aescbc, key key1>   "), std::string::npos) << t;
  EXPECT_NE(t.find("apiservice.apiregistration.k8s.io/v1.apps                  Local   "), std::string::npos) << t;
  EXPECT_NE(t.find("\n\nNAMESPACE   NAME "), std::string::npos) << t;
  // A custom resource whose creationTimestamp is not a string, with no CRD: NAME, AGE (empty).
  EXPECT_NE(t.find("\ndemo        widget.example.com/w   \n"), std::string::npos) << t;
  ASSERT_TRUE(Get({"secrets", "-n", "demo", "-o", "json"}).ok());
  EXPECT_EQ(err_.str(),
            "warning: secrets demo/s: encrypted at rest (provider aescbc, key key1)\n"
            "note: 1 object is encrypted at rest: pass --encryption-config with the kube-apiserver's "
            "--encryption-provider-config file to decrypt\n");
}

TEST_F(GetCmdTest, ExtractAndDiff) {
  ASSERT_TRUE(Run("extract", RunExtract, {"-n", "demo"}).ok()) << err_.str();
  EXPECT_EQ(out_.str(),
            "apiVersion: \"v1\"\nkind: \"ConfigMap\"\nmetadata:\n  name: \"a\"\n  namespace: \"demo\"\n---\n"
            "apiVersion: \"example.com/v1\"\nkind: \"Widget\"\nmetadata:\n  name: \"w\"\n");
  EXPECT_EQ(err_.str(),
            "warning: secrets demo/s left out: encrypted at rest (aescbc, key key1): pass --encryption-config\n");
  EXPECT_EQ(Run("extract", RunExtract, {"-n", "other"}).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Run("extract", RunExtract, {}).code(), absl::StatusCode::kInvalidArgument);

  ASSERT_TRUE(Run("diff", RunDiff, {path_, "-o", "json"}).ok()) << err_.str();
  EXPECT_EQ(nlohmann::json::parse(out_.str())["changes"], nlohmann::json::array());
  EXPECT_EQ(err_.str(), "No differences.\n");
  EXPECT_EQ(Run("diff", RunDiff, {}).code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(GetCmdTest, AggregatedApiIsNotInEtcd) {
  absl::Status s = Get({"pods.metrics.k8s.io", "-A"});
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_NE(s.message().find("APIService v1beta1.metrics.k8s.io, service kube-system/metrics-server"),
            std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find("not stored in etcd"), std::string::npos);
  // A group kube-apiserver serves itself ("Local") or one with no APIService: listed as usual.
  EXPECT_TRUE(Get({"widgets.example.com", "-A", "-o", "name"}).ok());
  EXPECT_EQ(out_.str(), "widget.example.com/w\n");
  // APIServices with kubectl's columns.
  ASSERT_TRUE(Get({"apiservices"}).ok());
  EXPECT_EQ(out_.str(),
            "NAME                     SERVICE                      AVAILABLE                  AGE\n"
            "v1.apps                  Local                        Unknown                    <unknown>\n"
            "v1beta1.metrics.k8s.io   kube-system/metrics-server   False (MissingEndpoints)   <unknown>\n");
}

TEST_F(GetCmdTest, WideAndSeveralTypes) {
  ASSERT_TRUE(Get({"cm,secrets", "-n", "demo", "-o", "wide"}).ok()) << err_.str();
  EXPECT_EQ(out_.str().rfind("NAME          DATA   AGE\nconfigmap/a   0      ", 0), 0u) << out_.str();
  EXPECT_NE(out_.str().find("\n\nNAME       TYPE"), std::string::npos) << out_.str();
  ASSERT_TRUE(Get({"cm", "-n", "demo"}).ok()) << err_.str();
  EXPECT_EQ(out_.str().rfind("NAME   DATA   AGE\na      0      ", 0), 0u) << out_.str();
}

TEST_F(GetCmdTest, BadArguments) {
  EXPECT_EQ(Get({"cm", "-n", "x", "-A"}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Get({"cm", "-o", "jsonpath"}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Get({"cm,", "-n", "demo"}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Get({"cm,secrets", "a"}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Get({"cm/a", "b"}).code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ketcd::cmd
