#include "pkg/restore/restore.h"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "pkg/base/bytes.h"
#include "pkg/bbolt/db.h"
#include "pkg/bbolt/writer.h"
#include "pkg/fsutil/atomic_file.h"
#include "pkg/fsutil/file.h"
#include "pkg/restore/backend_edit.h"
#include "pkg/restore/wal_writer.h"

namespace ketcd::restore {
namespace {

const std::string kTestdata = KETCD_RESTORE_TESTDATA;

class RestoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/restore_test_" + ::testing::UnitTest::GetInstance()->current_test_info()->name();
    ASSERT_TRUE(fsutil::RemoveAll(dir_).ok());
    ASSERT_TRUE(fsutil::MkdirAll(dir_, 0700).ok());
  }
  void TearDown() override { (void)fsutil::RemoveAll(dir_); }

  RestoreOptions Opts() {
    RestoreOptions o;
    o.snapshot_path = kTestdata + "/snap-3.4.db";
    o.data_dir = dir_ + "/data";
    return o;
  }
  std::string Read(const std::string& p) {
    auto s = fsutil::ReadFile(p);
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? *s : "";
  }
  std::string Corrupt(size_t offset) {
    std::string bytes = Read(kTestdata + "/snap-3.4.db");
    bytes[offset] ^= 0x55;
    std::string p = dir_ + "/corrupt.db";
    EXPECT_TRUE(fsutil::WriteFileAtomically(p, bytes, {}).ok());
    return p;
  }
  // The entries of `bucket` in the restored db.
  std::map<std::string, std::string> Bucket(const std::string& db_path, const std::string& bucket) {
    std::map<std::string, std::string> out;
    auto db = bbolt::Db::Open(db_path);
    EXPECT_TRUE(db.ok()) << db.status();
    if (!db.ok()) return out;
    auto b = (*db)->FindBucket((*db)->root(), bucket);
    if (!b.ok() || !b->has_value()) return {{"<missing>", ""}};
    EXPECT_TRUE((*db)->ForEach(**b, [&](const bbolt::Entry& e) {
                      out[std::string(e.key)] = std::string(e.value);
                      return absl::OkStatus();
                    }).ok());
    return out;
  }
  bool Exists(const std::string& p) { return fsutil::PathExists(p); }
  std::string dir_;
};

std::string U64(uint64_t v) {
  std::string s(8, '\0');
  StoreBE64(s.data(), v);
  return s;
}

TEST_F(RestoreTest, WritesWhatEtcdctl34Writes) {
  auto r = Restore(Opts());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->format, EtcdFormat::k34);  // a 3.4 snapshot: no meta/term, no storageVersion
  EXPECT_TRUE(r->format_detected);
  EXPECT_TRUE(r->hash_checked);
  EXPECT_EQ(r->revision, 4);
  EXPECT_EQ(r->revisions, 3u);

  std::string wal = Read(dir_ + "/data/member/wal/" + kFirstWalName);
  ASSERT_EQ(wal.size(), kWalSegmentBytes);
  std::string golden = Read(kTestdata + "/3.4-one.wal");
  EXPECT_EQ(wal.substr(0, golden.size()), golden);
  EXPECT_EQ(wal.find_first_not_of('\0', golden.size()), std::string::npos);
  EXPECT_EQ(Read(dir_ + "/data/member/snap/0000000000000001-0000000000000001.snap"),
            Read(kTestdata + "/3.4-one-0000000000000001-0000000000000001.snap"));

  struct stat st;
  ASSERT_EQ(::stat((dir_ + "/data").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ASSERT_EQ(::stat((dir_ + "/data/member/snap/db").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_FALSE(Exists(dir_ + "/.data.kubectl-etcd-tmp"));

  std::string db = dir_ + "/data/member/snap/db";
  auto members = Bucket(db, "members");
  ASSERT_EQ(members.size(), 1u);
  EXPECT_EQ(members["8e9e05c52164694d"],
            "{\"id\":10276657743932975437,\"peerURLs\":[\"http://localhost:2380\"],\"name\":\"default\"}");
  EXPECT_TRUE(Bucket(db, "members_removed").empty());
  auto meta = Bucket(db, "meta");
  EXPECT_EQ(meta["consistent_index"], U64(1));
  EXPECT_EQ(meta["term"], U64(1));
  EXPECT_EQ(meta.count("scheduledCompactRev"), 0u);
  EXPECT_EQ(Bucket(db, "key").size(), 3u);
  for (const auto& b : SchemaBuckets()) EXPECT_EQ(Bucket(db, b).count("<missing>"), 0u) << b;
}

TEST_F(RestoreTest, ExplicitFormatAndBump) {
  RestoreOptions o = Opts();
  o.format = EtcdFormat::k37;
  o.bump_revision = 100;
  o.mark_compacted = true;
  auto r = Restore(o);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->bumped_revision, 104);
  std::string wal = Read(dir_ + "/data/member/wal/" + kFirstWalName);
  std::string golden = Read(kTestdata + "/3.7-one.wal");
  EXPECT_EQ(wal.substr(0, golden.size()), golden);
  std::string db = dir_ + "/data/member/snap/db";
  EXPECT_EQ(Bucket(db, "key").at(RevisionKey(104, 0)), "");
  EXPECT_EQ(Bucket(db, "meta").at("scheduledCompactRev"), RevisionKey(104, 0));
}

TEST_F(RestoreTest, RefusesNonEmptyDataDir) {
  ASSERT_TRUE(fsutil::MkdirAll(dir_ + "/data", 0700).ok());
  ASSERT_TRUE(fsutil::WriteFileAtomically(dir_ + "/data/x", "x", {}).ok());
  auto r = Restore(Opts());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(r.status().message(), "data-dir \"" + dir_ + "/data\" not empty or could not be read");
}

TEST_F(RestoreTest, AcceptsEmptyDataDir) {
  ASSERT_TRUE(fsutil::MkdirAll(dir_ + "/data", 0700).ok());
  auto r = Restore(Opts());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(Exists(dir_ + "/data/member/snap/db"));
  EXPECT_FALSE(Exists(dir_ + "/data/.kubectl-etcd-tmp"));
}

TEST_F(RestoreTest, SeparateWalDir) {
  RestoreOptions o = Opts();
  o.wal_dir = dir_ + "/wal";
  ASSERT_TRUE(Restore(o).ok());
  EXPECT_TRUE(Exists(dir_ + "/wal/" + kFirstWalName));
  EXPECT_FALSE(Exists(dir_ + "/data/member/wal"));
  // Again: the WAL dir exists now (and the data dir is not empty).
  o.data_dir = dir_ + "/data2";
  auto r = Restore(o);
  EXPECT_EQ(r.status().message(), "wal-dir \"" + dir_ + "/wal\" exists");
  EXPECT_FALSE(Exists(dir_ + "/data2"));
}

TEST_F(RestoreTest, HashMismatchLeavesNothing) {
  RestoreOptions o = Opts();
  o.snapshot_path = Corrupt(20480 + 3);  // inside the trailer
  auto r = Restore(o);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(r.status().message().find("expected sha256"), std::string::npos);
  EXPECT_FALSE(Exists(dir_ + "/data"));
  o.skip_hash_check = true;
  EXPECT_TRUE(Restore(o).ok());
}

TEST_F(RestoreTest, MissingTrailerNeedsSkipHashCheck) {
  std::string bytes = Read(kTestdata + "/snap-3.4.db");
  std::string raw = dir_ + "/raw.db";
  ASSERT_TRUE(fsutil::WriteFileAtomically(raw, bytes.substr(0, bytes.size() - 32), {}).ok());
  RestoreOptions o = Opts();
  o.snapshot_path = raw;
  auto r = Restore(o);
  EXPECT_NE(r.status().message().find("snapshot missing hash but --skip-hash-check=false"), std::string::npos);
  o.skip_hash_check = true;
  EXPECT_TRUE(Restore(o).ok());
}

TEST_F(RestoreTest, RemovesStaleStagingDir) {
  ASSERT_TRUE(fsutil::MkdirAll(dir_ + "/.data.kubectl-etcd-tmp/member", 0700).ok());
  ASSERT_TRUE(fsutil::WriteFileAtomically(dir_ + "/.data.kubectl-etcd-tmp/.kubectl-etcd-restore", "", {}).ok());
  ASSERT_TRUE(Restore(Opts()).ok());
  EXPECT_FALSE(Exists(dir_ + "/.data.kubectl-etcd-tmp"));
}

// --data-dir naming a symbolic link: refused, nothing written where it points.
TEST_F(RestoreTest, RefusesASymlinkedDataDir) {
  ASSERT_EQ(::mkdir((dir_ + "/real").c_str(), 0755), 0);
  ASSERT_EQ(::symlink((dir_ + "/real").c_str(), (dir_ + "/data").c_str()), 0);
  auto r = Restore(Opts());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition) << r.status();
  EXPECT_NE(r.status().message().find("symbolic link"), std::string::npos) << r.status();
  EXPECT_FALSE(Exists(dir_ + "/real/member"));
}

TEST_F(RestoreTest, RefusesForeignStagingDir) {
  ASSERT_TRUE(fsutil::MkdirAll(dir_ + "/.data.kubectl-etcd-tmp", 0700).ok());
  EXPECT_EQ(Restore(Opts()).status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(Exists(dir_ + "/.data.kubectl-etcd-tmp"));
}

// The snapshot is truncated by someone else while the restore reads it. Reading past the new
// end of the mapping would kill the process with SIGBUS; the restore fails with DataLoss and
// leaves nothing behind, on both the compacting and the patching path.
TEST_F(RestoreTest, SnapshotTruncatedDuringRestoreIsDataLoss) {
  for (bool compact : {true, false}) {
    const std::string snap = dir_ + "/truncated.db";
    ASSERT_TRUE(fsutil::WriteFileAtomically(snap, Read(kTestdata + "/snap-3.4.db"), {.overwrite = true}).ok());
    RestoreOptions o = Opts();
    o.snapshot_path = snap;
    o.compact_db = compact;
    bool truncated = false;
    auto r = Restore(o, [&](uint64_t, uint64_t) {
      if (!truncated) {
        EXPECT_EQ(::truncate(snap.c_str(), 8192), 0);  // the two meta pages
      }
      truncated = true;
    });
    EXPECT_TRUE(truncated);
    EXPECT_EQ(r.status().code(), absl::StatusCode::kDataLoss) << "compact " << compact << ": " << r.status();
    EXPECT_NE(r.status().message().find("changed size or could not be read"), std::string::npos) << r.status();
    EXPECT_FALSE(Exists(dir_ + "/data"));
    EXPECT_FALSE(Exists(dir_ + "/.data.kubectl-etcd-tmp"));
  }
}

// A bbolt file that is not an etcd database (here a `key` bucket whose keys are not
// revisions) is a bad snapshot: DataLoss (exit 4), not a refusal (exit 5) or exit 1.
TEST_F(RestoreTest, NotAnEtcdDatabaseIsDataLoss) {
  const std::string path = dir_ + "/other.db";
  {
    auto w = bbolt::BulkWriter::Create(path);
    ASSERT_TRUE(w.ok()) << w.status();
    ASSERT_TRUE((*w)->BeginBucket("key").ok());
    ASSERT_TRUE((*w)->Put("x", "y").ok());
    ASSERT_TRUE((*w)->EndBucket().ok());
    ASSERT_TRUE((*w)->Finish().ok());
  }
  for (bool compact : {true, false}) {
    RestoreOptions o = Opts();
    o.snapshot_path = path;
    o.skip_hash_check = true;
    o.compact_db = compact;
    auto r = Restore(o);
    EXPECT_EQ(r.status().code(), absl::StatusCode::kDataLoss) << "compact " << compact << ": " << r.status();
    EXPECT_FALSE(Exists(dir_ + "/data"));
  }
}

// A data dir where we may not create anything is a local file error (exit 1), not exit 3
// ("cannot talk to etcd"). /sys refuses new entries even to root.
TEST_F(RestoreTest, PermissionDeniedOnTheDataDirIsAFileError) {
  if (::mkdir("/sys/ketcd-restore-test", 0700) == 0 || (errno != EACCES && errno != EPERM)) {
    ::rmdir("/sys/ketcd-restore-test");
    GTEST_SKIP() << "/sys does not refuse new directories here";
  }
  RestoreOptions o = Opts();
  o.data_dir = "/sys/ketcd-restore-test";
  auto r = Restore(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(ExitCodeFor(r.status()), kExitError) << r.status();
}

TEST_F(RestoreTest, RefusesAFifoWithoutBlocking) {
  const std::string fifo = dir_ + "/snap.fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  RestoreOptions o = Opts();
  o.snapshot_path = fifo;
  auto r = Restore(o);  // a regression blocks here until the test times out
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << r.status();
  EXPECT_NE(r.status().message().find("FIFO"), std::string::npos) << r.status();
}

}  // namespace
}  // namespace ketcd::restore
