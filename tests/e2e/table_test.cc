// `kubectl etcd get`'s tables against the real kubectl's: objects of many types created
// through the real kube-apiserver, a snapshot taken, then for each type the table printed
// from the snapshot compared with `kubectl get` of the live cluster (plain, -o wide, -A):
// the same header and every cell, except the ages (a second may pass between the two).
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "tests/e2e/kube_cluster.h"

namespace ketcd::e2e {
namespace {

const char kObjects[] = R"(apiVersion: v1
kind: Namespace
metadata: {name: demo}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: demo}
data: {mode: fast, "multi.txt": "line 1\nline 2\n"}
binaryData: {blob: AAECAw==}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: empty, namespace: demo}
---
apiVersion: v1
kind: Secret
metadata: {name: creds, namespace: demo}
type: Opaque
stringData: {password: hunter2, user: admin}
---
apiVersion: v1
kind: Secret
metadata: {name: tls, namespace: demo}
type: kubernetes.io/tls
data: {tls.crt: "", tls.key: ""}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: robot, namespace: demo}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: demo}
spec:
  selector: {app: web, tier: front}
  ports: [{name: http, port: 80, targetPort: 8080}, {name: dns, port: 53, protocol: UDP}]
---
apiVersion: v1
kind: Service
metadata: {name: nodeport, namespace: demo}
spec:
  type: NodePort
  selector: {app: web}
  externalIPs: [192.0.2.10]
  ports: [{port: 443, nodePort: 30443}]
---
apiVersion: v1
kind: Service
metadata: {name: external, namespace: demo}
spec: {type: ExternalName, externalName: db.example.com}
---
apiVersion: v1
kind: Service
metadata: {name: headless, namespace: demo}
spec: {clusterIP: None, selector: {app: db}}
---
apiVersion: v1
kind: Endpoints
metadata: {name: headless, namespace: demo}
subsets:
- addresses: [{ip: 10.1.0.1}, {ip: 10.1.0.2}]
  ports: [{port: 5432}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: demo}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
    matchExpressions: [{key: tier, operator: In, values: [front, edge]}]
  template:
    metadata: {labels: {app: web, tier: front}}
    spec:
      containers:
      - {name: web, image: "nginx:1.27"}
      - {name: log, image: "busybox:1.36"}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: demo}
spec:
  replicas: 1
  serviceName: headless
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: pg, image: "postgres:17"}]}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: demo}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      nodeSelector: {kubernetes.io/os: linux}
      containers: [{name: agent, image: "busybox:1.36"}]
---
apiVersion: batch/v1
kind: Job
metadata: {name: once, namespace: demo}
spec:
  parallelism: 2
  template:
    spec:
      restartPolicy: Never
      containers: [{name: c, image: "busybox:1.36"}]
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly, namespace: demo}
spec:
  schedule: "0 3 * * *"
  timeZone: Etc/UTC
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers: [{name: c, image: "busybox:1.36"}]
---
apiVersion: v1
kind: Pod
metadata: {name: lonely, namespace: demo}
spec:
  serviceAccountName: robot
  automountServiceAccountToken: false
  initContainers: [{name: init, image: "busybox:1.36"}]
  containers: [{name: app, image: "busybox:1.36"}, {name: side, image: "busybox:1.36"}]
  readinessGates: [{conditionType: example.com/ready}]
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data, namespace: demo}
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: standard
  resources: {requests: {storage: 1Gi}}
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: pv1}
spec:
  capacity: {storage: 5Gi}
  accessModes: [ReadWriteOnce, ReadOnlyMany]
  persistentVolumeReclaimPolicy: Retain
  hostPath: {path: /tmp/pv1}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: site, namespace: demo}
spec:
  rules:
  - host: a.example.com
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}
  - host: b.example.com
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}
  tls: [{hosts: [a.example.com]}]
---
apiVersion: coordination.k8s.io/v1
kind: Lease
metadata: {name: leader, namespace: demo}
spec: {holderIdentity: node-a}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader, namespace: demo}
rules: [{apiGroups: [""], resources: [configmaps], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: read, namespace: demo}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
subjects:
- {kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}
- {kind: Group, name: devs, apiGroup: rbac.authorization.k8s.io}
- {kind: ServiceAccount, name: robot, namespace: demo}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              size: {type: integer}
              color: {type: string}
              enabled: {type: boolean}
              parts: {type: array, items: {type: object, properties: {name: {type: string}}}}
    additionalPrinterColumns:
    - {name: Size, type: integer, jsonPath: .spec.size}
    - {name: Color, type: string, jsonPath: .spec.color}
    - {name: First, type: string, jsonPath: ".spec.parts[0].name"}
    - {name: Enabled, type: boolean, jsonPath: .spec.enabled, priority: 1}
    - {name: Age, type: date, jsonPath: .metadata.creationTimestamp}
)";

const char kNode[] = R"(apiVersion: v1
kind: Node
metadata:
  name: worker-1
  labels: {node-role.kubernetes.io/worker: "", kubernetes.io/role: edge}
spec: {unschedulable: true}
)";

const char kWidgets[] = R"(apiVersion: example.com/v1
kind: Widget
metadata: {name: big, namespace: demo}
spec: {size: 3, color: blue, enabled: true, parts: [{name: bolt}, {name: nut}]}
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: bare, namespace: demo}
spec: {}
)";

// A table's cells by the header's column starts (cells are left-aligned on them), the
// age-like cells of columns named in `loose` replaced by "~".
std::vector<std::vector<std::string>> Cells(const std::string& text, const std::set<std::string>& loose) {
  std::vector<std::string> lines = absl::StrSplit(text, '\n', absl::SkipEmpty());
  std::vector<std::vector<std::string>> out;
  if (lines.empty()) return out;
  std::vector<size_t> starts;
  std::vector<std::string> names;
  for (size_t i = 0; i < lines[0].size();) {
    starts.push_back(i);
    size_t end = lines[0].find("   ", i);
    if (end == std::string::npos) end = lines[0].size();
    names.push_back(lines[0].substr(i, end - i));
    i = lines[0].find_first_not_of(' ', end);
    if (i == std::string::npos) break;
  }
  out.push_back(names);
  for (size_t l = 1; l < lines.size(); l++) {
    std::vector<std::string> row;
    for (size_t c = 0; c < starts.size(); c++) {
      const std::string& line = lines[l];
      std::string cell =
          starts[c] < line.size()
              ? line.substr(starts[c], c + 1 < starts.size() ? starts[c + 1] - starts[c] : std::string::npos)
              : "";
      cell = std::string(absl::StripTrailingAsciiWhitespace(cell));
      if (loose.count(names[c]) && !cell.empty() && cell != "<unknown>" && cell != "<none>") cell = "~";
      row.push_back(cell);
    }
    out.push_back(row);
  }
  return out;
}

class TableE2e : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster_.Start();
    cluster_.Apply(kObjects);
    CommandResult r =
        cluster_.Live({"wait", "--for=condition=Established", "crd/widgets.example.com", "--timeout=60s"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    cluster_.Apply(kWidgets);
    cluster_.Apply(kNode);
    snap_ = cluster_.Snapshot("snap.db");
  }

  // `kubectl etcd get SNAP args...` and `kubectl get args...`: the same table but the ages.
  void Compare(std::vector<std::string> args) {
    SCOPED_TRACE(absl::StrJoin(args, " "));
    std::vector<std::string> ours = {"get", snap_};
    ours.insert(ours.end(), args.begin(), args.end());
    CommandResult o = RunKubectlEtcd(ours);
    ASSERT_EQ(o.exit_code, 0) << o.err;
    args.insert(args.begin(), "get");
    CommandResult l = cluster_.Live(args);
    ASSERT_EQ(l.exit_code, 0) << l.err;
    ASSERT_FALSE(l.out.empty()) << l.err;  // every type compared has objects
    const std::set<std::string> loose = {"AGE", "DURATION", "LAST SCHEDULE"};
    auto want = Cells(l.out, loose), got = Cells(o.out, loose);
    EXPECT_EQ(got, want) << "ours:\n" << o.out << "kubectl:\n" << l.out;
    // kubectl's own warnings aside ("Warning: v1 Endpoints is deprecated...").
    std::vector<std::string> warnings = absl::StrSplit(l.err, '\n', absl::SkipEmpty());
    std::erase_if(warnings, [](const std::string& w) { return w.starts_with("Warning: "); });
    EXPECT_EQ(o.err, absl::StrJoin(warnings, "\n"));
  }

  KubeCluster cluster_;
  std::string snap_;
};

TEST_F(TableE2e, EveryTypeAsKubectlPrintsIt) {
  for (const char* type :
       {"configmaps", "secrets", "serviceaccounts", "services", "endpoints", "deployments", "statefulsets",
        "daemonsets", "jobs", "cronjobs", "pods", "pvc", "ingresses", "leases", "roles", "rolebindings", "widgets"}) {
    Compare({type, "-n", "demo"});
    Compare({type, "-n", "demo", "-o", "wide"});
  }
  for (const char* type : {"namespaces", "pv", "clusterroles", "clusterrolebindings", "crd", "nodes"}) {
    Compare({type});
    Compare({type, "-o", "wide"});
  }
  for (const char* type : {"configmaps", "services", "deployments", "pods", "widgets", "leases", "namespaces"}) {
    Compare({type, "-A"});
    Compare({type, "-A", "-o", "wide"});
  }
  Compare({"apiservices"});
  Compare({"cm,secrets,deploy", "-n", "demo"});
}

TEST_F(TableE2e, EveryTypeOfANamespaceInItsOwnTable) {
  CommandResult all = RunKubectlEtcd({"get", snap_, "-n", "demo"});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  // One table per type, a blank line between them, names as kind.group/name.
  for (const char* part : {"\nconfigmap/settings ", "\n\nNAME", "deployment.apps/web", "widget.example.com/big",
                           "role.rbac.authorization.k8s.io/reader"}) {
    EXPECT_NE(all.out.find(part), std::string::npos) << part << "\n" << all.out;
  }
  EXPECT_EQ(all.out.find("NAMESPACE"), std::string::npos) << all.out;
}

}  // namespace
}  // namespace ketcd::e2e
