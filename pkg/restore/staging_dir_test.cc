#include "pkg/restore/staging_dir.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pkg/fsutil/atomic_file.h"
#include "pkg/fsutil/file.h"

namespace ketcd::restore {
namespace {

class StagingDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/staging_dir_test_" + ::testing::UnitTest::GetInstance()->current_test_info()->name();
    ASSERT_TRUE(fsutil::RemoveAll(dir_).ok());
    ASSERT_TRUE(fsutil::MkdirAll(dir_, 0700).ok());
  }
  void TearDown() override { (void)fsutil::RemoveAll(dir_); }
  unsigned Mode(const std::string& p) {
    struct stat st {};
    EXPECT_EQ(::lstat(p.c_str(), &st), 0) << p;
    return st.st_mode & 07777;
  }
  std::string dir_;
};

// Two plain restores into one data dir: the second is refused and the first one's staging
// dir survives it (it used to be taken for a leftover and deleted).
TEST_F(StagingDirTest, ARunningRestoreKeepsItsStagingDir) {
  for (bool existing : {false, true}) {
    const std::string target = dir_ + (existing ? "/existing" : "/missing");
    if (existing) {
      ASSERT_EQ(::mkdir(target.c_str(), 0700), 0);
    }
    auto first = StagingDir::Create(target, 0700);
    ASSERT_TRUE(first.ok()) << first.status();
    ASSERT_TRUE(fsutil::WriteFileAtomically(fsutil::JoinPath((*first)->path(), "db"), "work", {}).ok());

    auto second = StagingDir::Create(target, 0700);
    EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition) << second.status();
    EXPECT_NE(second.status().message().find("another kubectl-etcd restore"), std::string::npos) << second.status();
    EXPECT_TRUE(fsutil::PathExists(fsutil::JoinPath((*first)->path(), "db")));

    ASSERT_TRUE((*first)->Commit().ok());
    EXPECT_TRUE(fsutil::PathExists(fsutil::JoinPath(target, "db")));
  }
}

// A staging dir whose marker nobody holds was left by a killed run: replaced.
TEST_F(StagingDirTest, ReplacesALeftoverOfAKilledRun) {
  for (const char* marker : {".kubectl-etcd-restore", ".kubectl-etcd-restore.new"}) {
    const std::string temp = dir_ + "/.data.kubectl-etcd-tmp";
    ASSERT_TRUE(fsutil::MkdirAll(temp + "/member", 0700).ok());
    ASSERT_TRUE(fsutil::WriteFileAtomically(fsutil::JoinPath(temp, marker), "", {}).ok());
    auto s = StagingDir::Create(dir_ + "/data", 0700);
    ASSERT_TRUE(s.ok()) << marker << ": " << s.status();
    EXPECT_FALSE(fsutil::PathExists(temp + "/member"));
  }
}

TEST_F(StagingDirTest, RefusesASymlinkTarget) {
  const std::string real = dir_ + "/real", link = dir_ + "/link";
  ASSERT_EQ(::mkdir(real.c_str(), 0755), 0);
  ASSERT_EQ(::symlink(real.c_str(), link.c_str()), 0);
  for (const std::string& target : {link, link + "/"}) {
    auto s = StagingDir::Create(target, 0700);
    EXPECT_EQ(s.status().code(), absl::StatusCode::kFailedPrecondition) << s.status();
    EXPECT_NE(s.status().message().find("symbolic link"), std::string::npos) << s.status();
  }
  auto empty = fsutil::IsMissingOrEmptyDir(real);
  EXPECT_TRUE(empty.ok() && *empty);
  EXPECT_EQ(Mode(real), 0755u);
}

// An existing empty directory (a mount point, say) becomes the data dir: private, like a new one.
TEST_F(StagingDirTest, ExistingTargetGetsTheMode) {
  const std::string target = dir_ + "/data";
  ASSERT_EQ(::mkdir(target.c_str(), 0755), 0);
  ASSERT_EQ(::chmod(target.c_str(), 0755), 0);
  auto s = StagingDir::Create(target, 0700);
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_TRUE((*s)->Commit().ok());
  EXPECT_EQ(Mode(target), 0700u);
}

}  // namespace
}  // namespace ketcd::restore
