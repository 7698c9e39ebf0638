#include "pkg/restore/db_copy.h"

#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "pkg/base/sha256.h"
#include "pkg/fsutil/file.h"

namespace ketcd::restore {
namespace {

std::string TempPath(const std::string& name) {
  return ::testing::TempDir() + "/db_copy_test_" + std::to_string(::getpid()) + "_" + name;
}

std::string ReadBytes(const std::string& path) {
  auto b = fsutil::ReadFile(path);
  EXPECT_TRUE(b.ok()) << b.status();
  return b.ok() ? *b : "";
}

void WriteBytes(const std::string& path, const std::string& bytes) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  ASSERT_GE(fd, 0) << path;
  ASSERT_TRUE(fsutil::WriteAll(fd, bytes.data(), bytes.size(), path).ok());
  ::close(fd);
}

// A file shaped like a snapshot: an image of `n` bytes (a multiple of 512) and its SHA-256.
std::string SnapshotBytes(size_t n) {
  std::string image(n, '\0');
  std::mt19937_64 rng(7);
  for (size_t i = 0; i < n; i += 8) {
    uint64_t v = rng();
    std::memcpy(image.data() + i, &v, std::min<size_t>(8, n - i));
  }
  Sha256 h;
  h.Update(image.data(), image.size());
  Sha256Digest d = h.Final();
  return image + std::string(reinterpret_cast<const char*>(d.data()), d.size());
}

absl::StatusOr<bbolt::TrailerCheck> Copy(const std::string& src, const std::string& dst, ImageCopyOptions o,
                                         uint64_t* progress_done = nullptr) {
  int fd = ::open(dst.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  EXPECT_GE(fd, 0);
  uint64_t last_total = 0;
  o.progress = [&](uint64_t done, uint64_t total) {
    EXPECT_LE(done, total);
    if (progress_done) *progress_done = done;
    last_total = total;
  };
  auto mapped = bbolt::MappedFile::Open(src);
  if (!mapped.ok()) {
    ::close(fd);
    return mapped.status();
  }
  auto r = CopyImage(**mapped, fd, o);
  ::close(fd);
  return r;
}

class DbCopyTest : public ::testing::TestWithParam<bool> {};  // in the kernel, or through a buffer

// Larger than the hashing thread's look-ahead, so the feeding and releasing both run.
constexpr size_t kImage = (45 << 20) + 512 * 3;

TEST_P(DbCopyTest, CopiesThePrefixAndMatchesTheTrailer) {
  const std::string bytes = SnapshotBytes(kImage);
  const std::string src = TempPath("copy-src.db"), dst = TempPath("copy-dst.db");
  WriteBytes(src, bytes);
  ImageCopyOptions o;
  o.copy_bytes = kImage - 4096;  // the database ends before the file
  o.in_kernel = GetParam();
  uint64_t done = 0;
  auto r = Copy(src, dst, o, &done);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->state, bbolt::TrailerState::kMatch);
  EXPECT_EQ(r->computed_hex, r->stored_hex);
  EXPECT_EQ(done, o.copy_bytes + kImage);  // copied plus hashed
  EXPECT_EQ(ReadBytes(dst), bytes.substr(0, o.copy_bytes));
}

TEST_P(DbCopyTest, ReportsAMismatchAnywhereInTheImage) {
  for (size_t at : {size_t{0}, kImage / 2, kImage - 1}) {
    std::string bytes = SnapshotBytes(kImage);
    bytes[at] ^= 0x01;
    const std::string src = TempPath("copy-bad.db"), dst = TempPath("copy-bad-dst.db");
    WriteBytes(src, bytes);
    ImageCopyOptions o;
    o.copy_bytes = kImage;
    o.in_kernel = GetParam();
    auto r = Copy(src, dst, o);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->state, bbolt::TrailerState::kMismatch) << "flipped byte " << at;
    EXPECT_NE(r->computed_hex, r->stored_hex);
  }
}

TEST_P(DbCopyTest, NoHashOrNoTrailer) {
  const std::string bytes = SnapshotBytes(1 << 20);
  const std::string src = TempPath("copy-nohash.db"), dst = TempPath("copy-nohash-dst.db");
  WriteBytes(src, bytes);
  ImageCopyOptions o;
  o.copy_bytes = 1 << 20;
  o.hash = false;
  o.in_kernel = GetParam();
  auto r = Copy(src, dst, o);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->state, bbolt::TrailerState::kNotChecked);  // present, not computed
  EXPECT_TRUE(r->computed_hex.empty());
  EXPECT_FALSE(r->stored_hex.empty());

  WriteBytes(src, bytes.substr(0, 1 << 20));  // a raw db copy: no trailer
  o.hash = true;
  r = Copy(src, dst, o);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->state, bbolt::TrailerState::kAbsent);
  EXPECT_EQ(ReadBytes(dst), bytes.substr(0, 1 << 20));
}

TEST(DbCopy, SourceShorterThanTheDatabase) {
  const std::string src = TempPath("copy-short.db"), dst = TempPath("copy-short-dst.db");
  WriteBytes(src, SnapshotBytes(4096));
  ImageCopyOptions o;
  o.copy_bytes = 8192;
  auto r = Copy(src, dst, o);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDataLoss) << r.status();
}

// The file is replaced (a new file renamed over its path) after the caller opened and
// checked it: the copy and the hash are still of the file the caller opened.
TEST_P(DbCopyTest, CopiesTheOpenFileNotWhatItsPathNamesNow) {
  const std::string original = SnapshotBytes(1 << 20);
  std::string other = original;
  other[100] ^= 0x55;
  const std::string src = TempPath("copy-replaced.db"), dst = TempPath("copy-replaced-dst.db");
  WriteBytes(src, original);
  auto mapped = bbolt::MappedFile::Open(src);
  ASSERT_TRUE(mapped.ok()) << mapped.status();
  WriteBytes(src + ".new", other);
  ASSERT_EQ(::rename((src + ".new").c_str(), src.c_str()), 0);

  int fd = ::open(dst.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  ASSERT_GE(fd, 0);
  ImageCopyOptions o;
  o.copy_bytes = 1 << 20;
  o.in_kernel = GetParam();
  auto r = CopyImage(**mapped, fd, o);
  ::close(fd);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->state, bbolt::TrailerState::kMatch);
  EXPECT_EQ(ReadBytes(dst), original.substr(0, 1 << 20));
}

// Truncated after it was mapped: the hashing thread's reads beyond the new end would raise
// SIGBUS; instead the copy fails with DataLoss.
TEST_P(DbCopyTest, TruncatedAfterMappingIsDataLoss) {
  const std::string src = TempPath("copy-truncated.db"), dst = TempPath("copy-truncated-dst.db");
  WriteBytes(src, SnapshotBytes(4 << 20));
  auto mapped = bbolt::MappedFile::Open(src);
  ASSERT_TRUE(mapped.ok()) << mapped.status();
  ASSERT_EQ(::truncate(src.c_str(), 8192), 0);

  int fd = ::open(dst.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  ASSERT_GE(fd, 0);
  ImageCopyOptions o;
  o.copy_bytes = 8192;  // the copy itself stays within the file; the hash does not
  o.in_kernel = GetParam();
  auto r = CopyImage(**mapped, fd, o);
  ::close(fd);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDataLoss) << r.status();
  EXPECT_NE(r.status().message().find("changed size or could not be read"), std::string::npos) << r.status();
}

INSTANTIATE_TEST_SUITE_P(Paths, DbCopyTest, ::testing::Values(true, false),
                         [](const auto& param_info) { return param_info.param ? "InKernel" : "Buffered"; });

}  // namespace
}  // namespace ketcd::restore
