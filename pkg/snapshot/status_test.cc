#include "pkg/snapshot/status.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "pkg/base/bytes.h"
#include "pkg/base/crc32c.h"
#include "pkg/bbolt/writer.h"
#include "pkg/fsutil/file.h"

namespace ketcd::snapshot {
namespace {

std::string Fixture(const std::string& name) { return std::string(KETCD_BBOLT_TESTDATA) + "/" + name; }

class StatusFixtureTest : public ::testing::TestWithParam<std::string> {};

// The reference outputs were recorded with etcdctl 3.4 / etcdutl 3.5+ (testdata/make_fixtures.sh).
TEST_P(StatusFixtureTest, MatchesReferenceTool) {
  std::ifstream in(Fixture("etcd-" + GetParam() + ".status.json"));
  std::stringstream ss;
  ss << in.rdbuf();
  auto want = nlohmann::json::parse(ss.str());
  auto db = bbolt::Db::Open(Fixture("etcd-" + GetParam() + ".db"));
  ASSERT_TRUE(db.ok()) << db.status();
  StatusOptions opts;
  opts.inspect = true;
  auto st = ComputeStatus(**db, opts);
  ASSERT_TRUE(st.ok()) << st.status();
  EXPECT_EQ(st->hash, want["hash"].get<uint32_t>());
  EXPECT_EQ(st->revision, want["revision"].get<int64_t>());
  EXPECT_EQ(st->total_key, want["totalKey"].get<int64_t>());
  EXPECT_EQ(st->total_size, want["totalSize"].get<int64_t>());
  EXPECT_EQ(st->version, want.value("version", ""));
  EXPECT_TRUE(st->integrity.ok());
  EXPECT_EQ(st->trailer.state, bbolt::TrailerState::kMatch);
  // Fixture content: see make_fixtures.sh.
  EXPECT_EQ(st->inspect.live_keys, 4u);
  EXPECT_EQ(st->inspect.resources["pods"].keys, 2u);
  EXPECT_EQ(st->inspect.resources["pods"].namespaces["kube-system"], 1u);
  EXPECT_EQ(st->inspect.leases, 1u);
  EXPECT_EQ(st->inspect.users, std::vector<std::string>{"alice"});
  EXPECT_EQ(st->inspect.roles, std::vector<std::string>{"reader"});
  EXPECT_EQ(st->inspect.members.size(), 1u);
  EXPECT_GT(st->inspect.compacted_revision, 0);
  auto latest = LatestRevision(**db);
  ASSERT_TRUE(latest.ok()) << latest.status();
  EXPECT_EQ(*latest, st->revision);
}

INSTANTIATE_TEST_SUITE_P(AllVersions, StatusFixtureTest, ::testing::Values("3.4", "3.5", "3.6", "3.7"));

std::string RevisionKey(uint64_t main) {
  std::string k(17, '_');
  StoreBE64(k.data(), main);
  StoreBE64(k.data() + 9, 0);
  return k;
}

// etcd's hash the plain way: one CRC-32C over each top-level bucket's name, keys and values.
uint32_t SequentialHash(const bbolt::Db& db) {
  uint32_t crc = 0;
  EXPECT_TRUE(db.ForEach(db.root(), [&](const bbolt::Entry& b) -> absl::Status {
                  crc = Crc32cExtend(crc, b.key);
                  KETCD_ASSIGN_OR_RETURN(bbolt::Bucket bucket, db.BucketFromEntry(b));
                  return db.ForEach(bucket, [&](const bbolt::Entry& e) {
                    crc = Crc32cExtend(crc, e.key);
                    crc = Crc32cExtend(crc, e.value);
                    return absl::OkStatus();
                  });
                }).ok());
  return crc;
}

// Tens of MiB over several buckets, so the hash runs in many batches on the worker threads,
// fed by the integrity check's walk or, with the check off, by the plain walk: both must give
// the sequential value and the same counts.
TEST(StatusTest, HashIsTheSameFedByTheCheckOrByTheWalk) {
  const std::string path = ::testing::TempDir() + "/status_hash_" + std::to_string(::getpid()) + ".db";
  {
    auto w = bbolt::BulkWriter::Create(path);
    ASSERT_TRUE(w.ok()) << w.status();
    ASSERT_TRUE((*w)->BeginBucket("alarm").ok());
    ASSERT_TRUE((*w)->EndBucket().ok());
    ASSERT_TRUE((*w)->BeginBucket("key").ok());
    for (int i = 1; i <= 3000; i++) {
      // Alternating small and page-spanning values: inline spans and overflow runs.
      std::string value(i % 2 ? 200 : 20000, static_cast<char>('a' + i % 26));
      ASSERT_TRUE((*w)->Put(RevisionKey(static_cast<uint64_t>(i)), value).ok());
    }
    ASSERT_TRUE((*w)->EndBucket().ok());
    ASSERT_TRUE((*w)->BeginBucket("meta").ok());
    ASSERT_TRUE((*w)->Put("consistent_index", std::string(8, '\0')).ok());
    ASSERT_TRUE((*w)->EndBucket().ok());
    ASSERT_TRUE((*w)->Finish().ok());
  }
  auto db = bbolt::Db::Open(path);
  ASSERT_TRUE(db.ok()) << db.status();
  const uint32_t want = SequentialHash(**db);
  for (bool check : {true, false}) {
    StatusOptions o;
    o.check_integrity = check;
    auto st = ComputeStatus(**db, o);
    ASSERT_TRUE(st.ok()) << st.status();
    EXPECT_EQ(st->hash, want) << "check_integrity " << check;
    EXPECT_EQ(st->revision, 3000);
    EXPECT_EQ(*LatestRevision(**db), 3000);  // down a tree several levels deep
    EXPECT_EQ(st->total_key, 3001);
    EXPECT_EQ(st->integrity_checked, check);
    ASSERT_EQ(st->buckets.size(), 3u);
    EXPECT_EQ(st->buckets[1], std::make_pair(std::string("key"), uint64_t{3000}));
  }
  ::unlink(path.c_str());
}

TEST(StatusTest, IntegrityStatusListsProblems) {
  bbolt::CheckReport r;
  EXPECT_TRUE(IntegrityStatus(r).ok());
  r.problems = {"page 3: multiple references"};
  r.problem_count = 1;
  absl::Status s = IntegrityStatus(r);
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(s.message(), "snapshot file integrity check failed. 1 errors found.\npage 3: multiple references");
}

std::string CopyOfFixture(const std::string& version, const std::string& name) {
  const std::string path = ::testing::TempDir() + "/status_" + name + "_" + std::to_string(::getpid()) + ".db";
  auto bytes = fsutil::ReadFile(Fixture("etcd-" + version + ".db"));
  EXPECT_TRUE(bytes.ok()) << bytes.status();
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  EXPECT_GE(fd, 0);
  EXPECT_TRUE(fsutil::WriteAll(fd, bytes->data(), bytes->size(), path).ok());
  ::close(fd);
  return path;
}

// Truncated by someone else after it was opened: the walk's reads beyond the new end would
// raise SIGBUS (exit 135); instead the status fails cleanly with DataLoss (exit 4).
TEST(StatusTest, FileTruncatedAfterOpenIsDataLoss) {
  for (bool check : {true, false}) {
    const std::string path = CopyOfFixture("3.5", "truncated");
    auto db = bbolt::Db::Open(path);
    ASSERT_TRUE(db.ok()) << db.status();
    ASSERT_EQ(::truncate(path.c_str(), 2 * (*db)->page_size()), 0);  // the meta pages only
    StatusOptions o;
    o.check_integrity = check;
    auto st = ComputeStatus(**db, o);
    EXPECT_EQ(st.status().code(), absl::StatusCode::kDataLoss) << st.status();
    EXPECT_NE(st.status().message().find("changed size or could not be read"), std::string::npos) << st.status();
    ::unlink(path.c_str());
  }
}

// --skip-hash-check skips hashing, not looking: a trailer that is there is reported as such.
TEST(StatusTest, UncheckedTrailerIsStillReported) {
  auto db = bbolt::Db::Open(Fixture("etcd-3.6.db"));
  ASSERT_TRUE(db.ok()) << db.status();
  StatusOptions o;
  o.check_trailer = false;
  auto st = ComputeStatus(**db, o);
  ASSERT_TRUE(st.ok()) << st.status();
  EXPECT_EQ(st->trailer.state, bbolt::TrailerState::kNotChecked);
  EXPECT_EQ(st->trailer.stored_hex.size(), 64u);
  EXPECT_TRUE(st->trailer.computed_hex.empty());
}

// A FIFO is refused without opening it for reading, which would wait for a writer. The
// helper thread plays that writer after a while, so a regression fails instead of hanging.
TEST(StatusTest, FifoIsRefusedWithoutBlocking) {
  const std::string path = ::testing::TempDir() + "/status_fifo_" + std::to_string(::getpid());
  ::unlink(path.c_str());
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  std::thread writer([&] {
    std::unique_lock<std::mutex> lock(mu);
    if (cv.wait_for(lock, std::chrono::seconds(3), [&] { return done; })) return;
    int fd = ::open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd >= 0) ::close(fd);
  });
  const auto start = std::chrono::steady_clock::now();
  auto db = bbolt::Db::Open(path);
  const auto took = std::chrono::steady_clock::now() - start;
  {
    std::lock_guard<std::mutex> lock(mu);
    done = true;
  }
  cv.notify_all();
  writer.join();
  ::unlink(path.c_str());
  EXPECT_EQ(db.status().code(), absl::StatusCode::kInvalidArgument) << db.status();
  EXPECT_NE(db.status().message().find("FIFO"), std::string::npos) << db.status();
  EXPECT_LT(took, std::chrono::seconds(2));
}

}  // namespace
}  // namespace ketcd::snapshot
