#include "pkg/restore/backend_edit.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "pkg/base/bytes.h"

namespace ketcd::restore {
namespace {

using Bucket = std::pair<std::string, std::vector<std::pair<std::string, std::string>>>;

class RecordingSink : public BucketSink {
 public:
  absl::Status BeginBucket(std::string_view name, uint64_t) override {
    buckets.push_back({std::string(name), {}});
    return absl::OkStatus();
  }
  absl::Status Put(std::string_view k, std::string_view v) override {
    auto& kvs = buckets.back().second;
    if (!kvs.empty() && !(kvs.back().first < k)) return absl::InvalidArgumentError("unsorted output");
    kvs.emplace_back(std::string(k), std::string(v));
    return absl::OkStatus();
  }
  absl::Status EndBucket() override { return absl::OkStatus(); }
  absl::Status Finish() override {
    finished = true;
    return absl::OkStatus();
  }
  const Bucket* Find(const std::string& name) const {
    for (const auto& b : buckets) {
      if (b.first == name) return &b;
    }
    return nullptr;
  }
  std::string Get(const std::string& bucket, const std::string& key) const {
    const Bucket* b = Find(bucket);
    if (!b) return "<no bucket>";
    for (const auto& [k, v] : b->second) {
      if (k == key) return v;
    }
    return "<no key>";
  }
  std::vector<Bucket> buckets;
  bool finished = false;
};

std::string U64(uint64_t v) {
  std::string s(8, '\0');
  StoreBE64(s.data(), v);
  return s;
}

absl::Status Feed(BucketSink* sink, const std::vector<Bucket>& in) {
  for (const auto& [name, kvs] : in) {
    KETCD_RETURN_IF_ERROR(sink->BeginBucket(name, 0));
    for (const auto& [k, v] : kvs) KETCD_RETURN_IF_ERROR(sink->Put(k, v));
    KETCD_RETURN_IF_ERROR(sink->EndBucket());
  }
  return sink->Finish();
}

BackendEditOptions Edit(uint64_t bump = 0) {
  BackendEditOptions o;
  o.members = {{0x3c56f27cd5bed64ULL, "z", {"http://127.0.0.1:45380"}},
               {0x8e9e05c52164694dULL, "default", {"http://localhost:2380"}}};
  o.consistent_index = 2;
  o.bump_revision = bump;
  return o;
}

std::vector<Bucket> ServerDb() {
  return {{"alarm", {}},
          {"auth", {{"authEnabled", std::string(1, '\0')}}},
          {"authRoles", {}},
          {"authUsers", {}},
          {"cluster", {{"clusterVersion", "3.5.0"}}},
          {"key", {{RevisionKey(2, 0), "kv2"}, {RevisionKey(3, 0), "kv3"}, {RevisionKey(3, 1) + "t", "del"}}},
          {"lease", {}},
          {"members", {{"aaaa", "{old}"}}},
          {"members_removed", {{"bbbb", "removed"}}},
          {"meta",
           {{"confState", "{}"}, {"consistent_index", U64(77)}, {"storageVersion", "3.6.0"}, {"term", U64(9)}}}};
}

TEST(BackendEditTest, ReplacesMembersAndIndex) {
  RecordingSink out;
  BackendEditor ed(Edit(), &out);
  ASSERT_TRUE(Feed(&ed, ServerDb()).ok());
  EXPECT_TRUE(out.finished);
  ASSERT_EQ(out.buckets.size(), 10u);
  const Bucket* members = out.Find("members");
  ASSERT_NE(members, nullptr);
  ASSERT_EQ(members->second.size(), 2u);
  EXPECT_EQ(members->second[0].first, "3c56f27cd5bed64");
  EXPECT_EQ(members->second[0].second, "{\"id\":271745569265544548,\"peerURLs\":[\"http://127.0.0.1:45380\"],\"name\":\"z\"}");
  EXPECT_EQ(members->second[1].first, "8e9e05c52164694d");
  EXPECT_TRUE(out.Find("members_removed")->second.empty());
  EXPECT_EQ(out.Get("meta", "consistent_index"), U64(2));
  EXPECT_EQ(out.Get("meta", "term"), U64(1));
  EXPECT_EQ(out.Get("meta", "confState"), "{}");  // untouched, as etcdutl does
  EXPECT_EQ(out.Get("meta", "scheduledCompactRev"), "<no key>");
  EXPECT_EQ(out.Find("key")->second.size(), 3u);
  EXPECT_EQ(ed.result().storage_version, "3.6.0");
  EXPECT_EQ(ed.result().members_dropped, 2u);
  EXPECT_EQ(ed.result().latest_main, 3);
  EXPECT_EQ(ed.result().latest_sub, 1);
}

TEST(BackendEditTest, MembersSortedByHexKeyNotById) {
  BackendEditOptions o = Edit();
  // 0x0e9e... prints as 15 hex digits and sorts after "7f92..." although it is smaller.
  o.members = {{0x0e9e2b4bb1a9a179ULL, "m3", {"http://h:3"}}, {0x7f921ccb83cabebcULL, "m2", {"http://h:2"}}};
  RecordingSink out;
  BackendEditor ed(o, &out);
  ASSERT_TRUE(Feed(&ed, ServerDb()).ok());
  const Bucket* members = out.Find("members");
  ASSERT_EQ(members->second.size(), 2u);
  EXPECT_EQ(members->second[0].first, "7f921ccb83cabebc");
  EXPECT_EQ(members->second[1].first, "e9e2b4bb1a9a179");
}

TEST(BackendEditTest, BumpWritesEmptyRevisionAndSchedulesCompaction) {
  RecordingSink out;
  BackendEditor ed(Edit(1000), &out);
  ASSERT_TRUE(Feed(&ed, ServerDb()).ok());
  const Bucket* key = out.Find("key");
  ASSERT_EQ(key->second.size(), 4u);
  EXPECT_EQ(key->second.back().first, RevisionKey(1003, 0));
  EXPECT_EQ(key->second.back().second, "");
  EXPECT_EQ(out.Get("meta", "scheduledCompactRev"), RevisionKey(1003, 0));
  EXPECT_EQ(ed.result().bumped_revision, 1003);
}

TEST(BackendEditTest, CreatesMissingBucketsInOrder) {
  RecordingSink out;
  BackendEditor ed(Edit(5), &out);
  ASSERT_TRUE(Feed(&ed, {{"key", {}}, {"zzz-unknown", {{"k", "v"}}}}).ok());
  std::vector<std::string> names;
  for (const auto& b : out.buckets) names.push_back(b.first);
  EXPECT_EQ(names, (std::vector<std::string>{"alarm", "auth", "authRoles", "authUsers", "cluster", "key", "lease",
                                             "members", "members_removed", "meta", "zzz-unknown"}));
  // Empty key bucket: etcdutl bumps from revision 0.
  EXPECT_EQ(out.Get("key", RevisionKey(5, 0)), "");
  EXPECT_EQ(out.Get("meta", "scheduledCompactRev"), RevisionKey(5, 0));
  EXPECT_EQ(out.Get("meta", "consistent_index"), U64(2));
}

TEST(BackendEditTest, RejectsUnsortedInput) {
  RecordingSink out;
  BackendEditor ed(Edit(), &out);
  EXPECT_EQ(Feed(&ed, {{"meta", {}}, {"key", {}}}).code(), absl::StatusCode::kDataLoss);
  RecordingSink out2;
  BackendEditor ed2(Edit(), &out2);
  EXPECT_EQ(Feed(&ed2, {{"lease", {{"b", ""}, {"a", ""}}}}).code(), absl::StatusCode::kDataLoss);
}

TEST(BackendEditTest, RejectsBumpOverflow) {
  RecordingSink out;
  BackendEditor ed(Edit(static_cast<uint64_t>(INT64_MAX)), &out);
  EXPECT_EQ(Feed(&ed, ServerDb()).code(), absl::StatusCode::kFailedPrecondition);
}

TEST(DetectFormatTest, FromMeta) {
  EXPECT_EQ(DetectFormat("3.6.0", true), EtcdFormat::k36);
  EXPECT_EQ(DetectFormat("3.7.0", true), EtcdFormat::k37);
  EXPECT_EQ(DetectFormat("3.9.0", true), EtcdFormat::k37);
  EXPECT_EQ(DetectFormat("", true), EtcdFormat::k35);
  EXPECT_EQ(DetectFormat("", false), EtcdFormat::k34);
}

}  // namespace
}  // namespace ketcd::restore
