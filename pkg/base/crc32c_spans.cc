#include "pkg/base/crc32c_spans.h"

#include "pkg/base/crc32c.h"

namespace ketcd {

Crc32cSpans::Crc32cSpans(int workers, std::function<void(uint64_t)> on_hashed) : on_hashed_(std::move(on_hashed)) {
  max_queued_ = static_cast<size_t>(workers > 0 ? 2 * workers : 0);
  for (int i = 0; i < workers; i++) workers_.emplace_back([this] { WorkerLoop(); });
}

Crc32cSpans::~Crc32cSpans() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    closing_ = true;
  }
  work_ready_.notify_all();
  for (auto& t : workers_) t.join();
}

void Crc32cSpans::Add(const void* data, size_t n) {
  if (n == 0) return;
  const auto* p = static_cast<const uint8_t*>(data);
  if (!open_.spans.empty() && open_.spans.back().data + open_.spans.back().size == p) {
    open_.spans.back().size += n;
  } else {
    open_.spans.push_back({p, n});
  }
  open_.bytes += n;
  if (open_.bytes >= kBatchBytes || open_.spans.size() >= kBatchSpans) Submit();
}

void Crc32cSpans::Hash(Batch& b) {
  uint32_t crc = 0;
  for (const Span& s : b.spans) crc = Crc32cExtend(crc, s.data, s.size);
  if (on_hashed_) on_hashed_(b.bytes);
  std::lock_guard<std::mutex> lock(mu_);
  results_[b.index] = {crc, b.bytes};
  finished_++;
  result_ready_.notify_all();
}

void Crc32cSpans::Submit() {
  if (open_.spans.empty()) return;
  Batch b = std::move(open_);
  open_ = Batch{};
  std::unique_lock<std::mutex> lock(mu_);
  b.index = submitted_++;
  results_.emplace_back();
  if (queue_.size() < max_queued_) {
    queue_.push_back(std::move(b));
    lock.unlock();
    work_ready_.notify_one();
    return;
  }
  // The workers are behind: the caller hashes the oldest queued batch (or this one) itself.
  if (!queue_.empty()) {
    Batch oldest = std::move(queue_.front());
    queue_.pop_front();
    queue_.push_back(std::move(b));
    lock.unlock();
    work_ready_.notify_one();
    Hash(oldest);
    return;
  }
  lock.unlock();
  Hash(b);
}

void Crc32cSpans::WorkerLoop() {
  for (;;) {
    Batch b;
    {
      std::unique_lock<std::mutex> lock(mu_);
      work_ready_.wait(lock, [this] { return closing_ || !queue_.empty(); });
      if (queue_.empty()) return;
      b = std::move(queue_.front());
      queue_.pop_front();
    }
    Hash(b);
  }
}

uint32_t Crc32cSpans::Finish(uint32_t initial) {
  Submit();
  // Help with whatever is still queued, then wait for the workers' batches.
  for (;;) {
    std::unique_lock<std::mutex> lock(mu_);
    if (queue_.empty()) break;
    Batch b = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    Hash(b);
  }
  std::unique_lock<std::mutex> lock(mu_);
  result_ready_.wait(lock, [this] { return finished_ == submitted_; });
  uint32_t crc = initial;
  for (const Result& r : results_) crc = Crc32cCombine(crc, r.crc, r.bytes);
  return crc;
}

}  // namespace ketcd
