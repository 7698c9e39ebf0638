#pragma once
// `get`'s fast path: the objects a query selects, each written as its served JSON (or just
// checked, with the summary a table or `-o name` needs) by k8sobjects::ServedJsonWriter,
// several at a time on as many threads as there are CPUs (up to 4), handed to the caller
// one at a time in key order. Values the writer leaves to the general decoder (JSON,
// encrypted, unusual messages) come with written = false: the caller decodes them
// (DecodeFound). Memory: one batch of objects' text at a time.

#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "pkg/k8sobjects/served_json.h"
#include "pkg/snapshot/object_query.h"

namespace ketcd::snapshot {

struct ServedObject {
  k8sobjects::RegistryKey where;
  KeyValue kv;
  bool written = false;
  k8sobjects::ServedSummary summary;  // when written
  std::string json;                   // when written and asked for
};

enum class ServedForm { kSummary, kJson };

// options.resource_version is each object's own mod revision.
absl::Status ForEachServed(const bbolt::Db& db, const ObjectQuery& q, ServedForm form,
                           const k8sobjects::ServedOptions& options, absl::FunctionRef<absl::Status(ServedObject&)> fn);

}  // namespace ketcd::snapshot
