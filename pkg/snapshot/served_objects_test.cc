// ForEachServed: key order across batches and threads, the writer's JSON, and the values it
// leaves to the general decoder.
#include "pkg/snapshot/served_objects.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>

#include "pkg/k8sobjects/test_util.h"
#include "pkg/snapshot/objects_test_util.h"

namespace ketcd::snapshot {
namespace {

std::unique_ptr<bbolt::Db> Open(const std::vector<std::pair<std::string, std::string>>& puts) {
  const std::string path = ::testing::TempDir() + "/served_" + std::to_string(::getpid()) + ".db";
  testing::WriteKeyDb(path, puts);
  auto db = bbolt::Db::Open(path);
  ::unlink(path.c_str());
  return db.ok() ? std::move(*db) : nullptr;
}

TEST(ServedObjectsTest, InKeyOrderWithTheGeneralDecoderLeftTheRest) {
  std::vector<std::pair<std::string, std::string>> puts;
  // Revision i+1 for puts[i]. Enough objects for several batches, written in an order that is not the key order.
  for (int i = 2999; i >= 0; i--) {
    char name[16];
    std::snprintf(name, sizeof name, "cm-%04d", i);
    std::string value = k8sobjects::StoredText(
        "v1", "ConfigMap",
        std::string("metadata { name: \"") + name + "\" namespace: \"demo\" } data { key: \"k\" value: \"v\" }");
    puts.emplace_back(std::string("/registry/configmaps/demo/") + name, value);
  }
  puts.emplace_back("/registry/configmaps/demo/cm-json", R"({"kind":"ConfigMap","apiVersion":"v1"})");
  auto db = Open(puts);
  ASSERT_NE(db, nullptr);
  ObjectQuery q;
  std::vector<std::string> names;
  size_t written = 0;
  ASSERT_TRUE(ForEachServed(*db, q, ServedForm::kJson, {.indent = 2}, [&](ServedObject& o) {
                names.push_back(o.where.name);
                if (o.written) {
                  written++;
                  EXPECT_EQ(o.summary.kind, "ConfigMap");
                  EXPECT_NE(o.json.find("\"name\": \"" + o.where.name + "\""), std::string::npos) << o.json;
                  EXPECT_NE(o.json.find("\"resourceVersion\": \"" + std::to_string(o.kv.mod_revision) + "\""),
                            std::string::npos);
                  EXPECT_TRUE(o.json.starts_with("  {\n")) << o.json;
                }
                return absl::OkStatus();
              }).ok());
  ASSERT_EQ(names.size(), 3001u);
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  EXPECT_EQ(names.back(), "cm-json");
  EXPECT_EQ(written, 3000u);
  // The caller's error stops the walk.
  size_t seen = 0;
  absl::Status s = ForEachServed(*db, q, ServedForm::kSummary, {}, [&](ServedObject& o) {
    EXPECT_TRUE(!o.written || o.summary.created == std::nullopt);
    return ++seen == 10 ? absl::CancelledError("enough") : absl::OkStatus();
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(seen, 10u);
}

}  // namespace
}  // namespace ketcd::snapshot
