#pragma once
// The -o json / -o yaml document of `status`: etcd's four fields first, with etcd's values
// and names, then ours. Names taken from the file (buckets, users, roles, namespaces...)
// are bytes; the printers (pkg/cli/output.h) write those that are not UTF-8 as "base64:...".

#include <nlohmann/json.hpp>

#include "pkg/snapshot/status.h"

namespace ketcd::snapshot {

using Json = nlohmann::ordered_json;

// `with_inspect` adds "inspect" (SnapshotStatus::inspect, filled by StatusOptions::inspect).
Json StatusJson(const SnapshotStatus& st, bool with_inspect);

}  // namespace ketcd::snapshot
