// The objects of a snapshot: latest live revision per key, selection, served form.
#include <gtest/gtest.h>
#include <unistd.h>

#include <map>

#include "pkg/base/bytes.h"
#include "pkg/bbolt/writer.h"
#include "pkg/k8sobjects/test_util.h"
#include "pkg/snapshot/object_query.h"
#include "pkg/snapshot/objects_test_util.h"

namespace ketcd::snapshot {
namespace {

using k8sobjects::LengthDelimited;
using testing::Kv;
using testing::RevKey;

class ObjectsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::map<std::string, std::string> key;
    int64_t rev = 1;
    auto put = [&](const std::string& k, const std::string& v) {
      key[RevKey(rev)] = Kv(k, rev, v);
      rev++;
    };
    std::string cm = k8sobjects::StoredText("v1", "ConfigMap", R"pb(metadata { name: "a" namespace: "demo" }
                                                                    data { key: "v" value: "1" })pb");
    std::string cm2 = k8sobjects::StoredText("v1", "ConfigMap", R"pb(metadata { name: "a" namespace: "demo" }
                                                                     data { key: "v" value: "2" })pb");
    put("/registry/configmaps/demo/a", cm);
    put("/registry/configmaps/demo/gone", cm);
    put("/registry/configmaps/other/b", cm);
    put("/registry/services/specs/demo/web",
        k8sobjects::StoredText("v1", "Service", R"pb(metadata { name: "web" })pb"));
    put("/registry/example.com/widgets/demo/w",
        R"({"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"}})");
    put("/registry/secrets/demo/s", "k8s:enc:aescbc:v1:key1:xxxx");
    put("/registry/configmaps/demo/a", cm2);  // a newer revision of the same key
    key[RevKey(rev++, true)] = LengthDelimited(1, "/registry/configmaps/demo/gone");
    put("compact_rev_key", "x");
    const std::string path = ::testing::TempDir() + "/objects_" + std::to_string(::getpid()) + ".db";
    auto w = bbolt::BulkWriter::Create(path);
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->BeginBucket("key").ok());
    for (const auto& [k, v] : key) ASSERT_TRUE((*w)->Put(k, v).ok());
    ASSERT_TRUE((*w)->EndBucket().ok());
    ASSERT_TRUE((*w)->Finish().ok());
    auto db = bbolt::Db::Open(path);
    ASSERT_TRUE(db.ok());
    db_ = std::move(*db);
    ::unlink(path.c_str());
  }

  std::vector<std::string> Keys(const ObjectQuery& q) {
    std::vector<std::string> out;
    EXPECT_TRUE(ForEachObject(*db_, q, [&](const FoundObject& f) {
                  out.push_back(f.where.resource + ":" + f.where.namespace_ + "/" + f.where.name);
                  return absl::OkStatus();
                }).ok());
    return out;
  }

  std::unique_ptr<bbolt::Db> db_;
};

TEST_F(ObjectsTest, LatestLiveRevisionOfEachKey) {
  LatestStats stats;
  std::map<std::string, int64_t> seen;
  ASSERT_TRUE(ForEachLatest(
                  *db_, "/registry/",
                  [&](const KeyValue& kv) {
                    seen[std::string(kv.key)] = kv.mod_revision;
                    return absl::OkStatus();
                  },
                  &stats)
                  .ok());
  EXPECT_EQ(seen, (std::map<std::string, int64_t>{{"/registry/configmaps/demo/a", 7},
                                                  {"/registry/configmaps/other/b", 3},
                                                  {"/registry/example.com/widgets/demo/w", 5},
                                                  {"/registry/secrets/demo/s", 6},
                                                  {"/registry/services/specs/demo/web", 4}}));
  EXPECT_EQ(stats.deleted_keys, 1u);
  EXPECT_EQ(stats.revisions_scanned, 8u);
}

TEST_F(ObjectsTest, Selection) {
  ObjectQuery q;
  EXPECT_EQ(Keys(q).size(), 5u);
  q.namespace_ = "demo";
  EXPECT_EQ(Keys(q).size(), 4u);
  q.all_resources = false;
  q.resource = k8sobjects::SelectResource("cm");
  EXPECT_EQ(Keys(q), std::vector<std::string>{"configmaps:demo/a"});
  EXPECT_EQ(QueryPrefix(q), "/registry/configmaps/demo/");
  q.resource = k8sobjects::SelectResource("widgets");
  EXPECT_EQ(Keys(q), std::vector<std::string>{"widgets:demo/w"});
  q.resource = k8sobjects::SelectResource("widgets.example.com");
  EXPECT_EQ(QueryPrefix(q), "/registry/example.com/widgets/");
  EXPECT_EQ(Keys(q).size(), 1u);
  q.resource = k8sobjects::SelectResource("svc");
  q.name = "nope";
  EXPECT_TRUE(Keys(q).empty());
}

TEST_F(ObjectsTest, ServedForm) {
  ObjectQuery q;
  q.all_resources = false;
  q.resource = k8sobjects::SelectResource("configmaps");
  q.namespace_ = "demo";
  int n = 0;
  ASSERT_TRUE(ForEachObject(*db_, q, [&](const FoundObject& f) {
                n++;
                EXPECT_TRUE(f.object.ok());
                EXPECT_EQ(f.object->json["metadata"]["resourceVersion"], "7");
                EXPECT_EQ(f.object->json["data"]["v"], "2");
                EXPECT_EQ(f.object->json["kind"], "ConfigMap");
                return absl::OkStatus();
              }).ok());
  EXPECT_EQ(n, 1);
  q.resource = k8sobjects::SelectResource("secrets");
  ASSERT_TRUE(ForEachObject(*db_, q, [&](const FoundObject& f) {
                EXPECT_EQ(f.object->encoding, k8sobjects::Encoding::kEncrypted);
                EXPECT_EQ(f.object->key_name, "key1");
                return absl::OkStatus();
              }).ok());
}

TEST(PrepareServedTest, ManagedFields) {
  k8sobjects::Json o = k8sobjects::Json::parse(R"({"metadata":{"managedFields":[{}]}})");
  PrepareServed(o, 9, true);
  EXPECT_TRUE(o["metadata"].contains("managedFields"));
  PrepareServed(o, 9, false);
  EXPECT_EQ(o, k8sobjects::Json::parse(R"({"metadata":{"resourceVersion":"9"}})"));
}

}  // namespace
}  // namespace ketcd::snapshot
