#pragma once
// Where the snapshot stream goes: a queue drained by a writer thread of its own, so that
// disk writes (and the hashing the write function does) overlap with receiving. The writer
// takes the queue a batch at a time: a sleep and a wake-up per 32 KiB message would cost
// about as much CPU as the hashing, on a node whose cores etcd needs.
//
// The receiving thread never waits for the writer without a limit. Push (on a full queue),
// Close and the destructor give up with Cancelled when `interrupted()` turns true and with
// Internal ("... is stuck", exit 1) when a single call of the write or finish function has not returned for
// `stall_timeout` (a hung file system, a pipe nobody reads). The writer thread is then left
// behind, detached: it only touches what the functions it was given own (capture shared
// state by value), and stops at its next step without calling `finish`.

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "pkg/base/status.h"

namespace ketcd::backup {

class Sink {
 public:
  // Both run on the writer thread: `write` for every blob in order, `finish` once after the
  // last one (when Close is called and nothing failed).
  using WriteFn = std::function<absl::Status(const std::string& blob)>;
  using FinishFn = std::function<absl::Status()>;
  struct Options {
    std::string name = "the snapshot file";  // for messages
    std::chrono::milliseconds stall_timeout{60000};
    std::function<bool()> interrupted;  // default: ketcd::Interrupted()
  };

  Sink(WriteFn write, FinishFn finish, Options opts);
  // Drops what is still queued and waits for the writer as Close does (not longer than
  // about a second for a stuck writer after Ctrl-C).
  ~Sink();
  Sink(const Sink&) = delete;
  Sink& operator=(const Sink&) = delete;

  // A buffer to swap with the next received blob, recycled from the writer, so that the
  // steady state allocates nothing.
  std::string TakeBuffer();
  // Queues a blob; waits while the queue is full. The writer's error, if it had one.
  absl::Status Push(std::string&& blob);
  // Writes what is queued, runs `finish`, and returns the first error of the writer (or why
  // the wait gave up).
  absl::Status Close();

  static constexpr size_t kQueueLimit = 64;  // blobs (32 KiB from etcd): bounds memory at ~2 MiB
  static constexpr size_t kWakeBatch = 8;    // blobs queued before the writer is woken

 private:
  struct State;
  static void Run(const std::shared_ptr<State>& st);
  void Abandon();

  std::shared_ptr<State> state_;
  std::thread thread_;
};

}  // namespace ketcd::backup
