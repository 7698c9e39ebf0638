#include "pkg/k8sobjects/resources.h"

#include <gtest/gtest.h>

#include <set>

namespace ketcd::k8sobjects {
namespace {

TEST(ResourcesTest, KubectlNames) {
  for (const char* name : {"cm", "configmap", "configmaps", "ConfigMap", "CONFIGMAPS"}) {
    ASSERT_NE(FindBuiltinResource(name), nullptr) << name;
    EXPECT_EQ(FindBuiltinResource(name)->resource, "configmaps");
  }
  EXPECT_EQ(FindBuiltinResource("deploy")->group, "apps");
  EXPECT_EQ(FindBuiltinResource("deployments.apps")->resource, "deployments");
  EXPECT_EQ(FindBuiltinResource("clusterroles.rbac.authorization.k8s.io")->kind, "ClusterRole");
  EXPECT_EQ(FindBuiltinResource("clusterrole.rbac")->kind, "ClusterRole");
  EXPECT_EQ(FindBuiltinResource("svc")->prefix, "services/specs");
  EXPECT_EQ(FindBuiltinResource("no")->prefix, "minions");
  EXPECT_EQ(FindBuiltinResource("ing")->prefix, "ingress");
  EXPECT_EQ(FindBuiltinResource("deployments.batch"), nullptr);
  // kubectl's RESOURCE.VERSION.GROUP: the version is dropped.
  EXPECT_EQ(FindBuiltinResource("deployments.v1.apps")->resource, "deployments");
  EXPECT_EQ(FindBuiltinResource("cronjobs.v1beta1.batch")->resource, "cronjobs");
  EXPECT_EQ(FindBuiltinResource("pods.v1")->group, "");
  EXPECT_EQ(FindBuiltinResource("deployments.v1"), nullptr);  // not in the core group
  EXPECT_EQ(FindBuiltinResource("deployments.v1x.apps"), nullptr);
  EXPECT_EQ(FindBuiltinResource("widgets"), nullptr);
  EXPECT_EQ(GroupResourceName("apps", "deployments"), "deployments.apps");
  EXPECT_EQ(GroupResourceName("", "pods"), "pods");
}

TEST(ResourcesTest, NamesAndPrefixesAreUnique) {
  std::set<std::string_view> prefixes, names;
  for (const ResourceInfo& r : BuiltinResources()) {
    EXPECT_TRUE(prefixes.insert(r.prefix).second) << r.prefix;
    EXPECT_TRUE(names.insert(r.resource).second) << r.resource;
  }
}

}  // namespace
}  // namespace ketcd::k8sobjects

namespace ketcd::k8sobjects {
namespace {

TEST(ResourcesTest, SelectCustomResources) {
  ResourceSelector s = SelectResource("Widgets.Example.com");
  EXPECT_EQ(s.builtin, nullptr);
  EXPECT_EQ(s.group, "example.com");
  EXPECT_EQ(s.resource, "widgets");
  EXPECT_FALSE(s.any_group);
  s = SelectResource("widgets");
  EXPECT_TRUE(s.any_group);
  s = SelectResource("deploy");
  ASSERT_NE(s.builtin, nullptr);
  EXPECT_EQ(s.group, "apps");
  EXPECT_EQ(s.resource, "deployments");
  s = SelectResource("nodes.v1beta1.metrics.k8s.io");
  EXPECT_EQ(s.group, "metrics.k8s.io");
  EXPECT_EQ(s.resource, "nodes");
  s = SelectResource("widgets.v1.example.com");
  EXPECT_EQ(s.group, "example.com");
  s = SelectResource("widgets.v1alpha.example.com");  // not a version: part of the group
  EXPECT_EQ(s.group, "v1alpha.example.com");
}

}  // namespace
}  // namespace ketcd::k8sobjects
