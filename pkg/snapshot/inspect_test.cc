// Hostile snapshot content: `status --keys` and its JSON output must report, never throw.
#include <gtest/gtest.h>
#include <unistd.h>

#include <map>
#include <sstream>

#include "pkg/base/bytes.h"
#include "pkg/bbolt/writer.h"
#include "pkg/cli/json_text.h"
#include "pkg/cli/output.h"
#include "pkg/snapshot/status.h"
#include "pkg/snapshot/status_json.h"

namespace ketcd::snapshot {
namespace {

using Buckets = std::map<std::string, std::map<std::string, std::string>>;  // sorted, as bbolt needs

std::unique_ptr<bbolt::Db> Build(const Buckets& buckets) {
  static int n = 0;
  const std::string path = ::testing::TempDir() + "/inspect_" + std::to_string(::getpid()) + "_" +
                           std::to_string(n++) + ".db";
  auto w = bbolt::BulkWriter::Create(path);
  EXPECT_TRUE(w.ok()) << w.status();
  for (const auto& [name, entries] : buckets) {
    EXPECT_TRUE((*w)->BeginBucket(name).ok());
    for (const auto& [k, v] : entries) EXPECT_TRUE((*w)->Put(k, v).ok());
    EXPECT_TRUE((*w)->EndBucket().ok());
  }
  EXPECT_TRUE((*w)->Finish().ok());
  auto db = bbolt::Db::Open(path);
  EXPECT_TRUE(db.ok()) << db.status();
  ::unlink(path.c_str());  // the mapping stays valid
  return std::move(*db);
}

absl::StatusOr<SnapshotStatus> Inspect(const bbolt::Db& db) {
  StatusOptions o;
  o.inspect = true;
  o.check_trailer = false;
  return ComputeStatus(db, o);
}

std::string Be64(uint64_t v) {
  std::string s(8, '\0');
  StoreBE64(s.data(), v);
  return s;
}

TEST(InspectTest, MemberValuesOfTheWrongTypeAreIgnored) {
  auto db = Build({{"members",
                    {{"1", R"({"id":1,"name":5,"isLearner":"yes","peerURLs":"http://a:2380","clientURLs":[7]})"},
                     {"2", R"({"name":"ok","isLearner":true,"peerURLs":["http://b:2380",null]})"},
                     {"3", "[1,2]"},
                     {"4", "not json"}}}});
  auto st = Inspect(*db);
  ASSERT_TRUE(st.ok()) << st.status();
  ASSERT_EQ(st->inspect.members.size(), 4u);
  const MemberInfo& bad = st->inspect.members[0];
  EXPECT_EQ(bad.id_hex, "1");
  EXPECT_EQ(bad.name, "");
  EXPECT_FALSE(bad.is_learner);
  EXPECT_TRUE(bad.peer_urls.empty());
  EXPECT_TRUE(bad.client_urls.empty());
  const MemberInfo& good = st->inspect.members[1];
  EXPECT_EQ(good.name, "ok");
  EXPECT_TRUE(good.is_learner);
  EXPECT_EQ(good.peer_urls, std::vector<std::string>{"http://b:2380"});
}

// etcd reads a revision as the int64 of its big-endian u64: no range error.
TEST(InspectTest, CompactRevisionOutOfInt64RangeIsReadAsEtcdDoes) {
  auto db = Build({{"meta",
                    {{"finishedCompactRev", Be64(0xFFFFFFFFFFFFFFFFull) + "_" + Be64(0)},
                     {"scheduledCompactRev", Be64(0x8000000000000000ull) + "_" + Be64(0)}}}});
  auto st = Inspect(*db);
  ASSERT_TRUE(st.ok()) << st.status();
  EXPECT_EQ(st->inspect.compacted_revision, -1);
  EXPECT_EQ(st->inspect.scheduled_compact_revision, INT64_MIN);
}

TEST(InspectTest, NonUtf8NamesArePrintedAsBase64) {
  const std::string bucket = "b\xff";
  const std::string user = "\xc3(";
  const std::string key = "/registry/pods/ns\xfe/p";
  std::string rev(17, '_');
  StoreBE64(rev.data(), 2);
  StoreBE64(rev.data() + 9, 0);
  // mvccpb.KeyValue: field 1 (key) and field 4 (mod_revision).
  std::string kv = std::string("\x0a", 1) + static_cast<char>(key.size()) + key + "\x20\x02";
  auto db = Build({{"authUsers", {{user, "x"}}}, {bucket, {{"k\x80", "v"}}}, {"key", {{rev, kv}}}});
  auto st = Inspect(*db);
  ASSERT_TRUE(st.ok()) << st.status();
  for (bool yaml : {false, true}) {
    std::ostringstream out;
    if (yaml) {
      cli::PrintYaml(out, StatusJson(*st, true));
      EXPECT_NE(out.str().find(cli::JsonText(bucket)), std::string::npos) << out.str();
      continue;
    }
    cli::PrintJson(out, StatusJson(*st, true));
    auto j = nlohmann::json::parse(out.str());
    EXPECT_EQ(j["buckets"][cli::JsonText(bucket)], 1);
    EXPECT_EQ(cli::JsonTextBytes(j["inspect"]["users"][0].get<std::string>()), user);
    EXPECT_EQ(j["inspect"]["resources"]["pods"]["namespaces"][cli::JsonText("ns\xfe")], 1);
  }
}

}  // namespace
}  // namespace ketcd::snapshot
