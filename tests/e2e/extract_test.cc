// `kubectl etcd extract` and `diff` against the real kube-apiserver and kubectl: a namespace
// with ConfigMaps, Secrets, a Service, a Deployment, RBAC and custom resources is
// snapshotted, changed (diff must report exactly those changes), deleted, and re-created
// with `extract FILE -n demo | kubectl apply -f -`; every object must come back as it was.
// No controller manager runs: the Deployment has no pods, and the namespace is finalized by
// hand after its objects are deleted.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "tests/e2e/kube_cluster.h"

namespace ketcd::e2e {
namespace {

using Json = nlohmann::json;

const char kCrd[] = R"(apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: crontabs.stable.example.com}
spec:
  group: stable.example.com
  scope: Namespaced
  names: {plural: crontabs, singular: crontab, kind: CronTab}
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: {type: object, x-kubernetes-preserve-unknown-fields: true}
          status: {type: object, x-kubernetes-preserve-unknown-fields: true}
)";

const char kObjects[] = R"(apiVersion: v1
kind: Namespace
metadata: {name: demo, labels: {team: a}}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: builder, namespace: demo}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: demo, labels: {app: web}}
data: {mode: fast, "multi.txt": "line 1\nline 2\n"}
---
apiVersion: v1
kind: Secret
metadata: {name: creds, namespace: demo}
type: Opaque
stringData: {password: hunter2}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: demo}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: 8080}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: demo}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      serviceAccountName: builder
      containers: [{name: web, image: nginx:1.27, ports: [{containerPort: 8080}]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader, namespace: demo}
rules: [{apiGroups: [""], resources: [configmaps], verbs: [get, list]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: reader, namespace: demo}
subjects: [{kind: ServiceAccount, name: builder, namespace: demo}]
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
---
apiVersion: stable.example.com/v1
kind: CronTab
metadata: {name: nightly, namespace: demo}
spec: {cronSpec: "0 3 * * *", image: backup:1}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: kube-root-ca.crt, namespace: demo}
data: {ca.crt: "published by the controller manager in a real cluster"}
---
apiVersion: v1
kind: Event
metadata: {name: web.1, namespace: demo}
involvedObject: {kind: Deployment, name: web, namespace: demo}
reason: Test
message: an event
)";

const char kKinds[] = "namespaces,serviceaccounts,configmaps,secrets,services,deployments,roles,rolebindings,crontabs";

// An object without what the API server sets, for comparing before and after.
Json Content(Json o) {
  Json& meta = o["metadata"];
  for (const char* f : {"uid", "resourceVersion", "creationTimestamp", "managedFields", "generation"}) meta.erase(f);
  if (meta.contains("annotations")) {
    meta["annotations"].erase("kubectl.kubernetes.io/last-applied-configuration");
    if (meta["annotations"].empty()) meta.erase("annotations");
  }
  o.erase("status");
  return o;
}

class ExtractE2e : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster_.Start();
    cluster_.Apply(kCrd);
    CommandResult w = cluster_.Live({"wait", "--for", "condition=established", "crd/crontabs.stable.example.com"});
    ASSERT_EQ(w.exit_code, 0) << w.err;
    cluster_.Apply(kObjects);
  }

  std::map<std::string, Json> LiveDemo(const std::string& kinds = kKinds) {
    CommandResult r = cluster_.Live({"get", kinds, "-n", "demo", "-o", "json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::map<std::string, Json> out;
    Json list = Json::parse(r.out, nullptr, false);
    for (const Json& item : list["items"]) {
      if (item["metadata"]["name"] == "demo" || item["metadata"].value("namespace", "") == "demo") {
        out[item["kind"].get<std::string>() + "/" + item["metadata"]["name"].get<std::string>()] = item;
      }
    }
    return out;
  }

  // Deletes namespace demo without a controller manager: its objects one by one, then the
  // namespace's finalizer through /finalize.
  void DeleteDemo() {
    ASSERT_EQ(cluster_.Live({"delete", "namespace", "demo", "--wait=false"}).exit_code, 0);
    CommandResult d = cluster_.Live({"delete", std::string(kKinds).substr(11) + ",events", "--all", "-n", "demo"});
    ASSERT_EQ(d.exit_code, 0) << d.err;
    Json ns = Json::parse(cluster_.Live({"get", "namespace", "demo", "-o", "json"}).out);
    ns["spec"]["finalizers"] = Json::array();
    CommandResult f = cluster_.Live({"replace", "--raw", "/api/v1/namespaces/demo/finalize", "-f", "-"}, ns.dump());
    ASSERT_EQ(f.exit_code, 0) << f.err;
    for (int i = 0; i < 100 && cluster_.Live({"get", "namespace", "demo"}).exit_code == 0; i++) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ASSERT_NE(cluster_.Live({"get", "namespace", "demo"}).exit_code, 0) << "namespace demo is still there";
  }

  KubeCluster cluster_;
};

TEST_F(ExtractE2e, DiffThenDeleteAndApplyTheExtract) {
  std::map<std::string, Json> before = LiveDemo();
  ASSERT_EQ(before.size(), 10u);  // the kinds above, and kube-root-ca.crt
  std::string snap1 = cluster_.Snapshot("snap1.db");
  // CRDs are stored as v1beta1 and served as v1: get prints what kubectl get prints.
  CommandResult crd = RunKubectlEtcd({"get", snap1, "crd/crontabs.stable.example.com", "-o", "json"});
  ASSERT_EQ(crd.exit_code, 0) << crd.err;
  Json ours = Json::parse(crd.out),
       live = Json::parse(cluster_.Live({"get", "crd/crontabs.stable.example.com", "-o", "json"}).out);
  ours["metadata"].erase("resourceVersion");
  live["metadata"].erase("resourceVersion");
  EXPECT_EQ(ours, live) << Json::diff(ours, live);

  // Scripted changes, then exactly those from diff.
  ASSERT_EQ(cluster_.Live({"scale", "deployment/web", "-n", "demo", "--replicas=3"}).exit_code, 0);
  ASSERT_EQ(cluster_.Live({"patch", "secret/creds", "-n", "demo", "-p", R"({"stringData":{"password":"swordfish"}})"})
                .exit_code,
            0);
  ASSERT_EQ(cluster_.Live({"create", "configmap", "added", "-n", "demo", "--from-literal=a=1"}).exit_code, 0);
  ASSERT_EQ(cluster_.Live({"delete", "role/reader", "-n", "demo"}).exit_code, 0);
  std::string snap2 = cluster_.Snapshot("snap2.db");
  CommandResult diff = RunKubectlEtcd({"diff", snap1, snap2, "-n", "demo", "-o", "json", "--show-fields"});
  ASSERT_EQ(diff.exit_code, 0) << diff.err;
  Json d = Json::parse(diff.out);
  std::vector<std::string> changes;
  for (const Json& c : d["changes"])
    changes.push_back(c["change"].get<std::string>() + " " + c["resource"].get<std::string>() + " " +
                      c["name"].get<std::string>());
  EXPECT_EQ(changes, (std::vector<std::string>{"added configmaps added", "changed deployments web",
                                               "removed roles reader", "changed secrets creds"}))
      << diff.out;
  EXPECT_EQ(diff.out.find("hunter2"), std::string::npos);
  EXPECT_EQ(diff.out.find("c3dvcmRmaXNo"), std::string::npos);  // base64 of the new password
  CommandResult fields = RunKubectlEtcd({"diff", snap1, snap2, "deployments", "-n", "demo", "--show-fields"});
  EXPECT_EQ(fields.out,
            "changed deployments.apps demo/web\n    .metadata.generation: 1 → 2\n    .spec.replicas: 1 → 3\n")
      << fields.err;
  CommandResult same = RunKubectlEtcd({"diff", snap1, snap1});
  EXPECT_EQ(same.out, "");
  EXPECT_EQ(same.err, "No differences.\n");

  DeleteDemo();
  CommandResult extract = RunKubectlEtcd({"extract", snap1, "-n", "demo"});
  ASSERT_EQ(extract.exit_code, 0) << extract.err;
  EXPECT_NE(extract.err.find("skipped 2 objects the cluster re-creates itself: Events (1); kube-root-ca.crt "
                             "ConfigMaps (1);"),
            std::string::npos)
      << extract.err;
  EXPECT_EQ(extract.out.rfind("apiVersion: \"v1\"\nkind: \"Namespace\"\n", 0), 0u) << extract.out.substr(0, 200);
  CommandResult apply = cluster_.Live({"apply", "-f", "-"}, extract.out);
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;

  std::map<std::string, Json> after = LiveDemo();
  before.erase("ConfigMap/kube-root-ca.crt");
  EXPECT_EQ(after.size(), before.size());
  for (const auto& [name, item] : before) {
    ASSERT_TRUE(after.count(name)) << name << " was not re-created\n" << apply.out;
    EXPECT_EQ(Content(after[name]), Content(item)) << name << ": " << Json::diff(Content(item), Content(after[name]));
    EXPECT_NE(after[name]["metadata"]["uid"], item["metadata"]["uid"]) << name << " was never deleted";
  }
  // Only what was asked for: no Namespace then.
  CommandResult some = RunKubectlEtcd({"extract", snap1, "-n", "demo", "cm", "-o", "json"});
  ASSERT_EQ(some.exit_code, 0) << some.err;
  EXPECT_EQ(Json::parse(some.out)["items"].size(), 1u) << some.out;
  EXPECT_EQ(RunKubectlEtcd({"extract", snap1, "-n", "nope"}).exit_code, 6);
  EXPECT_EQ(RunKubectlEtcd({"extract", snap1}).exit_code, 2);
}

}  // namespace
}  // namespace ketcd::e2e
