#pragma once
// Peer URLs as etcd's types.NewURLs accepts them (client/pkg/types/urls.go): each
// string is trimmed, parsed like Go's net/url.Parse, and must be http/https with a
// "host:port" and no path, or unix/unixs. The canonical text is what Go's
// url.URL.String() prints; member IDs hash that text, so it must match exactly.
//
// Supported subset of net/url: scheme (lower-cased), optional userinfo, host with
// an optional numeric port (IPv6 in brackets), query and fragment kept verbatim.
// Percent-escapes in the host and characters Go would re-escape are rejected
// with InvalidArgument rather than guessed at.

#include <map>
#include <string>
#include <vector>

#include "pkg/base/status.h"

namespace ketcd::restore {

// Parses one URL; returns its canonical text (Go's URL.String()).
absl::StatusOr<std::string> CanonicalPeerUrl(const std::string& raw);

// types.NewURLs: parses each entry and sorts the canonical forms bytewise.
// An empty list is an error ("no valid URLs given").
absl::StatusOr<std::vector<std::string>> ParsePeerUrls(const std::vector<std::string>& raw);

// types.NewURLsMap: "name=url,name=url2,other=url3" (split on ',', then on the
// first '='; empty items skipped; a name may repeat to give several URLs).
using UrlsMap = std::map<std::string, std::vector<std::string>>;
absl::StatusOr<UrlsMap> ParseUrlsMap(const std::string& initial_cluster);

// Splits a comma-separated list without trimming (etcdutl's strings.Split).
std::vector<std::string> SplitComma(const std::string& s);

}  // namespace ketcd::restore
