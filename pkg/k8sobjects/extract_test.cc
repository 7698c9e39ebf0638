#include "pkg/k8sobjects/extract.h"

#include <gtest/gtest.h>

namespace ketcd::k8sobjects {
namespace {

Json Obj(const std::string& text) { return Json::parse(text); }

std::vector<std::string> Names(const ExtractResult& r) {
  std::vector<std::string> out;
  for (const Json& o : r.objects)
    out.push_back(o["kind"].get<std::string>() + "/" + o["metadata"]["name"].get<std::string>());
  return out;
}

TEST(Extraction, OrdersForApplyAndLeavesOutWhatControllersMake) {
  Extraction x;
  const char* meta = R"("namespace":"demo","uid":"u","resourceVersion":"5","creationTimestamp":"2024-01-01T00:00:00Z")";
  x.Add(Obj(std::string(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","generation":2,)") +
            meta + R"(},"spec":{"replicas":1},"status":{"replicas":1}})"));
  x.Add(Obj(R"({"apiVersion":"apps/v1","kind":"ReplicaSet","metadata":{"name":"web-1","namespace":"demo",
              "ownerReferences":[{"kind":"Deployment","name":"web","controller":true}]}})"));
  x.Add(Obj(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-1-x","namespace":"demo",
              "ownerReferences":[{"kind":"ReplicaSet","name":"web-1","controller":true}]}})"));
  x.Add(Obj(R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"web","namespace":"demo"},
              "spec":{"selector":{"app":"web"},"clusterIP":"10.96.0.20"}})"));
  x.Add(Obj(R"({"apiVersion":"v1","kind":"Endpoints","metadata":{"name":"web","namespace":"demo"}})"));
  x.Add(Obj(R"({"apiVersion":"v1","kind":"Endpoints","metadata":{"name":"external","namespace":"demo"}})"));
  x.Add(Obj(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"kube-root-ca.crt","namespace":"demo"}})"));
  x.Add(Obj(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"settings","namespace":"demo",
              "annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{}"}},"data":{"a":"1"}})"));
  x.Add(Obj(R"({"apiVersion":"v1","kind":"Event","metadata":{"name":"web.1","namespace":"demo"}})"));
  x.Add(Obj(
      R"({"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"rb","namespace":"demo"}})"));
  x.Add(
      Obj(R"({"apiVersion":"rbac.authorization.k8s.io/v1","kind":"Role","metadata":{"name":"r","namespace":"demo"}})"));
  x.Add(Obj(
      R"({"apiVersion":"v1","kind":"Secret","type":"kubernetes.io/service-account-token","metadata":{"name":"default-token-abc",
              "namespace":"demo","annotations":{"kubernetes.io/service-account.name":"default"}}})"));
  x.Add(Obj(R"({"apiVersion":"v1","kind":"Secret","type":"kubernetes.io/service-account-token","metadata":{"name":"ci",
              "namespace":"demo","annotations":{"kubernetes.io/service-account.name":"builder",
              "kubernetes.io/service-account.uid":"old"}},"data":{"token":"eA==","extra":"eQ=="}})"));
  x.Add(Obj(R"({"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"default","namespace":"demo"}})"));
  x.Add(Obj(R"({"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"builder","namespace":"demo"}})"));
  x.Add(Obj(R"({"apiVersion":"stable.example.com/v1","kind":"CronTab","metadata":{"name":"c","namespace":"demo",
              "ownerReferences":[{"kind":"Operator","name":"op"}]},"status":{"ok":true}})"));
  x.Add(Obj(
      R"({"apiVersion":"other.example.com/v1","kind":"Gadget","metadata":{"name":"g","namespace":"demo"},"status":{"ok":true}})"));
  x.Add(Obj(
      R"({"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"crontabs.stable.example.com"},
              "spec":{"group":"stable.example.com","names":{"kind":"CronTab"},"versions":[{"name":"v1"}]},"status":{}})"));
  x.Add(Obj(
      R"({"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"gadgets.other.example.com"},
              "spec":{"group":"other.example.com","names":{"kind":"Gadget"},"versions":[{"name":"v1","subresources":{"status":{}}}]}})"));
  x.Add(Obj(
      R"({"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"unused.example.com"},
              "spec":{"group":"example.com","names":{"kind":"Unused"}}})"));
  x.Add(Obj(
      R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"demo","uid":"n"},"status":{"phase":"Active"}})"));

  ExtractResult r = x.Finish();
  EXPECT_EQ(Names(r),
            (std::vector<std::string>{"Namespace/demo", "CustomResourceDefinition/crontabs.stable.example.com",
                                      "CustomResourceDefinition/gadgets.other.example.com", "ServiceAccount/builder",
                                      "Secret/ci", "ConfigMap/settings", "Role/r", "RoleBinding/rb", "Deployment/web",
                                      "Service/web", "Endpoints/external", "CronTab/c", "Gadget/g"}));
  EXPECT_EQ(r.skipped, (std::map<std::string, size_t>{{"Events", 1},
                                                      {"Endpoints of Services with a selector", 1},
                                                      {"Pods owned by a ReplicaSet", 1},
                                                      {"ReplicaSets owned by a Deployment", 1},
                                                      {"default ServiceAccounts", 1},
                                                      {"generated service account token Secrets", 1},
                                                      {"kube-root-ca.crt ConfigMaps", 1}}));
  const Json& deploy = r.objects[8];
  EXPECT_EQ(deploy, Obj(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"demo"},
                          "spec":{"replicas":1}})"));
  EXPECT_EQ(r.objects[5]["metadata"]["annotations"].size(), 1u);  // last-applied-configuration kept
  EXPECT_EQ(r.objects[9]["spec"]["clusterIP"], "10.96.0.20");
  EXPECT_FALSE(r.objects[0].contains("status"));
  EXPECT_FALSE(r.objects[1].contains("status"));
  // Status is data without a status subresource, ignored on create with one.
  EXPECT_TRUE(r.objects[11].contains("status"));
  EXPECT_FALSE(r.objects[12].contains("status"));
  EXPECT_FALSE(r.objects[11]["metadata"].contains("ownerReferences"));
  EXPECT_EQ(r.owner_references_removed, 1u);
  EXPECT_EQ(r.missing_owners, (std::vector<std::string>{"Operator/op (owner of CronTab/c)"}));
  // A token Secret made by hand is kept, for the token controller to fill in again.
  EXPECT_EQ(r.objects[4]["data"], Obj(R"({"extra":"eQ=="})"));
  EXPECT_FALSE(r.objects[4]["metadata"]["annotations"].contains("kubernetes.io/service-account.uid"));
}

TEST(Extraction, OddValuesDoNotThrow) {
  Extraction x;
  for (const char* text :
       {R"({"metadata":{}})", R"({"kind":"Secret","apiVersion":"v1","type":"kubernetes.io/service-account-token",
                            "metadata":{"annotations":3},"data":[1]})",
        R"({"kind":"Service","apiVersion":"v1","metadata":{"ownerReferences":{"a":1}},"spec":7})",
        R"({"kind":"CustomResourceDefinition","apiVersion":"apiextensions.k8s.io/v1","metadata":{},
                            "spec":{"versions":[3,{"subresources":1}]}})",
        R"([1,2])", R"({"metadata":[]})"}) {
    x.Add(Obj(text));
  }
  ExtractResult r = x.Finish();
  EXPECT_EQ(r.objects.size(), 3u);
}

}  // namespace
}  // namespace ketcd::k8sobjects
