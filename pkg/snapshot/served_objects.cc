#include "pkg/snapshot/served_objects.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "pkg/k8sobjects/schema.h"

namespace ketcd::snapshot {
namespace {

constexpr size_t kBatch = 512;
constexpr size_t kInFlight = 8;  // batches queued or being written at once
constexpr unsigned kMaxThreads = 4;

struct Batch {
  std::vector<ServedObject> objects;
  bool done = false;
};

// The caller's thread walks the index and hands batches out in key order; worker threads
// write them; the caller's thread passes each finished batch on, in order.
class Pipeline {
 public:
  Pipeline(ServedForm form, const k8sobjects::ServedOptions& options, absl::FunctionRef<absl::Status(ServedObject&)> fn)
      : form_(form), options_(options), fn_(fn) {
    unsigned n = std::clamp(std::thread::hardware_concurrency(), 1u, kMaxThreads);
    for (unsigned i = 0; i < n; i++) workers_.emplace_back([this] { Work(); });
  }
  ~Pipeline() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    for (std::thread& t : workers_) t.join();
  }
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  absl::Status Add(k8sobjects::RegistryKey& where, const KeyValue& kv) {
    if (!current_) current_ = std::make_shared<Batch>();
    current_->objects.emplace_back();
    current_->objects.back().where = std::move(where);
    current_->objects.back().kv = kv;
    if (current_->objects.size() < kBatch) return absl::OkStatus();
    Submit();
    return Drain(kInFlight);
  }

  absl::Status Finish() {
    if (current_) Submit();
    return Drain(0);
  }

 private:
  void Submit() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      queued_.push_back(current_);
      order_.push_back(std::move(current_));
    }
    current_.reset();
    cv_.notify_all();
  }

  // Passes finished batches on, in order, until at most `keep` are left in flight.
  absl::Status Drain(size_t keep) {
    while (true) {
      std::shared_ptr<Batch> front;
      {
        std::unique_lock<std::mutex> lock(mu_);
        if (order_.size() <= keep) return absl::OkStatus();
        cv_.wait(lock, [&] { return order_.front()->done; });
        front = std::move(order_.front());
        order_.pop_front();
      }
      for (ServedObject& o : front->objects) {
        absl::Status s = fn_(o);
        if (!s.ok()) return s;
      }
    }
  }

  void Work() {
    // The schemas are loaded (about 25 ms) while the caller's thread walks the index.
    (void)k8sobjects::Schema::Get();
    k8sobjects::ServedJsonWriter writer;
    while (true) {
      std::shared_ptr<Batch> b;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [&] { return stop_ || !queued_.empty(); });
        if (stop_) return;
        b = std::move(queued_.front());
        queued_.pop_front();
      }
      for (ServedObject& o : b->objects) Write(writer, o);
      {
        std::lock_guard<std::mutex> lock(mu_);
        b->done = true;
      }
      cv_.notify_all();
    }
  }

  void Write(k8sobjects::ServedJsonWriter& w, ServedObject& o) const {
    if (form_ == ServedForm::kSummary) {
      o.written = w.Check(o.kv.value, &o.summary);
      return;
    }
    k8sobjects::ServedOptions opt = options_;
    opt.resource_version = o.kv.mod_revision;
    o.json.reserve(o.kv.value.size() * 2 + 256);  // the JSON is about 1.3 times the protobuf
    o.written = w.Write(o.kv.value, opt, &o.json, &o.summary);
  }

  const ServedForm form_;
  const k8sobjects::ServedOptions options_;
  absl::FunctionRef<absl::Status(ServedObject&)> fn_;
  std::shared_ptr<Batch> current_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::shared_ptr<Batch>> queued_;  // not taken by a worker yet
  std::deque<std::shared_ptr<Batch>> order_;   // every batch not passed on yet, in key order
  bool stop_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace

absl::Status ForEachServed(const bbolt::Db& db, const ObjectQuery& q, ServedForm form,
                           const k8sobjects::ServedOptions& options,
                           absl::FunctionRef<absl::Status(ServedObject&)> fn) {
  Pipeline pipeline(form, options, fn);
  KETCD_RETURN_IF_ERROR(ForEachStored(
      db, q, [&](k8sobjects::RegistryKey& where, const KeyValue& kv) { return pipeline.Add(where, kv); }));
  return pipeline.Finish();
}

}  // namespace ketcd::snapshot
