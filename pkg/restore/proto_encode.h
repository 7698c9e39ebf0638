#pragma once
// Hand encoding of the few proto2 messages a restore writes (walpb, raftpb,
// snappb, etcdserverpb.Metadata). etcd's gogo-generated code (3.4-3.6) emits every
// non-nullable scalar even when zero, in field-number order; protobuf-go (3.7)
// emits exactly the fields that were set, also in field-number order. Callers
// choose per field, so both are reproduced exactly. Layouts: README.md.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pkg/restore/etcd_format.h"

namespace ketcd::restore::pb {

inline void AppendVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}
inline void AppendUint(std::string* out, int field, uint64_t v) {
  AppendVarint(out, static_cast<uint64_t>(field) << 3);
  AppendVarint(out, v);
}
inline void AppendBytes(std::string* out, int field, std::string_view b) {
  AppendVarint(out, (static_cast<uint64_t>(field) << 3) | 2);
  AppendVarint(out, b.size());
  out->append(b);
}

// raftpb.ConfState{voters}: voters unpacked (field 1), auto_leave (field 5) false
// when the format's encoder writes it.
std::string ConfState(const std::vector<uint64_t>& voters, EtcdFormat f);

// raftpb.ConfChange{ID: 0, Type: AddNode, NodeID, Context}.
std::string ConfChangeAddNode(uint64_t node_id, std::string_view context, EtcdFormat f);

// raftpb.Entry{Type: EntryConfChange, Term, Index, Data}.
std::string ConfChangeEntry(uint64_t term, uint64_t index, std::string_view data);

// raftpb.HardState{Term, Vote, Commit}.
std::string HardState(uint64_t term, uint64_t vote, uint64_t commit);

// etcdserverpb.Metadata{NodeID, ClusterID}.
std::string Metadata(uint64_t node_id, uint64_t cluster_id);

// walpb.Snapshot{Index, Term, ConfState (when non-empty)}.
std::string WalSnapshot(uint64_t index, uint64_t term, std::string_view conf_state);

// raftpb.Snapshot{Data, Metadata{ConfState, Index, Term}}.
std::string RaftSnapshot(std::string_view data, std::string_view conf_state, uint64_t index, uint64_t term);

// snappb.Snapshot{Crc, Data}.
std::string SnapSnapshot(uint32_t crc, std::string_view data);

}  // namespace ketcd::restore::pb
