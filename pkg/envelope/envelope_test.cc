#include <dirent.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <string>
#include <vector>

#include "pkg/envelope/seal.h"
#include "pkg/envelope/unseal.h"
#include "pkg/fsutil/atomic_file.h"
#include "pkg/fsutil/file.h"

namespace ketcd::envelope {
namespace {

class EnvelopeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/envelope_test.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    tmp_ = fsutil::JoinPath(dir_, "tmp");
    ASSERT_TRUE(fsutil::MkdirAll(tmp_, 0700).ok());
  }
  void TearDown() override { (void)fsutil::RemoveAll(dir_); }

  std::string Write(const std::string& name, const std::string& content) {
    std::string p = fsutil::JoinPath(dir_, name);
    EXPECT_TRUE(fsutil::WriteFileAtomically(p, content, {.overwrite = true}).ok());
    return p;
  }

  std::string Seal(const std::string& content, const SealOptions& o) {
    std::string out;
    stream::FnWriter sink([&](const void* p, size_t n) {
      out.append(static_cast<const char*>(p), n);
      return absl::OkStatus();
    });
    auto w = NewSealWriter(&sink, o);
    EXPECT_TRUE(w.ok()) << w.status();
    EXPECT_TRUE((*w)->Write(content.data(), content.size()).ok());
    EXPECT_TRUE((*w)->Close().ok());
    return out;
  }

  std::vector<std::string> TempEntries() {
    std::vector<std::string> names;
    DIR* d = ::opendir(tmp_.c_str());
    while (dirent* e = ::readdir(d)) {
      std::string n = e->d_name;
      if (n != "." && n != "..") names.push_back(n);
    }
    ::closedir(d);
    return names;
  }

  UnsealOptions Temp() {
    UnsealOptions o;
    o.temp_parent = tmp_;
    return o;
  }

  std::string dir_, tmp_;
};

SealOptions Zstd(int workers = 0) {
  SealOptions o;
  o.zstd = true;
  o.zstd_options.workers = workers;
  return o;
}

std::string Content() {
  std::string s;
  for (int i = 0; i < 100000; i++) s += "key-" + std::to_string(i) + "=value;";
  return s;
}

TEST_F(EnvelopeTest, NamesFollowTheLayers) {
  EXPECT_EQ(FileSuffix({}), "");
  EXPECT_EQ(CompressionName({}), "none");
  EXPECT_FALSE(Sealed({}));
  SealOptions z = Zstd();
  EXPECT_EQ(FileSuffix(z), ".zst");
  EXPECT_EQ(CompressionName(z), "zstd");
  EXPECT_TRUE(Sealed(z));
}

TEST_F(EnvelopeTest, PlainFileIsUsedWhereItIs) {
  std::string p = Write("plain.db", std::string(4096, '\0') + "bbolt");
  auto u = Unseal(p, Temp());
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ((*u)->path(), p);
  EXPECT_FALSE((*u)->compressed());
  EXPECT_TRUE((*u)->temp_dir().empty());
  EXPECT_TRUE(TempEntries().empty());
}

TEST_F(EnvelopeTest, ZstdFileIsDecodedIntoAPrivateDirRemovedAfterwards) {
  const std::string content = Content();
  // Named .db on purpose: the first bytes decide, not the name.
  std::string p = Write("snap.db", Seal(content, Zstd(2)));
  std::string temp_dir;
  {
    auto u = Unseal(p, Temp());
    ASSERT_TRUE(u.ok()) << u.status();
    EXPECT_TRUE((*u)->compressed());
    EXPECT_FALSE((*u)->encrypted());
    temp_dir = (*u)->temp_dir();
    EXPECT_EQ(fsutil::Dirname(temp_dir), tmp_);
    EXPECT_EQ(fsutil::Dirname((*u)->path()), temp_dir);
    auto got = fsutil::ReadFile((*u)->path());
    ASSERT_TRUE(got.ok());
    EXPECT_TRUE(*got == content);
    struct stat st {};
    ASSERT_EQ(::stat(temp_dir.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u);
  }
  EXPECT_FALSE(fsutil::PathExists(temp_dir));
  EXPECT_TRUE(TempEntries().empty());
}

TEST_F(EnvelopeTest, TruncatedZstdIsDataLossAndLeavesNothing) {
  std::string sealed = Seal(Content(), Zstd());
  std::string p = Write("snap.db.zst", sealed.substr(0, sealed.size() - 10));
  auto u = Unseal(p, Temp());
  ASSERT_FALSE(u.ok());
  EXPECT_EQ(u.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(u.status().message().find(p), std::string::npos) << u.status();
  EXPECT_TRUE(TempEntries().empty());
}

TEST_F(EnvelopeTest, MissingFileAndFifoArePassedThrough) {
  auto u = Unseal(fsutil::JoinPath(dir_, "missing"), Temp());
  ASSERT_TRUE(u.ok());
  EXPECT_EQ((*u)->path(), fsutil::JoinPath(dir_, "missing"));
  std::string fifo = fsutil::JoinPath(dir_, "fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto f = Unseal(fifo, Temp());  // must not block reading it
  ASSERT_TRUE(f.ok());
  EXPECT_EQ((*f)->path(), fifo);
}

}  // namespace
}  // namespace ketcd::envelope
