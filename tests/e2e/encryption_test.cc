// Encryption at rest end to end: the real kube-apiserver encrypts Secrets and ConfigMaps with
// aescbc, aesgcm or secretbox (--encryption-provider-config); objects created with the real
// kubectl; a snapshot taken; `kubectl etcd get --encryption-config` must print exactly what
// `kubectl get` prints, and without the keys name each encrypted object's provider and key.
#include <gtest/gtest.h>

#include "tests/e2e/kube_cluster.h"

namespace ketcd::e2e {
namespace {

using Json = nlohmann::json;

const char kObjects[] = R"(apiVersion: v1
kind: Namespace
metadata: {name: demo}
---
apiVersion: v1
kind: Secret
metadata: {name: creds, namespace: demo, labels: {app: web}}
type: Opaque
stringData: {password: hunter2, "config.ini": "[db]\nhost = x\n"}
---
apiVersion: v1
kind: Secret
metadata: {name: registry, namespace: demo}
type: kubernetes.io/dockerconfigjson
data: {.dockerconfigjson: eyJhdXRocyI6e319}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: demo}
data: {mode: fast}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: demo}
spec: {selector: {app: web}, ports: [{port: 80}]}
)";

// The API server's configuration file, as the pod sees it (the pki dir is mounted).
constexpr char kPodPath[] = "/etc/kubernetes/pki/encryption.yaml";
constexpr char kKey[] = "c2VjcmV0IGlzIHNlY3JldCBpcyBzZWNyZXQgaXMgMzI=";    // 32 bytes
constexpr char kOther[] = "b3RoZXIga2V5IG90aGVyIGtleSBvdGhlciBrZXkgMzI=";  // 32 bytes

std::string Config(const std::string& provider, const std::string& secret) {
  return "apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n"
         "- resources: [secrets, configmaps]\n  providers:\n  - " +
         provider + ":\n      keys:\n      - {name: k1, secret: \"" + secret + "\"}\n  - identity: {}\n";
}

class EncryptionE2e : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    provider_ = GetParam();
    cluster_.Start({std::string("--encryption-provider-config=") + kPodPath}, {{kPodPath, Config(provider_, kKey)}});
    cluster_.Apply(kObjects);
    snap_ = cluster_.Snapshot("snap.db");
    config_ = cluster_.node().R(kPodPath);
  }

  // `get` of the snapshot against `kubectl get` of the cluster, item by item.
  void ExpectSameAsLive(const std::string& resource, const CommandResult& ours) {
    ASSERT_EQ(ours.exit_code, 0) << ours.err;
    CommandResult live = cluster_.Live({"get", resource, "-n", "demo", "-o", "json", "--show-managed-fields"});
    ASSERT_EQ(live.exit_code, 0) << live.err;
    std::map<std::string, Json> want = ByName(live.out), got = ByName(ours.out);
    ASSERT_FALSE(want.empty());
    EXPECT_EQ(got.size(), want.size()) << ours.out;
    for (const auto& [name, item] : want) {
      ASSERT_TRUE(got.count(name)) << resource << "/" << name << " missing\n" << ours.err;
      EXPECT_EQ(got[name], item) << name << ": " << Json::diff(got[name], item).dump();
    }
  }

  std::string provider_, snap_, config_;
  KubeCluster cluster_;
};

TEST_P(EncryptionE2e, GetDecryptsAsTheApiServer) {
  // The values in etcd are really encrypted with this provider (the test could not pass otherwise).
  std::string stored = cluster_.node().Get("/registry/secrets/demo/creds");
  EXPECT_EQ(stored.rfind("k8s:enc:" + provider_ + ":v1:k1:", 0), 0u) << stored.substr(0, 40);
  EXPECT_EQ(stored.find("hunter2"), std::string::npos);

  for (const char* resource : {"secrets", "configmaps", "services"}) {
    ExpectSameAsLive(resource, RunKubectlEtcd({"get", snap_, resource, "-n", "demo", "-o", "json",
                                               "--show-managed-fields", "--encryption-config", config_}));
  }
  // The same configuration found through the kube-apiserver manifest of the host.
  CommandResult found =
      cluster_.node().Kubectl({"get", snap_, "secrets", "-n", "demo", "-o", "json", "--show-managed-fields"});
  ExpectSameAsLive("secrets", found);
  EXPECT_NE(found.err.find("note: decrypting with " + config_), std::string::npos) << found.err;

  // YAML too (this project quotes every string; the values are the API server's).
  CommandResult yaml =
      RunKubectlEtcd({"get", snap_, "secret/creds", "-n", "demo", "-o", "yaml", "--encryption-config", config_});
  EXPECT_EQ(yaml.exit_code, 0) << yaml.err;
  EXPECT_NE(yaml.out.find("  password: \"aHVudGVyMg==\"\n"), std::string::npos) << yaml.out;
  EXPECT_EQ(yaml.err, "");
}

TEST_P(EncryptionE2e, WithoutTheKeyEachEncryptedObjectIsNamed) {
  CommandResult none = RunKubectlEtcd({"get", snap_, "secrets", "-n", "demo", "-o", "json"});
  EXPECT_EQ(none.exit_code, 0) << none.err;
  EXPECT_TRUE(Json::parse(none.out)["items"].empty()) << none.out;
  for (const char* name : {"creds", "registry"}) {
    EXPECT_NE(
        none.err.find(std::string("secrets demo/") + name + ": encrypted at rest (provider " + provider_ + ", key k1)"),
        std::string::npos)
        << none.err;
  }
  EXPECT_NE(none.err.find("note: 2 objects are encrypted at rest: pass --encryption-config"), std::string::npos)
      << none.err;
  EXPECT_EQ(none.err.find(kKey), std::string::npos);

  CommandResult table = RunKubectlEtcd({"get", snap_, "-n", "demo"});
  EXPECT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("<encrypted: " + provider_ + ", key k1>"), std::string::npos) << table.out;

  // Another key of the same name: a warning per object, never garbage or a crash.
  Put(cluster_.dir().Sub("other.yaml"), Config(provider_, kOther));
  CommandResult wrong = RunKubectlEtcd(
      {"get", snap_, "secrets", "-n", "demo", "-o", "json", "--encryption-config", cluster_.dir().Sub("other.yaml")});
  EXPECT_EQ(wrong.exit_code, 0) << wrong.err;
  EXPECT_TRUE(Json::parse(wrong.out)["items"].empty()) << wrong.out;
  EXPECT_NE(wrong.err.find("secrets demo/creds: encrypted at rest, not decrypted: " + provider_ + " key \"k1\""),
            std::string::npos)
      << wrong.err;

  CommandResult bad = RunKubectlEtcd({"get", snap_, "--encryption-config", snap_});
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  CommandResult missing = RunKubectlEtcd({"get", snap_, "--encryption-config", cluster_.dir().Sub("nope.yaml")});
  EXPECT_EQ(missing.exit_code, 6) << missing.err;
}

INSTANTIATE_TEST_SUITE_P(Providers, EncryptionE2e, ::testing::Values("aescbc", "aesgcm", "secretbox"),
                         [](const auto& p) { return std::string(p.param); });

}  // namespace
}  // namespace ketcd::e2e
