#pragma once
// The apply-able form of stored objects (`kubectl etcd extract`): what the API server set is
// removed, objects its controllers re-create are left out, and the rest is ordered so that
// `kubectl apply -f -` creates each object after what it needs. The rules: README.md.
//
//   Extraction x;
//   x.Add(obj) ...;                     // decoded objects, in any order
//   ExtractResult r = x.Finish();       // r.objects in apply order

#include <map>
#include <string>
#include <vector>

#include "pkg/k8sobjects/to_json.h"

namespace ketcd::k8sobjects {

struct ExtractResult {
  std::vector<Json> objects;                // apply order, server-set fields removed
  std::map<std::string, size_t> skipped;    // why -> how many ("Events", "Pods owned by a ReplicaSet")
  size_t owner_references_removed = 0;      // objects whose metadata.ownerReferences were dropped
  std::vector<std::string> missing_owners;  // "Kind/name of Kind/name" whose owner is not in `objects`
};

class Extraction {
 public:
  // A decoded object as served (apiVersion, kind, metadata...). A CustomResourceDefinition
  // added here is written out only when a custom resource of it is added too.
  void Add(Json obj);
  ExtractResult Finish();

 private:
  std::vector<Json> objects_;
  std::vector<Json> crds_;
};

// The rank of an object in apply order: Namespace, CRDs, ServiceAccounts, Secrets,
// ConfigMaps, RBAC, other built-ins, custom resources.
int ApplyRank(const Json& obj);

}  // namespace ketcd::k8sobjects
