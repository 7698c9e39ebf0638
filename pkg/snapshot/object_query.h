#pragma once
// `get` over a snapshot: the live Kubernetes objects a resource / namespace / name selects,
// decoded (k8sobjects) and shaped as the API server serves them, streamed in key order.

#include <cstdint>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "pkg/atrest/config.h"
#include "pkg/bbolt/db.h"
#include "pkg/k8sobjects/decode.h"
#include "pkg/k8sobjects/registry_key.h"
#include "pkg/k8sobjects/resources.h"
#include "pkg/snapshot/objects.h"

namespace ketcd::snapshot {

struct ObjectQuery {
  bool all_resources = true;  // false: only `resource`
  k8sobjects::ResourceSelector resource;
  std::string namespace_;            // empty: every namespace (ignored for cluster-scoped)
  bool namespaced_only = false;      // leave out cluster-scoped objects
  std::string name;                  // empty: every name
  bool keep_managed_fields = false;  // kubectl hides them unless --show-managed-fields
  // Keys for values encrypted at rest; null: such values are passed on undecoded.
  const atrest::EncryptionConfig* encryption = nullptr;
};

// How a value was stored: in plain, or encrypted at rest and then decrypted or not.
enum class AtRestState { kPlain, kEncrypted /* no configuration given */, kDecrypted, kNotDecrypted };

struct AtRest {
  AtRestState state = AtRestState::kPlain;
  std::string provider;  // "aescbc", "aesgcm", "secretbox", "kms"
  std::string key_name;
  absl::Status why;  // kNotDecrypted: the reason (no such key, kms, authentication failed...)
};

struct FoundObject {
  k8sobjects::RegistryKey where;
  int64_t mod_revision = 0;
  // The object (json set for protobuf and JSON values), or why it could not be decoded.
  absl::StatusOr<k8sobjects::Object> object;
  AtRest at_rest;
};

// The stored value decoded, decrypted first when `encryption` has its key.
FoundObject DecodeFound(k8sobjects::RegistryKey where, const KeyValue& kv, const atrest::EncryptionConfig* encryption);

// Whether `q` selects the object at `k` (resource, namespace, name).
bool Selects(const ObjectQuery& q, const k8sobjects::RegistryKey& k);

// Whether the object at `k` is of the resource `r` selects.
bool MatchesResource(const k8sobjects::ResourceSelector& r, const k8sobjects::RegistryKey& k);

// The /registry/ key prefix that holds everything `q` can select (narrowest known).
std::string QueryPrefix(const ObjectQuery& q);

// Calls fn for every live object `q` selects, undecoded (DecodeFound, or
// k8sobjects::ServedJsonWriter for the served JSON); the walk fails as ForEachLatest does.
absl::Status ForEachStored(const bbolt::Db& db, const ObjectQuery& q,
                           absl::FunctionRef<absl::Status(k8sobjects::RegistryKey&, const KeyValue&)> fn,
                           LatestStats* stats = nullptr);

// Calls fn for every live object `q` selects. Values that do not decode are passed with
// their error status (fn decides); the walk itself fails as ForEachLatest does.
absl::Status ForEachObject(const bbolt::Db& db, const ObjectQuery& q,
                           absl::FunctionRef<absl::Status(const FoundObject&)> fn, LatestStats* stats = nullptr);

// An API group served by an aggregated API server (an APIService with spec.service set):
// its objects are that server's, never in etcd.
struct AggregatedApi {
  std::string apiservice;  // "v1beta1.metrics.k8s.io"
  std::string service;     // "kube-system/metrics-server"
};
// The APIService of the snapshot that hands `group` to an aggregated API server, if any.
absl::StatusOr<std::optional<AggregatedApi>> FindAggregatedApi(const bbolt::Db& db, const std::string& group);

// What the API server adds or hides when it serves a stored object: metadata.resourceVersion
// is the key's mod revision (it is not stored); managedFields are dropped unless kept.
void PrepareServed(k8sobjects::Json& obj, int64_t mod_revision, bool keep_managed_fields);

}  // namespace ketcd::snapshot
