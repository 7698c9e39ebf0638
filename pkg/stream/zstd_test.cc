#include "pkg/stream/zstd.h"

#include <gtest/gtest.h>
#include <zstd.h>

#include <random>
#include <string>

#include "pkg/stream/test_util.h"

namespace ketcd::stream {
namespace {

using testing::StringReader;

// Half compressible, half random: several MiB so that the workers get jobs of their own.
std::string Sample(size_t n) {
  std::mt19937 rng(7);
  std::string s;
  s.reserve(n);
  while (s.size() < n) {
    if ((s.size() / 4096) % 2 == 0) {
      s += "/registry/pods/default/nginx-";
      s += std::to_string(s.size());
    } else {
      s.push_back(static_cast<char>(rng()));
    }
  }
  s.resize(n);
  return s;
}

absl::StatusOr<std::string> Compress(const std::string& in, ZstdOptions opts, size_t piece) {
  std::string out;
  bool closed = false;
  FnWriter sink([&](const void* p, size_t n) {
    out.append(static_cast<const char*>(p), n);
    return absl::OkStatus();
  }, [&] {
    closed = true;
    return absl::OkStatus();
  });
  KETCD_ASSIGN_OR_RETURN(auto w, NewZstdWriter(&sink, opts));
  for (size_t i = 0; i < in.size(); i += piece) {
    KETCD_RETURN_IF_ERROR(w->Write(in.data() + i, std::min(piece, in.size() - i)));
  }
  KETCD_RETURN_IF_ERROR(w->Close());
  if (!closed) return absl::InternalError("next writer not closed");
  return out;
}

absl::StatusOr<std::string> Decompress(const std::string& in) {
  StringReader src(in, 4096);
  auto r = NewZstdReader(&src, "test.zst");
  std::string out, buf(100000, '\0');
  for (;;) {
    KETCD_ASSIGN_OR_RETURN(size_t n, r->Read(buf.data(), buf.size()));
    if (n == 0) return out;
    out.append(buf.data(), n);
  }
}

TEST(ZstdTest, RoundTripsOnOneThreadAndWithWorkers) {
  const std::string data = Sample(6 << 20);
  for (int workers : {0, 2}) {
    auto z = Compress(data, {.level = 3, .workers = workers}, 32768);
    ASSERT_TRUE(z.ok()) << z.status();
    EXPECT_LT(z->size(), data.size());
    // One frame with its content checksum, as the zstd tool reads it.
    EXPECT_EQ(ZSTD_findFrameCompressedSize(z->data(), z->size()), z->size());
    auto back = Decompress(*z);
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_TRUE(*back == data) << "workers " << workers;
  }
}

TEST(ZstdTest, ReadsWhatLibzstdWrites) {
  const std::string data = Sample(300000);
  std::string z(ZSTD_compressBound(data.size()), '\0');
  z.resize(ZSTD_compress(z.data(), z.size(), data.data(), data.size(), 1));
  // Two frames back to back, as `cat a.zst b.zst` makes.
  auto back = Decompress(z + z);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_TRUE(*back == data + data);
}

TEST(ZstdTest, EmptyInputIsOneEmptyFrame) {
  auto z = Compress("", {}, 1);
  ASSERT_TRUE(z.ok());
  auto back = Decompress(*z);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, "");
}

TEST(ZstdTest, TruncatedStreamIsDataLoss) {
  auto z = Compress(Sample(1 << 20), {}, 65536);
  ASSERT_TRUE(z.ok());
  for (size_t keep : {z->size() - 1, z->size() / 2, size_t{5}}) {
    auto back = Decompress(z->substr(0, keep));
    ASSERT_FALSE(back.ok()) << keep;
    EXPECT_EQ(back.status().code(), absl::StatusCode::kDataLoss);
    EXPECT_NE(back.status().message().find("test.zst: the zstd stream is truncated"), std::string::npos)
        << back.status();
  }
}

TEST(ZstdTest, DamagedStreamIsDataLoss) {
  auto z = Compress(Sample(1 << 20), {}, 65536);
  ASSERT_TRUE(z.ok());
  std::string bad = *z;
  bad[bad.size() / 2] ^= 0x55;
  auto back = Decompress(bad);
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(back.status().code(), absl::StatusCode::kDataLoss);
  auto garbage = Decompress(*z + "trailing garbage");
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.status().code(), absl::StatusCode::kDataLoss);
}

TEST(ZstdTest, RejectsLevelOutOfRange) {
  FnWriter sink([](const void*, size_t) { return absl::OkStatus(); });
  EXPECT_EQ(NewZstdWriter(&sink, {.level = 0, .workers = 0}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(NewZstdWriter(&sink, {.level = 99, .workers = 0}).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ketcd::stream
