// diff of two snapshots: scripted changes between two databases, exactly those reported.
#include "pkg/snapshot/object_diff.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "pkg/snapshot/objects_test_util.h"

namespace ketcd::snapshot {
namespace {

using k8sobjects::Json;

std::string Cm(const std::string& name, const std::string& v) {
  return k8sobjects::StoredText(
      "v1", "ConfigMap",
      "metadata { name: \"" + name + "\" namespace: \"demo\" }\n" + "data { key: \"v\" value: \"" + v + "\" }");
}
std::string Secret(const std::string& password) {
  return k8sobjects::StoredText("v1", "Secret",
                                "metadata { name: \"s\" namespace: \"demo\" }\n"
                                "data { key: \"password\" value: \"" +
                                    password + "\" } type: \"Opaque\"");
}
std::string Widget(const std::string& manager_time, int size) {
  return R"({"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w","namespace":"demo",)"
         R"("managedFields":[{"manager":"kubectl","time":")" +
         manager_time + R"("}]},"spec":{"size":)" + std::to_string(size) +
         R"(,"labels":{"app.kubernetes.io/name":"w"}}})";
}

class DiffTest : public ::testing::Test {
 protected:
  std::unique_ptr<bbolt::Db> Write(const std::string& name,
                                   const std::vector<std::pair<std::string, std::string>>& puts) {
    std::string path = ::testing::TempDir() + "/diff_" + name + "_" + std::to_string(::getpid()) + ".db";
    testing::WriteKeyDb(path, puts);
    auto db = bbolt::Db::Open(path);
    EXPECT_TRUE(db.ok()) << db.status();
    ::unlink(path.c_str());
    return std::move(*db);
  }

  std::vector<std::string> Diff(const ObjectQuery& q, bool fields, std::vector<ObjectChange>* out = nullptr) {
    std::vector<std::string> lines;
    absl::Status s = DiffObjects(*a_, *b_, q, fields, [&](const ObjectChange& c) {
      lines.push_back(std::string(ChangeName(c.change)) + " " + c.where.resource + " " + c.where.namespace_ + "/" +
                      c.where.name + (c.compared_as_bytes ? " (bytes)" : ""));
      if (out) out->push_back(c);
      return absl::OkStatus();
    });
    EXPECT_TRUE(s.ok()) << s;
    return lines;
  }

  void SetUp() override {
    a_ = Write("a", {{"/registry/configmaps/demo/a", Cm("a", "1")},
                     {"/registry/configmaps/demo/same", Cm("same", "x")},
                     {"/registry/configmaps/demo/gone", Cm("gone", "x")},
                     {"/registry/configmaps/demo/back", Cm("back", "x")},
                     {"/registry/configmaps/demo/back", ""},  // deleted in A
                     {"/registry/secrets/demo/s", Secret("hunter2")},
                     {"/registry/secrets/demo/enc", "k8s:enc:aescbc:v1:k1:AAAA"},
                     {"/registry/example.com/widgets/demo/w", Widget("2024-01-01T00:00:00Z", 1)},
                     {"/registry/example.com/widgets/demo/touched", Widget("2024-01-01T00:00:00Z", 1)}});
    b_ = Write("b", {{"/registry/configmaps/demo/same", Cm("same", "x")},
                     {"/registry/configmaps/demo/a", Cm("a", "2")},
                     {"/registry/configmaps/demo/new", Cm("new", "y")},
                     {"/registry/configmaps/demo/gone", Cm("gone", "x")},
                     {"/registry/configmaps/demo/gone", ""},
                     {"/registry/configmaps/demo/back", Cm("back", "x")},
                     {"/registry/secrets/demo/s", Secret("swordfish")},
                     {"/registry/secrets/demo/enc", "k8s:enc:aescbc:v1:k1:BBBB"},
                     {"/registry/example.com/widgets/demo/w", Widget("2024-01-02T00:00:00Z", 2)},
                     {"/registry/example.com/widgets/demo/touched", Widget("2024-01-02T00:00:00Z", 1)}});
  }

  std::unique_ptr<bbolt::Db> a_, b_;
};

TEST_F(DiffTest, ExactlyTheScriptedChanges) {
  EXPECT_EQ(
      Diff(ObjectQuery{}, false),
      (std::vector<std::string>{"changed configmaps demo/a", "added configmaps demo/back",
                                "removed configmaps demo/gone", "added configmaps demo/new", "changed widgets demo/w",
                                "changed secrets demo/enc (bytes)", "changed secrets demo/s"}));
  ObjectQuery q;
  q.all_resources = false;
  q.resource = k8sobjects::SelectResource("secrets");
  EXPECT_EQ(Diff(q, false).size(), 2u);
  q.namespace_ = "other";
  EXPECT_TRUE(Diff(q, false).empty());
}

TEST_F(DiffTest, FieldsWithPathsAndSecretValuesHidden) {
  std::vector<ObjectChange> changes;
  Diff(ObjectQuery{}, true, &changes);
  ASSERT_EQ(changes.size(), 7u);
  ASSERT_EQ(changes[0].fields.size(), 1u);
  EXPECT_EQ(changes[0].fields[0].path, ".data.v");
  EXPECT_EQ(*changes[0].fields[0].before, "1");
  EXPECT_EQ(*changes[0].fields[0].after, "2");
  ASSERT_EQ(changes[4].fields.size(), 1u);  // managedFields moved too, and are not reported
  EXPECT_EQ(changes[4].fields[0].path, ".spec.size");
  ASSERT_EQ(changes[6].fields.size(), 1u);
  EXPECT_EQ(changes[6].fields[0].path, ".data.password");
  EXPECT_TRUE(changes[6].fields[0].secret);
}

TEST(DiffFieldsTest, PathsOfEveryShape) {
  Json a = Json::parse(
      R"({"metadata":{"labels":{"app.kubernetes.io/name":"x","keep":"1"}},"spec":{"ports":[1,2],"list":[1]}})");
  Json b = Json::parse(R"({"metadata":{"labels":{"keep":"1","tier":"web"}},"spec":{"ports":[1,3],"list":[1,2]}})");
  std::vector<std::string> paths;
  for (const FieldChange& f : DiffFields(a, b)) {
    paths.push_back(f.path + " " + (f.before ? f.before->dump() : "-") + " " + (f.after ? f.after->dump() : "-"));
  }
  EXPECT_EQ(paths, (std::vector<std::string>{R"(.metadata.labels["app.kubernetes.io/name"] "x" -)",
                                             R"(.metadata.labels.tier - "web")", ".spec.list [1] [1,2]",
                                             ".spec.ports[1] 2 3"}));
  EXPECT_EQ(DiffFields(Json(1), Json("x")).size(), 1u);
}

}  // namespace
}  // namespace ketcd::snapshot
