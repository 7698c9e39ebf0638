#include "pkg/restore/proto_encode.h"

namespace ketcd::restore::pb {

std::string ConfState(const std::vector<uint64_t>& voters, EtcdFormat f) {
  std::string out;
  for (uint64_t v : voters) AppendUint(&out, 1, v);
  if (ConfStateHasAutoLeave(f)) AppendUint(&out, 5, 0);
  return out;
}

std::string ConfChangeAddNode(uint64_t node_id, std::string_view context, EtcdFormat f) {
  std::string out;
  if (ConfChangeHasId(f)) AppendUint(&out, 1, 0);  // ID
  AppendUint(&out, 2, 0);                           // Type = ConfChangeAddNode
  AppendUint(&out, 3, node_id);
  AppendBytes(&out, 4, context);
  return out;
}

std::string ConfChangeEntry(uint64_t term, uint64_t index, std::string_view data) {
  std::string out;
  AppendUint(&out, 1, 1);  // Type = EntryConfChange
  AppendUint(&out, 2, term);
  AppendUint(&out, 3, index);
  AppendBytes(&out, 4, data);
  return out;
}

std::string HardState(uint64_t term, uint64_t vote, uint64_t commit) {
  std::string out;
  AppendUint(&out, 1, term);
  AppendUint(&out, 2, vote);
  AppendUint(&out, 3, commit);
  return out;
}

std::string Metadata(uint64_t node_id, uint64_t cluster_id) {
  std::string out;
  AppendUint(&out, 1, node_id);
  AppendUint(&out, 2, cluster_id);
  return out;
}

std::string WalSnapshot(uint64_t index, uint64_t term, std::string_view conf_state) {
  std::string out;
  AppendUint(&out, 1, index);
  AppendUint(&out, 2, term);
  if (!conf_state.empty()) AppendBytes(&out, 3, conf_state);
  return out;
}

std::string RaftSnapshot(std::string_view data, std::string_view conf_state, uint64_t index, uint64_t term) {
  std::string meta;
  AppendBytes(&meta, 1, conf_state);
  AppendUint(&meta, 2, index);
  AppendUint(&meta, 3, term);
  std::string out;
  AppendBytes(&out, 1, data);
  AppendBytes(&out, 2, meta);
  return out;
}

std::string SnapSnapshot(uint32_t crc, std::string_view data) {
  std::string out;
  AppendUint(&out, 1, crc);
  AppendBytes(&out, 2, data);
  return out;
}

}  // namespace ketcd::restore::pb
