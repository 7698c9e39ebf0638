#include "pkg/fsutil/atomic_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>

#include "pkg/fsutil/file.h"

namespace ketcd::fsutil {
namespace {

class AtomicFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/ketcd-fsutil-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
  }
  void TearDown() override { ASSERT_TRUE(RemoveAll(dir_).ok()); }
  std::string Path(const char* name) { return JoinPath(dir_, name); }
  std::string dir_;
};

TEST_F(AtomicFileTest, CommitPublishesWithMode) {
  auto f = AtomicFile::Create(Path("a"), {.mode = 0600});
  ASSERT_TRUE(f.ok()) << f.status();
  ASSERT_TRUE((*f)->Append("hello").ok());
  EXPECT_FALSE(PathExists(Path("a")));
  EXPECT_TRUE(PathExists(Path("a.part")));
  ASSERT_TRUE((*f)->Commit().ok());
  EXPECT_EQ(*ReadFile(Path("a")), "hello");
  EXPECT_FALSE(PathExists(Path("a.part")));
  struct stat st;
  ASSERT_EQ(::stat(Path("a").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(AtomicFileTest, DestructorRemovesTempWithoutCommit) {
  {
    auto f = AtomicFile::Create(Path("b"), {});
    ASSERT_TRUE(f.ok());
    ASSERT_TRUE((*f)->Append("partial").ok());
  }
  EXPECT_FALSE(PathExists(Path("b")));
  EXPECT_FALSE(PathExists(Path("b.part")));
}

TEST_F(AtomicFileTest, RefusesExistingUnlessOverwrite) {
  ASSERT_TRUE(WriteFileAtomically(Path("c"), "old", {}).ok());
  auto again = AtomicFile::Create(Path("c"), {});
  EXPECT_TRUE(absl::IsAlreadyExists(again.status()));
  EXPECT_EQ(*ReadFile(Path("c")), "old");
  ASSERT_TRUE(WriteFileAtomically(Path("c"), "new", {.overwrite = true}).ok());
  EXPECT_EQ(*ReadFile(Path("c")), "new");
}

// A .part left by a killed run (nobody holds its lock) used to block every later run,
// --force or not; it is replaced, and the final file is still not overwritten without it.
TEST_F(AtomicFileTest, ReplacesAStaleTemp) {
  ASSERT_TRUE(WriteFileAtomically(Path("d.part"), "left by a killed run", {}).ok());
  auto f = AtomicFile::Create(Path("d"), {});
  ASSERT_TRUE(f.ok()) << f.status();
  ASSERT_TRUE((*f)->Append("new").ok());
  ASSERT_TRUE((*f)->Commit().ok());
  EXPECT_EQ(*ReadFile(Path("d")), "new");
  EXPECT_FALSE(PathExists(Path("d.part")));

  ASSERT_TRUE(WriteFileAtomically(Path("d.part"), "stale again", {}).ok());
  EXPECT_TRUE(absl::IsAlreadyExists(AtomicFile::Create(Path("d"), {}).status()));
  EXPECT_TRUE(WriteFileAtomically(Path("d"), "forced", {.overwrite = true}).ok());
  EXPECT_EQ(*ReadFile(Path("d")), "forced");
}

// A .part another run is writing (it holds the lock) is left alone.
TEST_F(AtomicFileTest, RefusesATempBeingWritten) {
  auto writer = AtomicFile::Create(Path("e"), {});
  ASSERT_TRUE(writer.ok()) << writer.status();
  ASSERT_TRUE((*writer)->Append("in progress").ok());
  for (bool overwrite : {false, true}) {
    auto other = AtomicFile::Create(Path("e"), {.overwrite = overwrite});
    EXPECT_TRUE(absl::IsAlreadyExists(other.status())) << other.status();
    EXPECT_NE(other.status().message().find("another run"), std::string::npos) << other.status();
  }
  ASSERT_TRUE((*writer)->Commit().ok());
  EXPECT_EQ(*ReadFile(Path("e")), "in progress");
}

}  // namespace
}  // namespace ketcd::fsutil
