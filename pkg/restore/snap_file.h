#pragma once
// The raft snapshot file a restore writes into <data-dir>/member/snap
// (etcd etcdserver/api/snap/snapshotter.go SaveSnap): name
// "<term %016x>-<index %016x>.snap", content snappb.Snapshot{crc, data} where data
// is raftpb.Snapshot{v2 store JSON, metadata{conf state, index, term}} and crc is
// the CRC-32C of data.

#include <string>

#include "pkg/restore/etcd_format.h"
#include "pkg/restore/restore_options.h"

namespace ketcd::restore {

struct SnapFile {
  std::string name;
  std::string content;
};

// The snapshot at (term 1, index N) for the plan's N members. The v2 store gets the
// members in plan.members order (ascending ID from PlanRestore); the conf state
// always lists them ascending.
SnapFile BuildRestoreSnap(const RestorePlan& plan, EtcdFormat f);

}  // namespace ketcd::restore
