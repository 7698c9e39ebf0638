#include "pkg/k8sobjects/registry_key.h"

#include <array>
#include <vector>

#include "absl/strings/str_split.h"

namespace ketcd::k8sobjects {
namespace {

// "[ns/]name" after the resource's prefix.
bool SplitObject(std::string_view rest, bool namespaced, RegistryKey& out) {
  std::vector<std::string_view> parts;
  for (absl::string_view p : absl::StrSplit(absl::string_view(rest.data(), rest.size()), '/'))
    parts.emplace_back(p.data(), p.size());
  if (namespaced && parts.size() == 2 && !parts[0].empty() && !parts[1].empty()) {
    out.namespace_ = std::string(parts[0]);
    out.name = std::string(parts[1]);
    return true;
  }
  if (!namespaced && parts.size() == 1 && !parts[0].empty()) {
    out.name = std::string(parts[0]);
    return true;
  }
  return false;
}

}  // namespace

std::optional<RegistryKey> ParseRegistryKey(std::string_view key) {
  if (!key.starts_with(kRegistryPrefix)) return std::nullopt;
  std::string_view path = key.substr(kRegistryPrefix.size());
  // The built-in resources by the first byte of their key prefix (one lookup per key listed).
  static const auto* by_first = [] {
    auto* index = new std::array<std::vector<const ResourceInfo*>, 256>();
    for (const ResourceInfo& r : BuiltinResources()) {
      if (!r.prefix.empty()) (*index)[static_cast<unsigned char>(r.prefix[0])].push_back(&r);
    }
    return index;
  }();
  const ResourceInfo* best = nullptr;
  if (!path.empty()) {
    for (const ResourceInfo* r : (*by_first)[static_cast<unsigned char>(path[0])]) {
      if (path.size() > r->prefix.size() && path.starts_with(r->prefix) && path[r->prefix.size()] == '/' &&
          (best == nullptr || r->prefix.size() > best->prefix.size())) {
        best = r;
      }
    }
  }
  RegistryKey out;
  if (best != nullptr) {
    out.builtin = best;
    out.group = std::string(best->group);
    out.resource = std::string(best->resource);
    if (!SplitObject(path.substr(best->prefix.size() + 1), best->namespaced, out)) return std::nullopt;
    return out;
  }
  std::vector<std::string_view> parts;
  for (absl::string_view p : absl::StrSplit(absl::string_view(path.data(), path.size()), '/'))
    parts.emplace_back(p.data(), p.size());
  size_t i = 0;
  if (parts.size() >= 3 && parts[0].find('.') != std::string_view::npos) out.group = std::string(parts[i++]);
  out.resource = std::string(parts[i++]);
  if (out.resource.empty()) return std::nullopt;
  size_t left = parts.size() - i;
  if (left == 2 && !parts[i].empty() && !parts[i + 1].empty()) {
    out.namespace_ = std::string(parts[i]);
    out.name = std::string(parts[i + 1]);
  } else if (left == 1 && !parts[i].empty()) {
    out.name = std::string(parts[i]);
  } else {
    return std::nullopt;
  }
  return out;
}

}  // namespace ketcd::k8sobjects
