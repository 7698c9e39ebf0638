#pragma once
// CRC-32C of a long sequence of byte spans, given in order and hashed on several threads.
//
// The spans are grouped into batches of a few MiB; each batch is hashed on its own (by a
// worker thread, or by the caller when the workers are behind) and the batch CRCs are
// joined in order with Crc32cCombine. The result equals Crc32cExtend over the spans in the
// order they were added. Adjacent spans (one starting where the previous ends) are merged,
// so the CRC runs over long stretches. The spans must stay readable until Finish().

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace ketcd {

class Crc32cSpans {
 public:
  // `workers` threads besides the caller (0: everything on the caller's thread).
  // `on_hashed(bytes)`, if set, is called (from any thread) after each batch is hashed.
  explicit Crc32cSpans(int workers, std::function<void(uint64_t)> on_hashed = nullptr);
  ~Crc32cSpans();
  Crc32cSpans(const Crc32cSpans&) = delete;
  Crc32cSpans& operator=(const Crc32cSpans&) = delete;

  void Add(const void* data, size_t n);
  // Waits for every batch; returns the CRC of all the spans, extending `initial`.
  uint32_t Finish(uint32_t initial = 0);

  static constexpr uint64_t kBatchBytes = 8ull << 20;
  static constexpr size_t kBatchSpans = 1 << 16;

 private:
  struct Span {
    const uint8_t* data;
    size_t size;
  };
  struct Batch {
    size_t index;
    std::vector<Span> spans;
    uint64_t bytes = 0;
  };
  struct Result {
    uint32_t crc = 0;
    uint64_t bytes = 0;
  };

  void Submit();
  void Hash(Batch& b);
  void WorkerLoop();

  std::function<void(uint64_t)> on_hashed_;
  Batch open_;
  std::mutex mu_;
  std::condition_variable work_ready_;
  std::condition_variable result_ready_;
  std::deque<Batch> queue_;
  std::vector<Result> results_;
  size_t submitted_ = 0;
  size_t finished_ = 0;
  bool closing_ = false;
  size_t max_queued_ = 2;
  std::vector<std::thread> workers_;
};

}  // namespace ketcd
