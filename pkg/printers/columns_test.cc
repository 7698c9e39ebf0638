// Rows of fixture objects, each checked against what printers.go gives for it.
#include "pkg/printers/columns.h"

#include <gtest/gtest.h>

#include <sstream>

#include "pkg/printers/table.h"

namespace ketcd::printers {
namespace {

constexpr int64_t kNow = 1767225600 + 3600;  // an hour after 2026-01-01T00:00:00Z
const RowOptions kWide{.now = kNow, .wide = true};

Row RowOf(const char* group, const char* resource, const char* json) {
  const TypeColumns& c = BuiltinColumns(group, resource);
  Row r = c.row(Json::parse(json), kWide);
  EXPECT_EQ(r.size(), c.columns.size()) << resource;
  return r;
}

TEST(ColumnsTest, PodStates) {
  // Pending, never scheduled: no statuses at all.
  EXPECT_EQ(RowOf("", "pods", R"({"metadata":{"name":"p","creationTimestamp":"2026-01-01T00:00:00Z"},
      "spec":{"containers":[{"name":"c"}]},"status":{"phase":"Pending"}})"),
            (Row{"p", "0/1", "Pending", "0", "60m", "<none>", "<none>", "<none>", "<none>"}));
  // Running with one ready container, one waiting in CrashLoopBackOff after 3 restarts.
  EXPECT_EQ(RowOf("", "pods", R"({"metadata":{"name":"p"},
      "spec":{"nodeName":"n1","containers":[{"name":"a"},{"name":"b"}],"readinessGates":[{"conditionType":"x"}]},
      "status":{"phase":"Running","podIPs":[{"ip":"10.0.0.5"}],"conditions":[{"type":"x","status":"True"}],
        "containerStatuses":[{"name":"a","ready":true,"state":{"running":{}}},
          {"name":"b","restartCount":3,"state":{"waiting":{"reason":"CrashLoopBackOff"}},
           "lastState":{"terminated":{"exitCode":1,"finishedAt":"2026-01-01T00:55:00Z"}}}]}})"),
            (Row{"p", "1/2", "CrashLoopBackOff", "3 (5m ago)", "<unknown>", "10.0.0.5", "n1", "<none>", "1/1"}));
  // Init containers: the second one still waiting.
  EXPECT_EQ(RowOf("", "pods", R"({"metadata":{"name":"p"},
      "spec":{"initContainers":[{"name":"i1"},{"name":"i2"}],"containers":[{"name":"c"}]},
      "status":{"phase":"Pending","initContainerStatuses":[
        {"name":"i1","state":{"terminated":{"exitCode":0}}},{"name":"i2","state":{"waiting":{}}}]}})")[2],
            "Init:1/2");
  // A sidecar (restartable init container) counts as a container; a completed pod.
  Row done = RowOf("", "pods", R"({"metadata":{"name":"p"},
      "spec":{"initContainers":[{"name":"s","restartPolicy":"Always"}],"containers":[{"name":"c"}]},
      "status":{"phase":"Succeeded","conditions":[{"type":"Initialized","status":"True"}],
        "containerStatuses":[{"name":"c","state":{"terminated":{"exitCode":0,"reason":"Completed"}}}]}})");
  EXPECT_EQ(done[1], "0/2");
  EXPECT_EQ(done[2], "Completed");
  // Being deleted.
  EXPECT_EQ(RowOf("", "pods", R"({"metadata":{"name":"p","deletionTimestamp":"2026-01-01T00:00:00Z"},
      "status":{"phase":"Running"}})")[2],
            "Terminating");
}

TEST(ColumnsTest, Controllers) {
  EXPECT_EQ(RowOf("apps", "deployments", R"({"metadata":{"name":"web"},"spec":{"replicas":3,
      "selector":{"matchLabels":{"app":"web"}},
      "template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1"},{"name":"side","image":"busybox"}]}}},
      "status":{"readyReplicas":2,"updatedReplicas":3,"availableReplicas":2}})"),
            (Row{"web", "2/3", "3", "2", "<unknown>", "nginx,side", "nginx:1,busybox", "app=web"}));
  EXPECT_EQ(RowOf("apps", "statefulsets", R"({"metadata":{"name":"db"},"spec":{"replicas":1}})"),
            (Row{"db", "0/1", "<unknown>", "", ""}));
  EXPECT_EQ(RowOf("batch", "jobs", R"({"metadata":{"name":"j"},"spec":{"parallelism":2},
      "status":{"succeeded":1,"startTime":"2026-01-01T00:00:00Z","completionTime":"2026-01-01T00:00:30Z",
      "conditions":[{"type":"Complete","status":"True"}]}})")[1],
            "Complete");
  Row cron =
      RowOf("batch", "cronjobs", R"({"metadata":{"name":"c"},"spec":{"schedule":"*/5 * * * *","suspend":false}})");
  EXPECT_EQ(cron, (Row{"c", "*/5 * * * *", "<none>", "False", "0", "<none>", "<unknown>", "", "", "<none>"}));
}

TEST(ColumnsTest, ServicesOfEachType) {
  EXPECT_EQ(RowOf("", "services", R"({"metadata":{"name":"s"},"spec":{"type":"ClusterIP","clusterIPs":["10.96.0.10"],
      "ports":[{"port":53,"protocol":"UDP"},{"port":53,"protocol":"TCP"}],"selector":{"k8s-app":"dns"}}})"),
            (Row{"s", "ClusterIP", "10.96.0.10", "<none>", "53/UDP,53/TCP", "<unknown>", "k8s-app=dns"}));
  EXPECT_EQ(RowOf("", "services", R"({"metadata":{"name":"s"},"spec":{"type":"NodePort","clusterIPs":["10.96.0.11"],
      "ports":[{"port":80,"nodePort":30080,"protocol":"TCP"}]}})")[4],
            "80:30080/TCP");
  const char* lb = R"({"metadata":{"name":"s"},"spec":{"type":"LoadBalancer","clusterIPs":["None"]},
      "status":{"loadBalancer":{"ingress":[{"hostname":"a-very-long-name.example.com"}]}}})";
  EXPECT_EQ(RowOf("", "services", lb)[3], "a-very-long-name.example.com");
  EXPECT_EQ(BuiltinColumns("", "services").row(Json::parse(lb), {.now = kNow})[3], "a-very-long-n...");
  EXPECT_EQ(RowOf("", "services", R"({"metadata":{"name":"s"},"spec":{"type":"LoadBalancer"}})")[3], "<pending>");
  EXPECT_EQ(RowOf("", "services", R"({"metadata":{"name":"s"},"spec":{"type":"ExternalName",
      "externalName":"db.example.com"}})")[3],
            "db.example.com");
}

TEST(ColumnsTest, NodesAndOthers) {
  EXPECT_EQ(RowOf("", "nodes", R"({"metadata":{"name":"n","labels":{"node-role.kubernetes.io/control-plane":""}},
      "spec":{"unschedulable":true},"status":{"conditions":[{"type":"Ready","status":"False"}],
      "addresses":[{"type":"InternalIP","address":"192.168.1.2"}],
      "nodeInfo":{"kubeletVersion":"v1.36.3","architecture":"amd64","kernelVersion":"6.1"}}})"),
            (Row{"n", "NotReady,SchedulingDisabled", "control-plane", "<unknown>", "v1.36.3", "192.168.1.2", "<none>",
                 "<unknown>", "6.1 (amd64)", "<unknown>"}));
  EXPECT_EQ(RowOf("", "secrets", R"({"metadata":{"name":"s"},"type":"Opaque","data":{"a":"eA==","b":""}})"),
            (Row{"s", "Opaque", "2", "<unknown>"}));
  EXPECT_EQ(RowOf("", "configmaps", R"({"metadata":{"name":"c"},"data":{"a":""},"binaryData":{"b":""}})")[1], "2");
  EXPECT_EQ(RowOf("rbac.authorization.k8s.io", "rolebindings", R"({"metadata":{"name":"rb"},
      "roleRef":{"kind":"Role","name":"r"},"subjects":[{"kind":"User","name":"u"},
      {"kind":"ServiceAccount","namespace":"demo","name":"sa"},{"kind":"Group","name":"g"}]})"),
            (Row{"rb", "Role/r", "<unknown>", "u", "g", "demo/sa"}));
  EXPECT_EQ(RowOf("", "endpoints", R"({"metadata":{"name":"e"},"subsets":[{"addresses":[{"ip":"10.0.0.1"},
      {"ip":"10.0.0.2"},{"ip":"fd00::1"}],"ports":[{"port":80},{"port":443}]}]})")[1],
            "10.0.0.1:80,10.0.0.2:80,[fd00::1]:80 + 3 more...");
  EXPECT_EQ(RowOf("", "persistentvolumeclaims", R"({"metadata":{"name":"c"},"spec":{"storageClassName":"std"},
      "status":{"phase":"Pending"}})"),
            (Row{"c", "Pending", "", "", "", "std", "<unset>", "<unknown>", "<unset>"}));
  // Types printers.go has no handler for: the default table convertor.
  const TypeColumns& roles = BuiltinColumns("rbac.authorization.k8s.io", "roles");
  EXPECT_EQ(roles.columns.size(), 2u);
  EXPECT_EQ(roles.columns[1].name, "CREATED AT");
  EXPECT_EQ(roles.row(Json::parse(R"({"metadata":{"name":"r","creationTimestamp":"2026-01-01T00:00:00Z"}})"), kWide),
            (Row{"r", "2026-01-01T00:00:00Z"}));
  k8sobjects::ServedSummary s;
  s.created = "2026-01-01T00:00:00Z";
  s.map_entries = 4;
  EXPECT_EQ(BuiltinColumns("", "configmaps").from_summary("c", s, kWide), (Row{"c", "4", "60m"}));
}

TEST(ColumnsTest, CustomResourcePrinterColumns) {
  const Json crd = Json::parse(R"({"metadata":{"name":"widgets.example.com"},"spec":{"versions":[
      {"name":"v1alpha1","served":true},
      {"name":"v1","served":true,"additionalPrinterColumns":[
        {"name":"Size","type":"integer","jsonPath":".spec.size"},
        {"name":"Phase","type":"string","jsonPath":".status.conditions[0].type"},
        {"name":"Ready","type":"boolean","jsonPath":".status.ready","priority":1},
        {"name":"Odd","type":"string","jsonPath":".spec.items[?(@.a)]"},
        {"name":"Started","type":"date","jsonPath":".status.started"}]},
      {"name":"v2","served":false}]}})");
  EXPECT_EQ(PreferredVersion(crd), "v1");
  auto c = CustomColumnsOf(crd, "v1");
  ASSERT_TRUE(c.ok());
  ASSERT_EQ(c->columns.size(), 6u);
  EXPECT_EQ(c->columns[2].name, "PHASE");
  EXPECT_TRUE(c->columns[3].wide);
  EXPECT_EQ(c->RowOf(Json::parse(R"({"metadata":{"name":"w"},"spec":{"size":3},
      "status":{"conditions":[{"type":"Ready"}],"ready":true,"started":"2026-01-01T00:00:00Z"}})"),
                     kWide),
            (Row{"w", "3", "Ready", "true", "", "60m"}));
  // A version without columns, and no CRD: NAME and AGE.
  auto plain = CustomColumnsOf(crd, "v1alpha1");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->columns.size(), 2u);
  EXPECT_EQ(plain->RowOf(Json::parse(R"({"metadata":{"name":"w","creationTimestamp":"2026-01-01T00:00:00Z"}})"), kWide),
            (Row{"w", "60m"}));
  EXPECT_FALSE(CustomColumnsOf(crd, "v9").ok());
  EXPECT_EQ(PreferredVersion(Json::parse(R"({"spec":{"versions":[{"name":"v1beta2","served":true},
      {"name":"v2alpha1","served":true},{"name":"v1beta10","served":true}]}})")),
            "v1beta10");
}

TEST(TableTest, NamespaceKindAndWide) {
  std::ostringstream out;
  Tables tables({.wide = false, .with_namespace = true, .with_kind = true});
  const TypeColumns& svc = BuiltinColumns("", "services");
  tables.For("service", svc.columns, true, "service")
      .Add("demo", {"s", "ClusterIP", "10.0.0.1", "<none>", "80/TCP", "1m", "app=x"});
  tables.For("namespace", BuiltinColumns("", "namespaces").columns, false, "namespace")
      .Add("", {"demo", "Active", "2m"});
  tables.Print(out);
  EXPECT_EQ(out.str(),
            "NAMESPACE   NAME        TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)   AGE\n"
            "demo        service/s   ClusterIP   10.0.0.1     <none>        80/TCP    1m\n"
            "\n"
            "NAME             STATUS   AGE\n"
            "namespace/demo   Active   2m\n");
  std::ostringstream wide;
  Tables w({.wide = true});
  w.For("service", svc.columns, true, "service")
      .Add("demo", {"s", "ClusterIP", "10.0.0.1", "<none>", "80/TCP", "1m", "app=x"});
  w.Print(wide);
  EXPECT_EQ(wide.str(),
            "NAME   TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)   AGE   SELECTOR\n"
            "s      ClusterIP   10.0.0.1     <none>        80/TCP    1m    app=x\n");
}

}  // namespace
}  // namespace ketcd::printers
