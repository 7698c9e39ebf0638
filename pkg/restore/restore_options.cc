#include "pkg/restore/restore_options.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "pkg/base/format.h"
#include "pkg/fsutil/file.h"
#include "pkg/restore/peer_url.h"

namespace ketcd::restore {
namespace {

// URLsMap.String(): "name=url" pairs sorted, joined by ','.
std::string UrlsMapString(const UrlsMap& m) {
  std::vector<std::string> pairs;
  for (const auto& [name, urls] : m) {
    for (const auto& u : urls) pairs.push_back(name + "=" + u);
  }
  std::sort(pairs.begin(), pairs.end());
  return absl::StrJoin(pairs, ",");
}

// config.ServerConfig.VerifyBootstrap for a restore (no discovery).
absl::Status VerifyBootstrap(const std::string& name, const std::vector<std::string>& peer_urls,
                             const UrlsMap& cluster) {
  auto it = cluster.find(name);
  if (it == cluster.end()) {
    return absl::InvalidArgumentError(
        absl::StrCat("couldn't find local name \"", name, "\" in the initial cluster configuration"));
  }
  // etcd falls back to resolving host names when the strings differ; we compare
  // the canonical strings only, so "localhost" and "127.0.0.1" do not match.
  if (it->second != peer_urls) {
    std::set<std::string> init(it->second.begin(), it->second.end());
    std::set<std::string> adv(peer_urls.begin(), peer_urls.end());
    std::vector<std::string> missing;
    for (const auto& u : init) {
      if (!adv.count(u)) missing.push_back(name + "=" + u);
    }
    if (!missing.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("--initial-cluster has ", absl::StrJoin(missing, ","),
                                                     " but missing from --initial-advertise-peer-urls=",
                                                     absl::StrJoin(peer_urls, ",")));
    }
    for (const auto& u : adv) {
      if (!init.count(u)) missing.push_back(u);
    }
    if (!missing.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("--initial-advertise-peer-urls has ",
                                                     absl::StrJoin(missing, ","), " but missing from --initial-cluster=",
                                                     UrlsMapString(UrlsMap{{name, peer_urls}})));
    }
    // Same set, different multiplicity (a URL given twice).
    return absl::InvalidArgumentError(
        absl::StrCat("--initial-advertise-peer-urls=", absl::StrJoin(peer_urls, ","),
                     " does not match --initial-cluster=", UrlsMapString(UrlsMap{{name, it->second}})));
  }
  std::set<std::string> seen;
  for (const auto& [n, urls] : cluster) {
    for (const auto& u : urls) {
      if (!seen.insert(u).second) {
        return absl::InvalidArgumentError(
            absl::StrCat("initial cluster ", UrlsMapString(cluster), " has duplicate url"));
      }
    }
  }
  if (cluster.empty()) return absl::InvalidArgumentError("initial cluster unset and no discovery endpoints found");
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<RestorePlan> PlanRestore(const RestoreOptions& opts) {
  if (opts.snapshot_path.empty()) return absl::InvalidArgumentError("snapshot restore requires exactly one argument");
  if ((opts.bump_revision == 0 && opts.mark_compacted) || (opts.bump_revision > 0 && !opts.mark_compacted)) {
    return absl::InvalidArgumentError("--mark-compacted required if --revision-bump > 0");
  }
  if (opts.bump_revision > static_cast<uint64_t>(INT64_MAX)) {
    return absl::InvalidArgumentError(absl::StrCat("--bump-revision ", opts.bump_revision, " is out of range"));
  }
  KETCD_ASSIGN_OR_RETURN(std::vector<std::string> peer_urls,
                         ParsePeerUrls(SplitComma(opts.initial_advertise_peer_urls)));
  KETCD_ASSIGN_OR_RETURN(UrlsMap cluster, ParseUrlsMap(opts.initial_cluster));
  KETCD_RETURN_IF_ERROR(VerifyBootstrap(opts.name, peer_urls, cluster));

  RestorePlan plan;
  std::map<uint64_t, std::string> owner;
  for (const auto& [name, urls] : cluster) {
    Member m{ComputeMemberId(urls, opts.initial_cluster_token), name, urls};
    if (m.id == 0) return absl::InvalidArgumentError("cannot use 0 as member id");
    auto [it, inserted] = owner.emplace(m.id, name);
    if (!inserted) {
      return absl::InvalidArgumentError(absl::StrCat("member exists with identical ID ", IdHex(m.id), " (members \"",
                                                     it->second, "\" and \"", name, "\")"));
    }
    if (name == opts.name) plan.local_id = m.id;
    plan.members.push_back(std::move(m));
  }
  std::sort(plan.members.begin(), plan.members.end(),
            [](const Member& a, const Member& b) { return a.id < b.id; });
  std::vector<uint64_t> ids;
  for (const auto& m : plan.members) ids.push_back(m.id);
  plan.cluster_id = ComputeClusterId(ids);

  plan.data_dir = opts.data_dir.empty() ? opts.name + ".etcd" : opts.data_dir;
  plan.snap_dir = fsutil::JoinPath(fsutil::JoinPath(plan.data_dir, "member"), "snap");
  plan.wal_dir_is_default = opts.wal_dir.empty();
  plan.wal_dir = opts.wal_dir.empty() ? fsutil::JoinPath(fsutil::JoinPath(plan.data_dir, "member"), "wal")
                                      : opts.wal_dir;
  plan.bump_revision = opts.bump_revision;
  return plan;
}

}  // namespace ketcd::restore
