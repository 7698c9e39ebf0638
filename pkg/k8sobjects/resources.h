#pragma once
// The built-in resources kube-apiserver stores in etcd, and how kubectl names them.
// Key prefixes: /registry/<prefix>/[<namespace>/]<name>, where <prefix> is the resource's
// plural name except for the special ones of kubernetes pkg/kubeapiserver
// default_storage_factory_builder.go (SpecialDefaultResourcePrefixes, checked in v1.36.3):
// replicationcontrollers -> controllers, endpoints -> services/endpoints, nodes -> minions,
// services -> services/specs, ingresses -> ingress. Resources of aggregated or extension
// API servers (CRDs, APIServices, custom resources) are under /registry/<group>/<resource>/.
// Short names: the ShortNames() of pkg/registry/*/storage (v1.36.3).

#include <span>
#include <string>
#include <string_view>

namespace ketcd::k8sobjects {

struct ResourceInfo {
  std::string_view group;        // "" for the core group
  std::string_view resource;     // plural, "deployments"
  std::string_view singular;     // "deployment"
  std::string_view kind;         // "Deployment"
  std::string_view short_names;  // "deploy", comma-separated, may be empty
  std::string_view prefix;       // key prefix under /registry/: "deployments"
  bool namespaced = true;
};

std::span<const ResourceInfo> BuiltinResources();

// "resource" or "resource.group" (kubectl's spelling of a group resource).
std::string GroupResourceName(std::string_view group, std::string_view resource);

// The built-in resource kubectl would take `name` for: plural, singular, short name or kind
// (case-insensitive), each optionally followed by ".group" (or a prefix of the group, as
// kubectl does: "deploy.apps"). Null when none.
const ResourceInfo* FindBuiltinResource(std::string_view name);

}  // namespace ketcd::k8sobjects

namespace ketcd::k8sobjects {

// What a RESOURCE argument of `get` selects: a built-in resource, "plural.group" of a
// custom one, or a bare plural matched against every group.
struct ResourceSelector {
  const ResourceInfo* builtin = nullptr;
  std::string group;     // set for built-ins and "plural.group"
  std::string resource;  // plural
  bool any_group = false;
};
ResourceSelector SelectResource(std::string_view arg);

}  // namespace ketcd::k8sobjects
