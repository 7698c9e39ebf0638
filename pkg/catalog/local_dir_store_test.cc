#include "pkg/catalog/local_dir_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <sys/file.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "pkg/fsutil/file.h"
#include "pkg/fsutil/test_dir.h"

namespace ketcd::catalog {
namespace {

std::vector<std::string> Names(Store& store) {
  auto entries = store.List();
  EXPECT_TRUE(entries.ok()) << entries.status();
  std::vector<std::string> out;
  if (entries.ok()) {
    for (const auto& e : *entries) out.push_back(e.name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(LocalDirStoreTest, ListsRegularFilesOnlyAndRecursesWhenAsked) {
  fsutil::TestDir dir;
  dir.Write("/a.db", "12345");
  dir.Write("/sub/b.db", "x");
  std::filesystem::create_symlink(dir.path() + "/a.db", dir.path() + "/link.db");
  LocalDirStore flat(dir.path());
  EXPECT_EQ(Names(flat), (std::vector<std::string>{"a.db"}));
  LocalDirStore deep(dir.path(), /*recursive=*/true);
  EXPECT_EQ(Names(deep), (std::vector<std::string>{"a.db", "sub/b.db"}));
  auto entries = flat.List();
  ASSERT_TRUE(entries.ok());
  EXPECT_EQ((*entries)[0].size, 5u);
  EXPECT_GT((*entries)[0].modified, 0);
}

TEST(LocalDirStoreTest, ReadSmallReadsAPrefix) {
  fsutil::TestDir dir;
  dir.Write("/a.db", "0123456789");
  LocalDirStore store(dir.path());
  EXPECT_EQ(*store.ReadSmall("a.db", 4), "0123");
  EXPECT_EQ(*store.ReadSmall("a.db", 100), "0123456789");
  EXPECT_TRUE(absl::IsNotFound(store.ReadSmall("missing.db", 4).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(store.ReadSmall("../a.db", 4).status()));
}

TEST(LocalDirStoreTest, RemovesDurablyButNotThroughLinksOrLocks) {
  fsutil::TestDir dir, elsewhere;
  dir.Write("/a.db", "a");
  dir.Write("/b.db.part", "being written");
  elsewhere.Write("/target.db", "keep me");
  std::filesystem::create_symlink(elsewhere.path() + "/target.db", dir.path() + "/link.db");
  LocalDirStore store(dir.path());

  EXPECT_TRUE(store.Remove("a.db").ok());
  EXPECT_FALSE(fsutil::PathExists(dir.path() + "/a.db"));
  EXPECT_TRUE(store.Remove("a.db").ok());  // already gone
  EXPECT_TRUE(store.Sync().ok());

  EXPECT_FALSE(store.Remove("link.db").ok());
  EXPECT_TRUE(fsutil::PathExists(elsewhere.path() + "/target.db"));

  int fd = ::open((dir.path() + "/b.db.part").c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX), 0);  // as a running backup holds it
  EXPECT_TRUE(absl::IsAlreadyExists(store.Remove("b.db.part")));
  EXPECT_TRUE(fsutil::PathExists(dir.path() + "/b.db.part"));
  ::close(fd);
  EXPECT_TRUE(store.Remove("b.db.part").ok());
  EXPECT_FALSE(fsutil::PathExists(dir.path() + "/b.db.part"));

  EXPECT_TRUE(absl::IsInvalidArgument(store.Remove("../x")));
  EXPECT_TRUE(absl::IsInvalidArgument(store.Remove("/etc/passwd")));
}

TEST(LocalDirStoreTest, OpenStoreNamesWhatIsWrong) {
  fsutil::TestDir dir;
  dir.Write("/file", "");
  EXPECT_TRUE(OpenStore(dir.path(), false).ok());
  EXPECT_TRUE(absl::IsNotFound(OpenStore(dir.path() + "/missing", false).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(OpenStore(dir.path() + "/file", false).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(OpenStore("s3://bucket/prefix/", false).status()));
}

}  // namespace
}  // namespace ketcd::catalog
