#include "pkg/k8sobjects/resources.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace ketcd::k8sobjects {
namespace {

constexpr bool kNs = true;
constexpr bool kCluster = false;

// group, resource, singular, kind, short names, etcd prefix, namespaced.
constexpr ResourceInfo kResources[] = {
    {"", "bindings", "binding", "Binding", "", "bindings", kNs},
    {"", "configmaps", "configmap", "ConfigMap", "cm", "configmaps", kNs},
    {"", "endpoints", "endpoints", "Endpoints", "ep", "services/endpoints", kNs},
    {"", "events", "event", "Event", "ev", "events", kNs},
    {"", "limitranges", "limitrange", "LimitRange", "limits", "limitranges", kNs},
    {"", "namespaces", "namespace", "Namespace", "ns", "namespaces", kCluster},
    {"", "nodes", "node", "Node", "no", "minions", kCluster},
    {"", "persistentvolumeclaims", "persistentvolumeclaim", "PersistentVolumeClaim", "pvc", "persistentvolumeclaims",
     kNs},
    {"", "persistentvolumes", "persistentvolume", "PersistentVolume", "pv", "persistentvolumes", kCluster},
    {"", "pods", "pod", "Pod", "po", "pods", kNs},
    {"", "podtemplates", "podtemplate", "PodTemplate", "", "podtemplates", kNs},
    {"", "replicationcontrollers", "replicationcontroller", "ReplicationController", "rc", "controllers", kNs},
    {"", "resourcequotas", "resourcequota", "ResourceQuota", "quota", "resourcequotas", kNs},
    {"", "secrets", "secret", "Secret", "", "secrets", kNs},
    {"", "serviceaccounts", "serviceaccount", "ServiceAccount", "sa", "serviceaccounts", kNs},
    {"", "services", "service", "Service", "svc", "services/specs", kNs},
    {"admissionregistration.k8s.io", "mutatingwebhookconfigurations", "mutatingwebhookconfiguration",
     "MutatingWebhookConfiguration", "", "mutatingwebhookconfigurations", kCluster},
    {"admissionregistration.k8s.io", "validatingwebhookconfigurations", "validatingwebhookconfiguration",
     "ValidatingWebhookConfiguration", "", "validatingwebhookconfigurations", kCluster},
    {"admissionregistration.k8s.io", "validatingadmissionpolicies", "validatingadmissionpolicy",
     "ValidatingAdmissionPolicy", "", "validatingadmissionpolicies", kCluster},
    {"admissionregistration.k8s.io", "validatingadmissionpolicybindings", "validatingadmissionpolicybinding",
     "ValidatingAdmissionPolicyBinding", "", "validatingadmissionpolicybindings", kCluster},
    {"admissionregistration.k8s.io", "mutatingadmissionpolicies", "mutatingadmissionpolicy", "MutatingAdmissionPolicy",
     "", "mutatingadmissionpolicies", kCluster},
    {"admissionregistration.k8s.io", "mutatingadmissionpolicybindings", "mutatingadmissionpolicybinding",
     "MutatingAdmissionPolicyBinding", "", "mutatingadmissionpolicybindings", kCluster},
    {"apiextensions.k8s.io", "customresourcedefinitions", "customresourcedefinition", "CustomResourceDefinition",
     "crd,crds", "apiextensions.k8s.io/customresourcedefinitions", kCluster},
    {"apiregistration.k8s.io", "apiservices", "apiservice", "APIService", "", "apiregistration.k8s.io/apiservices",
     kCluster},
    {"apps", "controllerrevisions", "controllerrevision", "ControllerRevision", "", "controllerrevisions", kNs},
    {"apps", "daemonsets", "daemonset", "DaemonSet", "ds", "daemonsets", kNs},
    {"apps", "deployments", "deployment", "Deployment", "deploy", "deployments", kNs},
    {"apps", "replicasets", "replicaset", "ReplicaSet", "rs", "replicasets", kNs},
    {"apps", "statefulsets", "statefulset", "StatefulSet", "sts", "statefulsets", kNs},
    {"autoscaling", "horizontalpodautoscalers", "horizontalpodautoscaler", "HorizontalPodAutoscaler", "hpa",
     "horizontalpodautoscalers", kNs},
    {"batch", "cronjobs", "cronjob", "CronJob", "cj", "cronjobs", kNs},
    {"batch", "jobs", "job", "Job", "", "jobs", kNs},
    {"certificates.k8s.io", "certificatesigningrequests", "certificatesigningrequest", "CertificateSigningRequest",
     "csr", "certificatesigningrequests", kCluster},
    {"certificates.k8s.io", "clustertrustbundles", "clustertrustbundle", "ClusterTrustBundle", "",
     "clustertrustbundles", kCluster},
    {"coordination.k8s.io", "leases", "lease", "Lease", "", "leases", kNs},
    {"coordination.k8s.io", "leasecandidates", "leasecandidate", "LeaseCandidate", "", "leasecandidates", kNs},
    {"discovery.k8s.io", "endpointslices", "endpointslice", "EndpointSlice", "", "endpointslices", kNs},
    {"flowcontrol.apiserver.k8s.io", "flowschemas", "flowschema", "FlowSchema", "", "flowschemas", kCluster},
    {"flowcontrol.apiserver.k8s.io", "prioritylevelconfigurations", "prioritylevelconfiguration",
     "PriorityLevelConfiguration", "", "prioritylevelconfigurations", kCluster},
    {"internal.apiserver.k8s.io", "storageversions", "storageversion", "StorageVersion", "", "storageversions",
     kCluster},
    {"networking.k8s.io", "ingressclasses", "ingressclass", "IngressClass", "", "ingressclasses", kCluster},
    {"networking.k8s.io", "ingresses", "ingress", "Ingress", "ing", "ingress", kNs},
    {"networking.k8s.io", "ipaddresses", "ipaddress", "IPAddress", "ip", "ipaddresses", kCluster},
    {"networking.k8s.io", "networkpolicies", "networkpolicy", "NetworkPolicy", "netpol", "networkpolicies", kNs},
    {"networking.k8s.io", "servicecidrs", "servicecidr", "ServiceCIDR", "", "servicecidrs", kCluster},
    {"node.k8s.io", "runtimeclasses", "runtimeclass", "RuntimeClass", "", "runtimeclasses", kCluster},
    {"policy", "poddisruptionbudgets", "poddisruptionbudget", "PodDisruptionBudget", "pdb", "poddisruptionbudgets",
     kNs},
    {"rbac.authorization.k8s.io", "clusterrolebindings", "clusterrolebinding", "ClusterRoleBinding", "",
     "clusterrolebindings", kCluster},
    {"rbac.authorization.k8s.io", "clusterroles", "clusterrole", "ClusterRole", "", "clusterroles", kCluster},
    {"rbac.authorization.k8s.io", "rolebindings", "rolebinding", "RoleBinding", "", "rolebindings", kNs},
    {"rbac.authorization.k8s.io", "roles", "role", "Role", "", "roles", kNs},
    {"resource.k8s.io", "deviceclasses", "deviceclass", "DeviceClass", "", "deviceclasses", kCluster},
    {"resource.k8s.io", "resourceclaims", "resourceclaim", "ResourceClaim", "", "resourceclaims", kNs},
    {"resource.k8s.io", "resourceclaimtemplates", "resourceclaimtemplate", "ResourceClaimTemplate", "",
     "resourceclaimtemplates", kNs},
    {"resource.k8s.io", "resourceslices", "resourceslice", "ResourceSlice", "", "resourceslices", kCluster},
    {"scheduling.k8s.io", "priorityclasses", "priorityclass", "PriorityClass", "pc", "priorityclasses", kCluster},
    {"storage.k8s.io", "csidrivers", "csidriver", "CSIDriver", "", "csidrivers", kCluster},
    {"storage.k8s.io", "csinodes", "csinode", "CSINode", "", "csinodes", kCluster},
    {"storage.k8s.io", "csistoragecapacities", "csistoragecapacity", "CSIStorageCapacity", "", "csistoragecapacities",
     kNs},
    {"storage.k8s.io", "storageclasses", "storageclass", "StorageClass", "sc", "storageclasses", kCluster},
    {"storage.k8s.io", "volumeattachments", "volumeattachment", "VolumeAttachment", "", "volumeattachments", kCluster},
    {"storage.k8s.io", "volumeattributesclasses", "volumeattributesclass", "VolumeAttributesClass", "vac",
     "volumeattributesclasses", kCluster},
};

absl::string_view Absl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

bool NameMatches(const ResourceInfo& r, std::string_view name) {
  absl::string_view n = Absl(name);
  if (absl::EqualsIgnoreCase(n, Absl(r.resource)) || absl::EqualsIgnoreCase(n, Absl(r.singular)) ||
      absl::EqualsIgnoreCase(n, Absl(r.kind))) {
    return true;
  }
  for (absl::string_view s : absl::StrSplit(Absl(r.short_names), ',', absl::SkipEmpty())) {
    if (absl::EqualsIgnoreCase(n, s)) return true;
  }
  return false;
}

// "v1", "v1beta2", "v2alpha1": a version, as in kubectl's RESOURCE.VERSION.GROUP form.
bool IsVersion(std::string_view label) {
  if (label.size() < 2 || (label[0] != 'v' && label[0] != 'V')) return false;
  size_t i = 1;
  auto digits = [&] {
    size_t start = i;
    while (i < label.size() && absl::ascii_isdigit(static_cast<unsigned char>(label[i]))) i++;
    return i > start;
  };
  if (!digits()) return false;
  if (i == label.size()) return true;
  for (std::string_view stage : {"alpha", "beta"}) {
    if (absl::StartsWithIgnoreCase(Absl(label.substr(i)), Absl(stage))) {
      i += stage.size();
      return digits() && i == label.size();
    }
  }
  return false;
}

// The group of "RESOURCE.GROUP" or "RESOURCE.VERSION.GROUP" (the version dropped: a snapshot
// holds each object in its storage version). "pods.v1" names the core group ("").
std::string_view GroupWithoutVersion(std::string_view group) {
  size_t dot = group.find('.');
  std::string_view first = group.substr(0, dot);
  if (!IsVersion(first)) return group;
  return dot == std::string_view::npos ? std::string_view() : group.substr(dot + 1);
}

}  // namespace

std::span<const ResourceInfo> BuiltinResources() { return kResources; }

std::string GroupResourceName(std::string_view group, std::string_view resource) {
  return group.empty() ? std::string(resource) : absl::StrCat(std::string(resource), ".", std::string(group));
}

const ResourceInfo* FindBuiltinResource(std::string_view name) {
  // Without a group first: "ingress" is networking's, as kubectl resolves it.
  for (const ResourceInfo& r : kResources) {
    if (NameMatches(r, name)) return &r;
  }
  size_t dot = name.find('.');
  if (dot == std::string_view::npos) return nullptr;
  std::string_view base = name.substr(0, dot);
  std::string_view group = GroupWithoutVersion(name.substr(dot + 1));
  for (const ResourceInfo& r : kResources) {
    const bool group_matches =
        group.empty() ? r.group.empty() : absl::StartsWithIgnoreCase(Absl(r.group), Absl(group)) && !r.group.empty();
    if (group_matches && NameMatches(r, base)) return &r;
  }
  return nullptr;
}

}  // namespace ketcd::k8sobjects

namespace ketcd::k8sobjects {

ResourceSelector SelectResource(std::string_view arg) {
  ResourceSelector s;
  if (const ResourceInfo* r = FindBuiltinResource(arg)) {
    s.builtin = r;
    s.group = std::string(r->group);
    s.resource = std::string(r->resource);
    return s;
  }
  std::string lower = absl::AsciiStrToLower(Absl(arg));
  size_t dot = lower.find('.');
  if (dot == std::string::npos) {
    s.resource = lower;
    s.any_group = true;
  } else {
    s.resource = lower.substr(0, dot);
    s.group = std::string(GroupWithoutVersion(std::string_view(lower).substr(dot + 1)));
  }
  return s;
}

}  // namespace ketcd::k8sobjects
