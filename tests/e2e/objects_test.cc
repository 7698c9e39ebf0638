// `kubectl etcd get` against what the real kube-apiserver serves: objects created through
// the API with the real kubectl, a snapshot taken, then each type printed from the snapshot
// compared item by item with `kubectl get` from the live cluster (managed fields shown on
// both sides; list metadata aside, nothing is expected to differ).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/e2e/kube_cluster.h"

namespace ketcd::e2e {
namespace {

using Json = nlohmann::json;

const char kObjects[] = R"(apiVersion: v1
kind: Namespace
metadata: {name: demo, labels: {team: a}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: demo, annotations: {note: "x<y&z"}}
data: {mode: fast, "multi.txt": "line 1\nline 2\n"}
binaryData: {blob: AAECAw==}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: frozen, namespace: demo}
immutable: true
---
apiVersion: v1
kind: Secret
metadata: {name: creds, namespace: demo}
type: Opaque
stringData: {password: hunter2}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: demo}
spec:
  replicas: 0
  selector: {matchLabels: {app: web}}
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 25%, maxUnavailable: 1}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        ports: [{containerPort: 80, name: http}]
        resources: {limits: {cpu: 500m, memory: 128Mi}}
        readinessProbe: {httpGet: {path: /, port: http}, periodSeconds: 5}
      volumes: [{name: cache, emptyDir: {sizeLimit: 1Gi}}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: demo}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}, {name: alt, port: 8080, targetPort: 8080}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: demo-reader}
rules:
- {apiGroups: [""], resources: [configmaps, secrets], verbs: [get, list]}
- {nonResourceURLs: [/healthz], verbs: [get]}
)";

class ObjectsE2e : public ::testing::Test {
 protected:
  void SetUp() override {
    certs_ = MakeCerts(dir_.Sub("certs"));
    node_ = std::make_unique<Node>(VersionByName("3.6"), certs_, "cp1");
    node_->WriteEtcd("1.35", "cp1=" + node_->PeerUrl());
    node_->WriteControlPlane(ApiServer::kReal);
    node_->StartKubelet();
    ASSERT_TRUE(node_->WaitEtcd(30)) << FileContents(node_->R("/var/log/pods/etcd.yaml.log"));
    ASSERT_TRUE(node_->WaitApiServer(90)) << FileContents(node_->R("/var/log/pods/kube-apiserver.yaml.log"));
    kubectl_ = KubectlBinary();
    Put(dir_.Sub("objects.yaml"), kObjects);
    CommandResult r = Live({"apply", "-f", dir_.Sub("objects.yaml")});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    snap_ = dir_.Sub("snap.db");
    r = node_->Kubectl({"backup", snap_});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }

  CommandResult Live(std::vector<std::string> args) {
    args.insert(args.begin(), {kubectl_, "--kubeconfig", node_->R("/etc/kubernetes/admin.conf")});
    return e2e::Run(args, {}, 60);
  }

  // The same `get` from the snapshot and from the live cluster, as JSON lists by name.
  void Compare(const std::string& resource, const std::vector<std::string>& scope) {
    std::vector<std::string> ours = {"get", snap_, resource, "-o", "json", "--show-managed-fields"};
    std::vector<std::string> live = {"get", resource, "-o", "json", "--show-managed-fields"};
    ours.insert(ours.end(), scope.begin(), scope.end());
    live.insert(live.end(), scope.begin(), scope.end());
    CommandResult o = RunKubectlEtcd(ours);
    ASSERT_EQ(o.exit_code, 0) << o.err;
    CommandResult l = Live(live);
    ASSERT_EQ(l.exit_code, 0) << l.err;
    std::map<std::string, Json> want = ByName(l.out), got = ByName(o.out);
    ASSERT_FALSE(want.empty()) << resource;
    EXPECT_EQ(got.size(), want.size()) << resource;
    for (const auto& [name, item] : want) {
      ASSERT_TRUE(got.count(name)) << resource << "/" << name << " missing from the snapshot's output";
      EXPECT_EQ(got[name], item) << resource << "/" << name << ": " << Json::diff(got[name], item).dump();
    }
  }

  TempDir dir_;
  TestCerts certs_;
  std::unique_ptr<Node> node_;
  std::string kubectl_, snap_;
};

TEST_F(ObjectsE2e, GetEqualsTheApiServer) {
  Compare("configmaps", {"-n", "demo"});
  Compare("secrets", {"-n", "demo"});
  Compare("deployments", {"-n", "demo"});
  Compare("svc", {"-n", "demo"});
  Compare("namespaces", {});
  Compare("clusterroles.rbac.authorization.k8s.io", {});
  Compare("cm", {"-n", "kube-system"});

  // One object: the object itself, not a List; managed fields hidden as kubectl hides them.
  CommandResult one = RunKubectlEtcd({"get", snap_, "cm/settings", "-n", "demo", "-o", "json"});
  ASSERT_EQ(one.exit_code, 0) << one.err;
  CommandResult live = Live({"get", "cm/settings", "-n", "demo", "-o", "json"});
  EXPECT_EQ(Json::parse(one.out), Json::parse(live.out));

  CommandResult names = RunKubectlEtcd({"get", snap_, "deploy", "-n", "demo", "-o", "name"});
  EXPECT_EQ(names.out, Live({"get", "deploy", "-n", "demo", "-o", "name"}).out);
  names = RunKubectlEtcd({"get", snap_, "clusterrole/demo-reader", "-o", "name"});
  EXPECT_EQ(names.out, "clusterrole.rbac.authorization.k8s.io/demo-reader\n");

  // Everything the API server stored (its bootstrap objects too: flow control, RBAC, leases,
  // APIServices as JSON...) decodes: no warning.
  CommandResult all = RunKubectlEtcd({"get", snap_, "-A", "-o", "json"});
  EXPECT_EQ(all.exit_code, 0) << all.err;
  EXPECT_EQ(all.err, "");
  EXPECT_GT(Json::parse(all.out)["items"].size(), 100u);

  // Table: every object of the namespace, one table per type; NotFound for a missing name.
  CommandResult table = RunKubectlEtcd({"get", snap_, "-n", "demo"});
  EXPECT_EQ(table.exit_code, 0) << table.err;
  EXPECT_EQ(table.out.rfind("NAME ", 0), 0u) << table.out;
  for (const char* kind : {"\ndeployment.apps/web ", "\nservice/web ", "\nsecret/creds ", "\nconfigmap/settings "}) {
    EXPECT_NE(table.out.find(kind), std::string::npos) << kind << "\n" << table.out;
  }
  CommandResult missing = RunKubectlEtcd({"get", snap_, "cm/nope", "-n", "demo"});
  EXPECT_EQ(missing.exit_code, 6) << missing.err;
}

}  // namespace
}  // namespace ketcd::e2e
