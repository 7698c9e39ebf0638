#include "pkg/fsutil/direct_append.h"

#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <csignal>
#include <random>

#include "pkg/fsutil/file.h"

namespace ketcd::fsutil {
namespace {

class DirectAppendTest : public ::testing::TestWithParam<bool> {};

// Pieces of every awkward size (empty, tiny, unaligned, larger than a block) come back
// byte for byte, whether the file system takes O_DIRECT or not.
TEST_P(DirectAppendTest, FileHoldsExactlyTheBytesAppended) {
  const std::string path = ::testing::TempDir() + "/direct_append_" + std::to_string(::getpid()) +
                           (GetParam() ? "_direct" : "_buffered");
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  ASSERT_GE(fd, 0);
  std::string expected;
  std::mt19937_64 rng(GetParam() ? 1 : 2);
  {
    DirectAppender out(fd, path, GetParam());
    if (!GetParam()) {
      EXPECT_FALSE(out.direct());
    }
    for (size_t n : {size_t{0}, size_t{1}, size_t{31}, size_t{32768}, DirectAppender::kBlock + 7, size_t{4096},
                     3 * DirectAppender::kBlock, size_t{32}, size_t{32768 * 40 + 32}}) {
      std::string piece(n, '\0');
      for (auto& c : piece) c = static_cast<char>(rng());
      ASSERT_TRUE(out.Append(piece.data(), piece.size()).ok());
      expected += piece;
    }
    EXPECT_EQ(out.written(), expected.size());
    ASSERT_TRUE(out.Finish().ok());
  }
  ASSERT_EQ(::fsync(fd), 0);  // the descriptor is usable as before
  ::close(fd);
  auto got = ReadFile(path);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->size(), expected.size());
  EXPECT_TRUE(*got == expected);
  ::unlink(path.c_str());
}

TEST(DirectAppend, WriteErrorNamesTheFile) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  ::close(fds[0]);
  ::signal(SIGPIPE, SIG_IGN);
  DirectAppender out(fds[1], "the-target", false);
  absl::Status s = out.Append("x", 1);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(std::string(s.message()).find("the-target"), std::string::npos) << s;
  ::close(fds[1]);
}

INSTANTIATE_TEST_SUITE_P(Modes, DirectAppendTest, ::testing::Values(true, false),
                         [](const auto& param_info) { return param_info.param ? "TryDirect" : "Buffered"; });

}  // namespace
}  // namespace ketcd::fsutil
