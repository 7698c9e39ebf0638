#include "pkg/backup/sink.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>

namespace ketcd::backup {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Holds a writer "in the kernel" until opened: what a write(2) or fsync(2) on a hung file
// system looks like to the caller.
struct Gate {
  std::mutex mu;
  std::condition_variable cv;
  bool open = false;
  void Wait() {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return open; });
  }
  void Open() {
    std::lock_guard<std::mutex> lock(mu);
    open = true;
    cv.notify_all();
  }
};

struct Recorder {
  std::mutex mu;
  std::string written;
  int finished = 0;
};

Sink::Options Opts(milliseconds stall, std::function<bool()> interrupted = [] { return false; }) {
  return {.name = "the test file", .stall_timeout = stall, .interrupted = std::move(interrupted)};
}

// Pushes 32 KiB blobs until one is refused (or `limit` went through).
absl::Status PushUntilRefused(Sink& sink, int limit = 10000) {
  for (int i = 0; i < limit; i++) {
    absl::Status s = sink.Push(std::string(32 << 10, 'x'));
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

TEST(SinkTest, WritesInOrderThenFinishesOnce) {
  auto rec = std::make_shared<Recorder>();
  {
    Sink sink(
        [rec](const std::string& b) {
          std::lock_guard<std::mutex> lock(rec->mu);
          rec->written += b;
          return absl::OkStatus();
        },
        [rec] {
          std::lock_guard<std::mutex> lock(rec->mu);
          rec->finished++;
          return absl::OkStatus();
        },
        Opts(milliseconds(60000)));
    std::string want;
    for (int i = 0; i < 1000; i++) {
      std::string blob = sink.TakeBuffer();
      blob.assign(1 + i % 7, static_cast<char>('a' + i % 26));
      want += blob;
      ASSERT_TRUE(sink.Push(std::move(blob)).ok());
    }
    ASSERT_TRUE(sink.Close().ok());
    EXPECT_EQ(rec->written, want);
  }
  EXPECT_EQ(rec->finished, 1);
}

TEST(SinkTest, DroppedWithoutCloseNeverFinishes) {
  auto rec = std::make_shared<Recorder>();
  {
    Sink sink([](const std::string&) { return absl::OkStatus(); },
              [rec] {
                rec->finished++;
                return absl::OkStatus();
              },
              Opts(milliseconds(60000)));
    ASSERT_TRUE(sink.Push("abc").ok());
  }
  EXPECT_EQ(rec->finished, 0);
}

TEST(SinkTest, WriteErrorIsReturned) {
  Sink sink([](const std::string&) { return absl::InternalError("write \"x.part\": No space left on device"); },
            [] { return absl::OkStatus(); }, Opts(milliseconds(60000)));
  absl::Status s = PushUntilRefused(sink, 1000);
  if (s.ok()) s = sink.Close();
  EXPECT_NE(s.message().find("No space left"), std::string::npos) << s;
}

// A write that never returns: the receiving side gives up after the stall timeout instead of
// waiting for ever on the full queue (Ctrl-C and --stall-timeout used to be useless then).
TEST(SinkTest, StuckWriteEndsPushAfterTheStallTimeout) {
  auto gate = std::make_shared<Gate>();
  auto sink = std::make_unique<Sink>(
      [gate](const std::string&) {
        gate->Wait();
        return absl::OkStatus();
      },
      [] { return absl::OkStatus(); }, Opts(milliseconds(300)));
  const auto start = Clock::now();
  absl::Status s = PushUntilRefused(*sink);
  const auto took = Clock::now() - start;
  EXPECT_EQ(ExitCodeFor(s), kExitError) << s;
  EXPECT_NE(s.message().find("is stuck"), std::string::npos) << s;
  EXPECT_GE(took, milliseconds(300));
  EXPECT_LT(took, milliseconds(5000));
  const auto drop = Clock::now();
  sink.reset();  // leaves the stuck writer behind rather than waiting for it
  EXPECT_LT(Clock::now() - drop, milliseconds(2000));
  gate->Open();
}

TEST(SinkTest, CtrlCEndsPushWhileTheWriteIsStuck) {
  auto gate = std::make_shared<Gate>();
  auto interrupted = std::make_shared<std::atomic<bool>>(false);
  auto sink = std::make_unique<Sink>(
      [gate, interrupted](const std::string&) {
        *interrupted = true;  // Ctrl-C arrives while the writer is stuck
        gate->Wait();
        return absl::OkStatus();
      },
      [] { return absl::OkStatus(); }, Opts(milliseconds(600000), [interrupted] { return interrupted->load(); }));
  const auto start = Clock::now();
  absl::Status s = PushUntilRefused(*sink);
  EXPECT_EQ(s.code(), absl::StatusCode::kCancelled) << s;
  EXPECT_LT(Clock::now() - start, milliseconds(5000));
  const auto drop = Clock::now();
  sink.reset();
  EXPECT_LT(Clock::now() - drop, milliseconds(3000));
  gate->Open();
}

// fsync and rename run in `finish`: a hung one ends Close after the stall timeout too.
TEST(SinkTest, StuckFinishEndsCloseAfterTheStallTimeout) {
  auto gate = std::make_shared<Gate>();
  Sink sink([](const std::string&) { return absl::OkStatus(); },
            [gate] {
              gate->Wait();
              return absl::OkStatus();
            },
            Opts(milliseconds(300)));
  ASSERT_TRUE(sink.Push("abc").ok());
  const auto start = Clock::now();
  absl::Status s = sink.Close();
  EXPECT_EQ(ExitCodeFor(s), kExitError) << s;
  EXPECT_LT(Clock::now() - start, milliseconds(5000));
  gate->Open();
}

}  // namespace
}  // namespace ketcd::backup
