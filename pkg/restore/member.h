#pragma once
// Cluster members as a restore creates them, their IDs and their JSON forms.
//
// IDs (etcd server/etcdserver/api/membership member.go computeMemberID and
// cluster.go genID): member ID = first 8 bytes, big-endian, of
// SHA-1(concat(sorted canonical peer URLs) || token); cluster ID = first 8 bytes of
// SHA-1(member IDs ascending, each 8 bytes big-endian). IDs stay uint64 end to end.

#include <cstdint>
#include <string>
#include <vector>

#include "pkg/base/status.h"

namespace ketcd::restore {

struct Member {
  uint64_t id = 0;
  std::string name;
  std::vector<std::string> peer_urls;  // canonical, sorted
};

uint64_t ComputeMemberId(const std::vector<std::string>& sorted_peer_urls, const std::string& token);
uint64_t ComputeClusterId(const std::vector<uint64_t>& member_ids);  // any order

// Go encoding/json string literal (with the quotes): escapes '"', '\\', control
// characters, '<', '>', '&', U+2028/U+2029, and replaces invalid UTF-8 with U+FFFD.
// Go 1.22+ writes \b and \f for 0x08 and 0x0C (`go122`); older Go (etcd 3.4's
// builds) writes \u0008 and \u000c.
std::string GoJsonString(const std::string& s, bool go122 = true);

// json.Marshal(membership.Member) for a restored member:
// {"id":<uint64>,"peerURLs":[...],"name":"<name>"} ("name" omitted when empty).
// This is both the `members` bucket value and the ConfChange context.
std::string MemberJson(const Member& m, bool go122 = true);

// json.Marshal(membership.RaftAttributes): {"peerURLs":[...]} (the v2 store value).
std::string RaftAttributesJson(const Member& m, bool go122 = true);

}  // namespace ketcd::restore
