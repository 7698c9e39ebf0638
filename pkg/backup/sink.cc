#include "pkg/backup/sink.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <vector>

#include "absl/strings/str_cat.h"
#include "pkg/base/interrupt.h"

namespace ketcd::backup {

using Clock = std::chrono::steady_clock;

struct Sink::State {
  WriteFn write;
  FinishFn finish;
  Options opts;
  std::mutex mu;
  std::condition_variable not_full, not_empty, done_cv;
  std::deque<std::string> queue;    // guarded by mu
  std::vector<std::string> free;    // guarded by mu
  bool closed = false;              // guarded by mu: no more blobs; finish once drained
  bool done = false;                // guarded by mu: the writer returned
  absl::Status status;              // guarded by mu: the writer's first error
  std::atomic<bool> aborted{false};  // drop everything, skip finish
  std::atomic<int64_t> busy_since{0};  // Clock ticks when the current call started; 0 idle

  // Calls `fn` on the writer thread, recording how long it has been running.
  template <typename Fn>
  absl::Status Timed(Fn&& fn) {
    busy_since.store(std::max<int64_t>(1, Clock::now().time_since_epoch().count()));
    absl::Status s = fn();
    busy_since.store(0);
    return s;
  }

  // Waits on `cv` until `ready()`. Gives up when interrupted (unless `ignore_interrupt`) or when
  // one writer call has run longer than `stuck`.
  template <typename Ready>
  absl::Status Wait(std::unique_lock<std::mutex>& lock, std::condition_variable& cv, Ready ready,
                    std::chrono::milliseconds stuck, bool ignore_interrupt) {
    const auto poll = std::clamp(opts.stall_timeout / 10, std::chrono::milliseconds(5), std::chrono::milliseconds(100));
    while (!ready()) {
      cv.wait_for(lock, poll);
      if (ready()) break;
      if (!ignore_interrupt && opts.interrupted()) return absl::CancelledError("interrupted");
      const int64_t since = busy_since.load();
      if (since != 0 && Clock::now() - Clock::time_point(Clock::duration(since)) > stuck) {
        // A local problem, not etcd's: Internal (exit 1), not DeadlineExceeded (exit 3).
        return absl::InternalError(absl::StrCat(
            "writing to ", opts.name, " is stuck: one write has not returned for ",
            std::chrono::duration<double>(stuck).count(), "s (a hung file system or a full pipe?)"));
      }
    }
    return absl::OkStatus();
  }

  void Fail(absl::Status s) {
    std::lock_guard<std::mutex> lock(mu);
    if (status.ok()) status = std::move(s);
  }
};

Sink::Sink(WriteFn write, FinishFn finish, Options opts) : state_(std::make_shared<State>()) {
  state_->write = std::move(write);
  state_->finish = std::move(finish);
  state_->opts = std::move(opts);
  if (!state_->opts.interrupted) state_->opts.interrupted = [] { return Interrupted(); };
  thread_ = std::thread([st = state_] { Run(st); });
}

Sink::~Sink() {
  if (!thread_.joinable()) return;
  state_->aborted = true;
  state_->not_empty.notify_all();
  std::unique_lock<std::mutex> lock(state_->mu);
  // After Ctrl-C a stuck writer gets a second, not the whole stall timeout.
  const auto stuck = state_->opts.interrupted() ? std::min(state_->opts.stall_timeout, std::chrono::milliseconds(1000))
                                                : state_->opts.stall_timeout;
  absl::Status s = state_->Wait(lock, state_->done_cv, [&] { return state_->done; }, stuck, true);
  lock.unlock();
  if (s.ok()) {
    thread_.join();
  } else {
    thread_.detach();
  }
}

void Sink::Abandon() {
  state_->aborted = true;
  state_->not_empty.notify_all();
  thread_.detach();
}

std::string Sink::TakeBuffer() {
  std::lock_guard<std::mutex> lock(state_->mu);
  if (state_->free.empty()) return std::string();
  std::string b = std::move(state_->free.back());
  state_->free.pop_back();
  return b;
}

absl::Status Sink::Push(std::string&& blob) {
  State& st = *state_;
  std::unique_lock<std::mutex> lock(st.mu);
  KETCD_RETURN_IF_ERROR(st.Wait(
      lock, st.not_full, [&] { return st.queue.size() < kQueueLimit || !st.status.ok() || st.done; },
      st.opts.stall_timeout, false));
  if (!st.status.ok()) return st.status;
  if (st.done) return absl::InternalError("the snapshot writer stopped early");
  st.queue.push_back(std::move(blob));
  if (st.queue.size() == kWakeBatch) st.not_empty.notify_one();
  return absl::OkStatus();
}

absl::Status Sink::Close() {
  if (!thread_.joinable()) return absl::InternalError("snapshot sink closed twice");
  State& st = *state_;
  std::unique_lock<std::mutex> lock(st.mu);
  st.closed = true;
  st.not_empty.notify_one();
  absl::Status waited = st.Wait(lock, st.done_cv, [&] { return st.done; }, st.opts.stall_timeout, false);
  lock.unlock();
  if (!waited.ok()) {
    Abandon();
    return waited;
  }
  thread_.join();
  return st.status;
}

void Sink::Run(const std::shared_ptr<State>& st) {
  std::deque<std::string> batch;
  bool finish = false;
  while (!finish && !st->aborted) {
    {
      std::unique_lock<std::mutex> lock(st->mu);
      for (auto& b : batch) {
        if (st->free.size() < kQueueLimit) st->free.push_back(std::move(b));
      }
      batch.clear();
      st->not_empty.wait(lock, [&] { return st->queue.size() >= kWakeBatch || st->closed || st->aborted; });
      finish = st->closed && st->queue.size() < kWakeBatch;
      batch.swap(st->queue);
      st->not_full.notify_all();
    }
    for (const std::string& blob : batch) {
      if (st->aborted) break;
      absl::Status s = st->Timed([&] { return st->write(blob); });
      if (!s.ok()) {
        st->Fail(std::move(s));
        st->aborted = true;
      }
    }
  }
  if (finish && !st->aborted) {
    absl::Status s = st->Timed([&] { return st->finish(); });
    if (!s.ok()) st->Fail(std::move(s));
  }
  std::lock_guard<std::mutex> lock(st->mu);
  st->done = true;
  st->done_cv.notify_all();
  st->not_full.notify_all();
}

}  // namespace ketcd::backup
