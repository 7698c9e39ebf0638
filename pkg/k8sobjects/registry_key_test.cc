#include "pkg/k8sobjects/registry_key.h"

#include <gtest/gtest.h>

namespace ketcd::k8sobjects {
namespace {

TEST(RegistryKeyTest, BuiltinPrefixes) {
  auto k = ParseRegistryKey("/registry/services/specs/demo/web");
  ASSERT_TRUE(k);
  EXPECT_EQ(k->resource, "services");
  EXPECT_EQ(k->namespace_, "demo");
  EXPECT_EQ(k->name, "web");
  k = ParseRegistryKey("/registry/services/endpoints/demo/web");
  ASSERT_TRUE(k);
  EXPECT_EQ(k->resource, "endpoints");
  k = ParseRegistryKey("/registry/minions/node-1");
  ASSERT_TRUE(k);
  EXPECT_EQ(k->resource, "nodes");
  EXPECT_EQ(k->namespace_, "");
  k = ParseRegistryKey("/registry/deployments/demo/app");
  ASSERT_TRUE(k);
  EXPECT_EQ(k->group, "apps");
  k = ParseRegistryKey("/registry/controllers/demo/rc");
  ASSERT_TRUE(k);
  EXPECT_EQ(k->resource, "replicationcontrollers");
  k = ParseRegistryKey("/registry/apiextensions.k8s.io/customresourcedefinitions/widgets.example.com");
  ASSERT_TRUE(k);
  EXPECT_EQ(k->resource, "customresourcedefinitions");
  EXPECT_EQ(k->name, "widgets.example.com");
  ASSERT_NE(k->builtin, nullptr);
}

TEST(RegistryKeyTest, CustomAndUnknownResources) {
  auto k = ParseRegistryKey("/registry/example.com/widgets/demo/w1");
  ASSERT_TRUE(k);
  EXPECT_EQ(k->group, "example.com");
  EXPECT_EQ(k->resource, "widgets");
  EXPECT_EQ(k->namespace_, "demo");
  EXPECT_EQ(k->name, "w1");
  EXPECT_EQ(k->builtin, nullptr);
  k = ParseRegistryKey("/registry/example.com/clusterwidgets/w1");
  ASSERT_TRUE(k);
  EXPECT_EQ(k->namespace_, "");
  EXPECT_EQ(k->name, "w1");
  k = ParseRegistryKey("/registry/masterleases/10.0.0.1");
  ASSERT_TRUE(k);
  EXPECT_EQ(k->resource, "masterleases");
  EXPECT_EQ(k->name, "10.0.0.1");
}

TEST(RegistryKeyTest, NotObjects) {
  EXPECT_FALSE(ParseRegistryKey("compact_rev_key"));
  EXPECT_FALSE(ParseRegistryKey("/registry/"));
  EXPECT_FALSE(ParseRegistryKey("/registry/pods"));
  EXPECT_FALSE(ParseRegistryKey("/registry/pods/demo/a/b"));
  EXPECT_FALSE(ParseRegistryKey("/registry/namespaces/a/b"));
  EXPECT_FALSE(ParseRegistryKey("/registry/configmaps/demo/"));
}

}  // namespace
}  // namespace ketcd::k8sobjects
