// The copy-and-patch database (the default) against the compact rewrite: same buckets,
// keys and values, and a file that passes the integrity check.
#include <gtest/gtest.h>

#include <map>

#include "pkg/base/bytes.h"
#include "pkg/base/sha256.h"
#include "pkg/bbolt/check.h"
#include "pkg/bbolt/db.h"
#include "pkg/bbolt/trailer.h"
#include "pkg/bbolt/writer.h"
#include "pkg/fsutil/atomic_file.h"
#include "pkg/fsutil/file.h"
#include "pkg/restore/backend_edit.h"
#include "pkg/restore/restore.h"

namespace ketcd::restore {
namespace {

const std::string kTestdata = KETCD_RESTORE_TESTDATA;
using Content = std::map<std::string, std::map<std::string, std::string>>;

Content ReadDb(const std::string& path, bool check) {
  Content out;
  auto db = bbolt::Db::Open(path);
  EXPECT_TRUE(db.ok()) << db.status();
  if (!db.ok()) return out;
  if (check) {
    bbolt::CheckReport r = bbolt::Check(**db);
    EXPECT_TRUE(r.ok()) << path << ": " << (r.problems.empty() ? "" : r.problems[0]);
  }
  EXPECT_TRUE((*db)->ForEach((*db)->root(), [&](const bbolt::Entry& b) -> absl::Status {
                    auto& m = out[std::string(b.key)];
                    KETCD_ASSIGN_OR_RETURN(bbolt::Bucket bucket, (*db)->BucketFromEntry(b));
                    return (*db)->ForEach(bucket, [&](const bbolt::Entry& e) {
                      m[std::string(e.key)] = std::string(e.value);
                      return absl::OkStatus();
                    });
                  }).ok());
  return out;
}

// A snapshot whose `key` bucket spans many pages, with old members and a trailer.
std::string BigSnapshot(const std::string& dir) {
  std::string path = dir + "/big.db";
  {
    auto w = bbolt::BulkWriter::Create(path);
    EXPECT_TRUE(w.ok());
    EXPECT_TRUE((*w)->BeginBucket("alarm").ok());
    EXPECT_TRUE((*w)->EndBucket().ok());
    EXPECT_TRUE((*w)->BeginBucket("key").ok());
    for (int i = 1; i <= 20000; i++) {
      EXPECT_TRUE((*w)->Put(RevisionKey(i, 0), std::string(100 + i % 50, 'v')).ok());
    }
    EXPECT_TRUE((*w)->EndBucket().ok());
    EXPECT_TRUE((*w)->BeginBucket("members").ok());
    EXPECT_TRUE((*w)->Put("1234", "{\"id\":4660}").ok());
    EXPECT_TRUE((*w)->EndBucket().ok());
    EXPECT_TRUE((*w)->BeginBucket("meta").ok());
    EXPECT_TRUE((*w)->Put("consistent_index", std::string(8, '\x07')).ok());
    EXPECT_TRUE((*w)->EndBucket().ok());
    EXPECT_TRUE((*w)->Finish().ok());
  }
  auto bytes = fsutil::ReadFile(path);
  EXPECT_TRUE(bytes.ok());
  Sha256 h;
  h.Update(*bytes);
  Sha256Digest d = h.Final();
  *bytes += std::string(reinterpret_cast<const char*>(d.data()), d.size());
  std::string snap = dir + "/big.snap";
  EXPECT_TRUE(fsutil::WriteFileAtomically(snap, *bytes, {}).ok());
  return snap;
}

class RestorePatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/restore_patch_test_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    ASSERT_TRUE(fsutil::RemoveAll(dir_).ok());
    ASSERT_TRUE(fsutil::MkdirAll(dir_, 0700).ok());
  }
  void TearDown() override { (void)fsutil::RemoveAll(dir_); }

  void Compare(const std::string& snapshot, uint64_t bump, const std::string& cluster) {
    SCOPED_TRACE(snapshot + " bump " + std::to_string(bump) + " " + cluster);
    RestoreResult res[2];
    Content content[2];
    for (int compact = 0; compact < 2; compact++) {
      RestoreOptions o;
      o.snapshot_path = snapshot;
      o.data_dir = dir_ + "/data" + std::to_string(n_++);
      o.bump_revision = bump;
      o.mark_compacted = bump > 0;
      o.compact_db = compact == 1;
      auto size = fsutil::ReadFile(snapshot);
      o.skip_hash_check = size.ok() && !bbolt::HasSha256Trailer(size->size());
      if (!cluster.empty()) {
        o.name = "a";
        o.initial_cluster = cluster;
        o.initial_advertise_peer_urls = "http://10.0.0.1:2380";
      }
      auto r = Restore(o);
      ASSERT_TRUE(r.ok()) << r.status();
      res[compact] = *r;
      content[compact] = ReadDb(r->db_path, true);
    }
    EXPECT_EQ(content[0], content[1]);
    EXPECT_EQ(res[0].revision, res[1].revision);
    EXPECT_EQ(res[0].bumped_revision, res[1].bumped_revision);
    EXPECT_EQ(res[0].revisions, res[1].revisions);
    EXPECT_EQ(res[0].members_dropped, res[1].members_dropped);
    EXPECT_EQ(res[0].sha256, res[1].sha256);
    EXPECT_EQ(res[0].hash_checked, res[1].hash_checked);
  }

  std::string dir_;
  int n_ = 0;
};

TEST_F(RestorePatchTest, SameContentAsCompactRewrite) {
  const std::string three = "a=http://10.0.0.1:2380,b=http://10.0.0.2:2380,c=http://10.0.0.3:2380";
  std::vector<std::string> snapshots = {BigSnapshot(dir_)};
  for (const char* v : {"3.4", "3.5", "3.6", "3.7"}) {
    for (const std::string& p :
         {kTestdata + "/snap-" + v + ".db", kTestdata + "/../../bbolt/testdata/etcd-" + v + ".db"}) {
      if (fsutil::PathExists(p)) snapshots.push_back(p);
    }
  }
  for (const std::string& s : snapshots) {
    for (uint64_t bump : {uint64_t{0}, uint64_t{1000}}) {
      for (const std::string& cluster : {std::string(), three}) Compare(s, bump, cluster);
    }
  }
}

}  // namespace
}  // namespace ketcd::restore
