// kubectl etcd extract FILE -n NS [RESOURCE...] [-o yaml|json]: the objects of one namespace
// of a snapshot as documents `kubectl apply -f -` re-creates (pkg/k8sobjects/extract.h):
// the Namespace, the CRDs of its custom resources, then its objects in apply order.
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "cmd/kubectl-etcd/command.h"
#include "cmd/kubectl-etcd/objects_flags.h"
#include "pkg/cli/output.h"
#include "pkg/k8sobjects/extract.h"
#include "pkg/snapshot/object_query.h"

namespace ketcd::cmd {
namespace {

const std::vector<std::string> kFormats = {"yaml", "json"};

struct Args {
  std::string file, ns, output;
  std::vector<k8sobjects::ResourceSelector> resources;  // empty: all
};

absl::StatusOr<Args> ParseArgs(const cxxopts::ParseResult& flags, const Invocation& inv) {
  Args a;
  KETCD_ASSIGN_OR_RETURN(a.output, OutputFormat(flags, kFormats));
  std::vector<std::string> pos = PositionalFiles(flags);
  if (pos.empty() || !flags.count("namespace")) {
    return absl::InvalidArgumentError(absl::StrCat("expected a snapshot file and -n NAMESPACE\nUsage: ", inv.program,
                                                   " extract FILE -n NS [RESOURCE...]"));
  }
  a.file = pos[0];
  a.ns = flags["namespace"].as<std::string>();
  if (a.ns.empty()) return absl::InvalidArgumentError("empty -n/--namespace");
  for (size_t i = 1; i < pos.size(); i++) {
    for (absl::string_view r : absl::StrSplit(pos[i], ',')) {  // "cm,secrets" as kubectl takes it
      if (r.empty() || r.find('/') != absl::string_view::npos) {
        return absl::InvalidArgumentError(absl::StrCat("RESOURCE \"", pos[i], "\": resource names, without /NAME"));
      }
      a.resources.push_back(k8sobjects::SelectResource(std::string(r)));
    }
  }
  return a;
}

// Decoded objects only; the others are reported (encrypted without keys, malformed).
absl::Status Collect(const bbolt::Db& db, const snapshot::ObjectQuery& q, std::ostream& err,
                     const std::function<void(const snapshot::FoundObject&)>& fn) {
  return snapshot::ForEachObject(db, q, [&](const snapshot::FoundObject& f) -> absl::Status {
    std::string what =
        absl::StrCat(f.where.resource, " ", f.where.namespace_.empty() ? "" : f.where.namespace_ + "/", f.where.name);
    if (!f.object.ok()) {
      err << "warning: " << what << " left out: " << f.object.status().message() << "\n";
    } else if (f.object->encoding == k8sobjects::Encoding::kEncrypted) {
      err << "warning: " << what << " left out: encrypted at rest (" << f.object->provider << ", key "
          << f.object->key_name << ")"
          << (f.at_rest.state == snapshot::AtRestState::kNotDecrypted ? ": " + std::string(f.at_rest.why.message())
                                                                      : ": pass --encryption-config")
          << "\n";
    } else if (f.object->json.is_object()) {
      fn(f);
    }
    return absl::OkStatus();
  });
}

void Report(const k8sobjects::ExtractResult& r, std::ostream& err) {
  size_t skipped = 0;
  for (const auto& [why, n] : r.skipped) skipped += n;
  if (skipped > 0) {
    err << "skipped " << skipped << " object" << (skipped == 1 ? "" : "s") << " the cluster re-creates itself:";
    for (const auto& [why, n] : r.skipped) err << " " << why << " (" << n << ");";
    err << "\n";
  }
  if (r.owner_references_removed > 0) {
    err << "removed ownerReferences from " << r.owner_references_removed
        << " object(s): re-created owners get new uids, and the garbage collector deletes objects whose owner uid "
           "is gone\n";
  }
  for (const std::string& m : r.missing_owners) err << "warning: owner not in the output: " << m << "\n";
}

}  // namespace

constexpr char kExtractHelp[] =
    "Print the objects of one namespace of a snapshot as documents `kubectl apply -f -` re-creates:\n"
    "the Namespace, the CRDs of its custom resources, ServiceAccounts, Secrets, ConfigMaps, RBAC,\n"
    "then the rest. Fields the API server sets (uid, resourceVersion, creationTimestamp,\n"
    "managedFields, generation, status where it ignores it on create) and ownerReferences are\n"
    "removed; objects the cluster re-creates (Events, kube-root-ca.crt, the default\n"
    "ServiceAccount and its tokens, Endpoints/EndpointSlices of Services, Pods and ReplicaSets\n"
    "of workloads) are left out and counted on stderr. The file is only read.\n\n"
    "Examples:\n"
    "  kubectl etcd extract snap.db -n demo | kubectl apply -f -\n"
    "  kubectl etcd extract snap.db -n demo configmaps secrets > demo-config.yaml\n";

void AddExtractFlags(cxxopts::Options& options) {
  AddOutputFlag(options, kFormats, "yaml");
  // clang-format off
  options.add_options()
      ("n,namespace", "The namespace to extract (required)", cxxopts::value<std::string>());
  // clang-format on
  AddObjectsFlags(options);
  AddPositional(options, "file", "FILE [RESOURCE...]");
}

absl::Status RunExtract(Invocation& inv) {
  KETCD_ASSIGN_OR_RETURN(auto parsed, ParseFlags(inv, kExtractHelp, AddExtractFlags));
  if (!parsed) return absl::OkStatus();
  KETCD_ASSIGN_OR_RETURN(Args a, ParseArgs(*parsed, inv));
  KETCD_ASSIGN_OR_RETURN(OpenedSnapshot snap, OpenSnapshot(a.file, *parsed));
  KETCD_ASSIGN_OR_RETURN(std::optional<atrest::EncryptionConfig> encryption, LoadEncryption(*parsed, inv.err));

  k8sobjects::Extraction x;
  snapshot::ObjectQuery q;
  q.encryption = encryption ? &*encryption : nullptr;
  q.namespace_ = a.ns;
  q.namespaced_only = true;
  size_t in_namespace = 0;
  KETCD_RETURN_IF_ERROR(Collect(*snap.db, q, inv.err, [&](const snapshot::FoundObject& f) {
    bool wanted = a.resources.empty();
    for (const auto& r : a.resources) wanted |= snapshot::MatchesResource(r, f.where);
    if (!wanted) return;
    in_namespace++;
    x.Add(f.object->json);
  }));
  if (in_namespace == 0) {
    return absl::NotFoundError(absl::StrCat("no objects in namespace \"", a.ns, "\" in ", a.file));
  }
  // The Namespace itself (when all resources are extracted) and the CRDs (kept by Finish
  // only when one of their custom resources is there).
  snapshot::ObjectQuery cluster;
  cluster.encryption = q.encryption;
  cluster.all_resources = false;
  if (a.resources.empty()) {
    cluster.resource = k8sobjects::SelectResource("namespaces");
    cluster.name = a.ns;
    KETCD_RETURN_IF_ERROR(Collect(*snap.db, cluster, inv.err, [&](const auto& f) { x.Add(f.object->json); }));
  }
  cluster.resource = k8sobjects::SelectResource("customresourcedefinitions.apiextensions.k8s.io");
  cluster.name.clear();
  KETCD_RETURN_IF_ERROR(Collect(*snap.db, cluster, inv.err, [&](const auto& f) { x.Add(f.object->json); }));

  k8sobjects::ExtractResult r = x.Finish();
  if (a.output == "json") {
    nlohmann::ordered_json list = {{"apiVersion", "v1"}, {"kind", "List"}, {"items", nlohmann::ordered_json::array()}};
    for (const auto& o : r.objects) list["items"].push_back(nlohmann::ordered_json(o));
    cli::PrintJson(inv.out, list);
  } else {
    for (size_t i = 0; i < r.objects.size(); i++) {
      if (i > 0) inv.out << "---\n";
      cli::PrintYaml(inv.out, nlohmann::ordered_json(r.objects[i]));
    }
  }
  Report(r, inv.err);
  return absl::OkStatus();
}

}  // namespace ketcd::cmd
