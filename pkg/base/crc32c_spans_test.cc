#include "pkg/base/crc32c_spans.h"

#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <string>

#include "pkg/base/crc32c.h"

namespace ketcd {
namespace {

std::string Pattern(size_t n) {
  std::string s(n, '\0');
  std::mt19937_64 rng(42);
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

// Spans of random lengths taken from `buf` in a shuffled-but-recorded order, some of them
// adjacent, some skipping bytes; the result must equal hashing them one after the other.
void CheckAgainstSequential(int workers, size_t total, size_t max_span) {
  const std::string buf = Pattern(total);
  std::mt19937_64 rng(workers * 1000 + max_span);
  std::atomic<uint64_t> hashed{0};
  Crc32cSpans spans(workers, [&](uint64_t n) { hashed += n; });
  uint32_t expected = Crc32c("prefix");
  uint64_t added = 0;
  size_t off = 0;
  while (off < buf.size()) {
    size_t n = std::min<size_t>(rng() % max_span, buf.size() - off);
    if (rng() % 4 != 0) {  // three spans in four are hashed, the rest skipped
      spans.Add(buf.data() + off, n);
      expected = Crc32cExtend(expected, buf.data() + off, n);
      added += n;
    }
    off += n + (rng() % 3 == 0 ? 1 : 0);
  }
  EXPECT_EQ(spans.Finish(Crc32c("prefix")), expected) << workers << " workers, spans up to " << max_span;
  EXPECT_EQ(hashed.load(), added);
}

TEST(Crc32cSpans, EqualsSequentialOnTheCallerThread) { CheckAgainstSequential(0, 20 << 20, 200000); }
TEST(Crc32cSpans, EqualsSequentialWithOneWorker) { CheckAgainstSequential(1, 40 << 20, 300000); }
TEST(Crc32cSpans, EqualsSequentialWithThreeWorkers) { CheckAgainstSequential(3, 40 << 20, 1 << 20); }
// Tiny spans close batches on their count before their size.
TEST(Crc32cSpans, ManyTinySpans) { CheckAgainstSequential(2, 600000, 4); }

TEST(Crc32cSpans, NothingAdded) {
  Crc32cSpans spans(2);
  EXPECT_EQ(spans.Finish(0x1234u), 0x1234u);
}

}  // namespace
}  // namespace ketcd
