#pragma once
// Text forms shared by commands: sizes as etcdctl prints them, IDs as etcd prints them.

#include <cstdint>
#include <string>

namespace ketcd {

// go-humanize Bytes(): SI units, base 1000 ("20 kB", "2.2 MB"), as in `etcdctl snapshot status`.
std::string HumanizeBytes(uint64_t n);

// Binary units for progress and summaries ("1.5 GiB").
std::string HumanizeIec(double n);

// etcd's textual member/cluster ID: lowercase hex, no zero padding.
std::string IdHex(uint64_t id);

// UTC time as RFC 3339 with seconds ("2026-11-25T16:54:04Z"), and the compact form used in
// file names ("20261125T165404Z").
std::string UtcRfc3339(int64_t unix_seconds);
std::string UtcCompact(int64_t unix_seconds);

}  // namespace ketcd
