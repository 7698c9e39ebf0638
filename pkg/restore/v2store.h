#pragma once
// The v2 store image inside the restore's raft snapshot: Go encoding/json of
// etcd's v2store.store after the membership was stored in it (etcd
// etcdserver/api/v2store store.go Save, node.go, watcher_hub.go, event_history.go,
// stats.go; membership cluster.go Store). Exact shape: README.md, "v2 store".

#include <string>
#include <vector>

#include "pkg/restore/etcd_format.h"
#include "pkg/restore/member.h"

namespace ketcd::restore {

// `members` in the order they were stored (their creation index is their position,
// 1-based). etcd 3.4/3.5 store them in ascending ID order; 3.6/3.7 iterate a Go map,
// so their output order (and bytes) vary from run to run; we always use ascending ID.
std::string V2StoreJson(const std::vector<Member>& members, EtcdFormat f);

}  // namespace ketcd::restore
