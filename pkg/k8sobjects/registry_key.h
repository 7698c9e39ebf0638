#pragma once
// Which object an etcd key holds: /registry/<prefix>/[<namespace>/]<name> (resources.h).

#include <optional>
#include <string>
#include <string_view>

#include "pkg/k8sobjects/resources.h"

namespace ketcd::k8sobjects {

inline constexpr std::string_view kRegistryPrefix = "/registry/";

struct RegistryKey {
  std::string group;       // "apps"; for keys of unknown resources the <group> segment, if any
  std::string resource;    // "deployments"
  std::string namespace_;  // empty for cluster-scoped objects
  std::string name;
  const ResourceInfo* builtin = nullptr;  // null for custom and unknown resources
};

// Nullopt for keys outside /registry/ or without a name. Built-in resources by their known
// prefix (the longest that matches); otherwise /registry/<group.with.dots>/<resource>/... is
// an extension resource and /registry/<resource>/... a core-style one; the remaining one or
// two segments are [namespace/]name.
std::optional<RegistryKey> ParseRegistryKey(std::string_view key);

}  // namespace ketcd::k8sobjects
