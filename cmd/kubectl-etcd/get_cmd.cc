// kubectl etcd get FILE [RESOURCE[/NAME] | RESOURCE NAME] [-n NS | -A] [-o table|wide|json|yaml|name]:
// the Kubernetes objects stored in a snapshot, printed as `kubectl get` prints them. Reads the
// file only; objects are decoded and printed one at a time (pkg/snapshot/object_query.h), the
// table with kubectl's columns per type (get_table.h, pkg/printers).
#include <algorithm>
#include <ctime>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "cmd/kubectl-etcd/command.h"
#include "cmd/kubectl-etcd/get_table.h"
#include "cmd/kubectl-etcd/objects_flags.h"
#include "pkg/cli/output.h"
#include "pkg/k8sobjects/served_json.h"
#include "pkg/snapshot/object_query.h"
#include "pkg/snapshot/served_objects.h"

namespace ketcd::cmd {
namespace {

const std::vector<std::string> kFormats = {"table", "wide", "json", "yaml", "name"};

// The command's output, written a MiB at a time.
class OutBuffer {
 public:
  explicit OutBuffer(std::ostream& out) : out_(out) {}
  ~OutBuffer() { Flush(); }
  OutBuffer(const OutBuffer&) = delete;
  OutBuffer& operator=(const OutBuffer&) = delete;
  void Append(std::string_view s) {
    buf_.append(s);
    if (buf_.size() >= kChunk) Flush();
  }
  void Flush() {
    out_.write(buf_.data(), static_cast<std::streamsize>(buf_.size()));
    buf_.clear();
  }

 private:
  static constexpr size_t kChunk = 1 << 20;
  std::ostream& out_;
  std::string buf_;
};

std::string Indent(const std::string& text, const std::string& first, const std::string& rest) {
  std::string body = text;
  while (!body.empty() && body.back() == '\n') body.pop_back();
  return first + absl::StrReplaceAll(body, {{"\n", "\n" + rest}}) + "\n";
}

// Streams `kind: List` documents the way kubectl prints them.
class ListPrinter {
 public:
  static constexpr size_t kJsonItemIndent = 8;
  ListPrinter(OutBuffer& out, std::string format) : out_(out), format_(std::move(format)) {}
  void Add(const k8sobjects::Json& obj) {
    std::ostringstream one;
    nlohmann::ordered_json ordered = obj;
    if (format_ == "json") {
      cli::PrintJson(one, ordered);
      std::string item = Indent(one.str(), "        ", "        ");
      item.pop_back();
      AddJsonItem(item);
    } else {
      cli::PrintYaml(one, ordered);
      if (n_ == 0) out_.Append("apiVersion: \"v1\"\nitems:\n");
      out_.Append(Indent(one.str(), "- ", "  "));
      n_++;
    }
  }
  // An item's JSON, indented by kJsonItemIndent, without a newline at its end.
  void AddJsonItem(std::string_view item) {
    out_.Append(n_ == 0 ? "{\n    \"apiVersion\": \"v1\",\n    \"items\": [\n" : ",\n");
    out_.Append(item);
    n_++;
  }
  void Finish() {
    if (format_ == "json") {
      out_.Append(n_ == 0 ? "{\n    \"apiVersion\": \"v1\",\n    \"items\": [],\n" : "\n    ],\n");
      out_.Append("    \"kind\": \"List\",\n    \"metadata\": {\n        \"resourceVersion\": \"\"\n    }\n}\n");
    } else {
      out_.Append(n_ == 0 ? "apiVersion: \"v1\"\nitems: []\n" : "");
      out_.Append("kind: \"List\"\nmetadata:\n  resourceVersion: \"\"\n");
    }
  }

 private:
  OutBuffer& out_;
  std::string format_;
  size_t n_ = 0;
};

struct Args {
  std::string file;
  snapshot::ObjectQuery query;
  // RESOURCE as "cm,secrets,deploy": one walk per type, in that order (query.resource each).
  std::vector<k8sobjects::ResourceSelector> resources;
  bool single = false;  // RESOURCE/NAME: the object itself, not a List
  std::string output;
  bool table = false;  // -o table or wide
  bool all_namespaces = false;
};

absl::StatusOr<Args> ParseArgs(const cxxopts::ParseResult& flags, const Invocation& inv) {
  Args a;
  KETCD_ASSIGN_OR_RETURN(a.output, OutputFormat(flags, kFormats));
  std::vector<std::string> pos = PositionalFiles(flags);
  if (pos.empty() || pos.size() > 3) {
    return absl::InvalidArgumentError(absl::StrCat("expected a snapshot file, then optionally RESOURCE[/NAME]\nUsage: ",
                                                   inv.program, " get FILE [RESOURCE[/NAME]] [-n NS | -A]"));
  }
  a.file = pos[0];
  a.table = a.output == "table" || a.output == "wide";
  const bool all_ns = flags.count("all-namespaces") > 0;
  a.all_namespaces = all_ns;
  if (all_ns && flags.count("namespace")) {
    return absl::InvalidArgumentError("-n/--namespace and -A/--all-namespaces cannot be used together");
  }
  if (pos.size() >= 2) {
    std::string resource = pos[1];
    size_t slash = resource.find('/');
    if (slash != std::string::npos) {
      a.query.name = resource.substr(slash + 1);
      resource.resize(slash);
      if (pos.size() == 3) return absl::InvalidArgumentError("a NAME after RESOURCE/NAME");
    } else if (pos.size() == 3) {
      a.query.name = pos[2];
    }
    for (absl::string_view r : absl::StrSplit(resource, ',')) {
      if (r.empty()) return absl::InvalidArgumentError(absl::StrCat("empty RESOURCE in \"", resource, "\""));
      a.resources.push_back(k8sobjects::SelectResource(std::string(r)));
    }
    if (a.resources.size() > 1 && !a.query.name.empty()) {
      return absl::InvalidArgumentError("a NAME with several RESOURCE types");
    }
    a.query.all_resources = false;
    a.query.resource = a.resources[0];
    a.single = !a.query.name.empty();
    // As kubectl: the "default" namespace unless -n or -A.
    if (!all_ns) a.query.namespace_ = flags.count("namespace") ? flags["namespace"].as<std::string>() : "default";
  } else if (flags.count("namespace")) {
    a.query.namespace_ = flags["namespace"].as<std::string>();
  }
  a.query.keep_managed_fields = flags.count("show-managed-fields") > 0;
  return a;
}

}  // namespace

constexpr char kGetHelp[] =
    "Print the Kubernetes objects stored in a snapshot file, as `kubectl get` prints them.\n"
    "Built-in types are decoded from their protobuf storage encoding, custom resources from\n"
    "their JSON. Values encrypted at rest are decrypted with --encryption-config (aescbc,\n"
    "aesgcm, secretbox; by default the kube-apiserver's --encryption-provider-config on this\n"
    "host when readable), else listed with their provider and key name. A compressed or age\n"
    "encrypted snapshot (backup --compress/--encrypt-to) is read as status reads it.\n"
    "Without RESOURCE, every object under /registry/. The file is only read.\n"
    "The table has kubectl's columns for each type (a CRD's additionalPrinterColumns for its\n"
    "custom resources; NAME and CREATED AT for types kube-apiserver has no columns for), one\n"
    "table per type; -o wide adds kubectl's wide columns.\n\n"
    "Examples:\n"
    "  kubectl etcd get snap.db configmaps -n kube-system -o yaml\n"
    "  kubectl etcd get snap.db deploy/coredns -n kube-system -o json\n"
    "  kubectl etcd get snap.db clusterroles.rbac.authorization.k8s.io -o name\n"
    "  kubectl etcd get snap.db pods -n kube-system -o wide\n"
    "  kubectl etcd get snap.db -A\n"
    "  kubectl etcd get snap.db secrets -n demo -o yaml --encryption-config /etc/kubernetes/enc/enc.yaml\n";

void AddGetFlags(cxxopts::Options& options) {
  AddOutputFlag(options, kFormats, "table");
  // clang-format off
  options.add_options()
      ("n,namespace", "Only objects of this namespace (default: \"default\" with a RESOURCE)",
       cxxopts::value<std::string>())
      ("A,all-namespaces", "Objects of every namespace")
      ("show-managed-fields", "Keep metadata.managedFields in json and yaml output");
  // clang-format on
  AddObjectsFlags(options);
  AddPositional(options, "file", "FILE [RESOURCE[/NAME]]");
}

absl::Status RunGet(Invocation& inv) {
  KETCD_ASSIGN_OR_RETURN(auto parsed, ParseFlags(inv, kGetHelp, AddGetFlags));
  if (!parsed) return absl::OkStatus();
  KETCD_ASSIGN_OR_RETURN(Args a, ParseArgs(*parsed, inv));
  KETCD_ASSIGN_OR_RETURN(OpenedSnapshot snap, OpenSnapshot(a.file, *parsed));
  KETCD_ASSIGN_OR_RETURN(std::optional<atrest::EncryptionConfig> encryption, LoadEncryption(*parsed, inv.err));
  if (encryption) a.query.encryption = &*encryption;

  for (const k8sobjects::ResourceSelector& r : a.resources) {
    if (r.builtin != nullptr || r.any_group) continue;
    KETCD_ASSIGN_OR_RETURN(std::optional<snapshot::AggregatedApi> aggregated,
                           snapshot::FindAggregatedApi(*snap.db, r.group));
    if (aggregated) {
      return absl::NotFoundError(absl::StrCat(k8sobjects::GroupResourceName(r.group, r.resource), ": the group ",
                                              r.group, " is served by an aggregated API server (APIService ",
                                              aggregated->apiservice, ", service ", aggregated->service,
                                              "), not stored in etcd: a snapshot does not hold its objects"));
    }
  }
  OutBuffer out(inv.out);
  ListPrinter list(out, a.output);
  GetTable table(*snap.db, a.query,
                 {.wide = a.output == "wide",
                  .with_namespace = a.all_namespaces || (a.query.all_resources && a.query.namespace_.empty()),
                  .with_kind = a.query.all_resources || a.resources.size() > 1},
                 static_cast<int64_t>(std::time(nullptr)));
  size_t found = 0, undecoded = 0, still_encrypted = 0;
  absl::Status first_error;
  // Objects the general decoder reads (JSON, encrypted, and what the writer leaves to it).
  auto add_found = [&](const snapshot::FoundObject& f) {
    const bool decoded = f.object.ok() && f.object->json.is_object();
    std::string what =
        absl::StrCat(f.where.resource, " ", f.where.namespace_.empty() ? "" : f.where.namespace_ + "/", f.where.name);
    if (!decoded) {
      undecoded++;
      if (!f.object.ok()) {
        inv.err << "warning: " << what << ": " << f.object.status().message() << "\n";
        if (first_error.ok() && f.object.status().code() == absl::StatusCode::kDataLoss)
          first_error = f.object.status();
      } else if (f.object->encoding == k8sobjects::Encoding::kEncrypted) {
        still_encrypted++;
        if (f.at_rest.state == snapshot::AtRestState::kNotDecrypted) {
          inv.err << "warning: " << what << ": encrypted at rest, not decrypted: " << f.at_rest.why.message() << "\n";
        } else if (!a.table) {
          inv.err << "warning: " << what << ": encrypted at rest (provider " << f.object->provider << ", key "
                  << f.object->key_name << ")\n";
        }
      } else if (f.object->encoding == k8sobjects::Encoding::kUnrecognized) {
        inv.err << "warning: " << what << ": not a Kubernetes object encoding\n";
      }
    }
    if (a.output == "name") {
      out.Append(NameOf(KindGroupOf(f), f.where) + "\n");
    } else if (a.table) {
      table.Add(f);
    } else if (decoded && a.single) {
      std::ostringstream one;
      nlohmann::ordered_json ordered = f.object->json;
      a.output == "json" ? cli::PrintJson(one, ordered) : cli::PrintYaml(one, ordered);
      out.Append(one.str());
    } else if (decoded) {
      list.Add(f.object->json);
    }
  };
  // Protobuf values: the served JSON written straight from the stored bytes.
  auto add_written = [&](const snapshot::ServedObject& o) {
    const k8sobjects::ServedSummary& s = o.summary;
    if (a.output == "name") {
      out.Append(NameOf(KindGroupOf(s.kind, s.api_version, o.where), o.where) + "\n");
    } else if (a.table) {
      table.Add(o);
    } else if (a.single) {
      out.Append(o.json);
      out.Append("\n");
    } else {
      list.AddJsonItem(o.json);
    }
  };
  auto add_stored = [&](snapshot::ServedObject& o) -> absl::Status {
    found++;
    if (o.written) {
      add_written(o);
      return absl::OkStatus();
    }
    snapshot::FoundObject f = snapshot::DecodeFound(std::move(o.where), o.kv, a.query.encryption);
    if (f.object.ok() && f.object->json.is_object()) {
      snapshot::PrepareServed(f.object->json, o.kv.mod_revision, a.query.keep_managed_fields);
    }
    add_found(f);
    return absl::OkStatus();
  };
  for (size_t i = 0; i < std::max<size_t>(a.resources.size(), 1); i++) {
    if (!a.resources.empty()) a.query.resource = a.resources[i];
    if (a.output == "yaml") {
      KETCD_RETURN_IF_ERROR(snapshot::ForEachStored(
          *snap.db, a.query, [&](k8sobjects::RegistryKey& where, const snapshot::KeyValue& kv) -> absl::Status {
            snapshot::ServedObject o;
            o.where = std::move(where);
            o.kv = kv;
            return add_stored(o);
          }));
    } else {
      const k8sobjects::ServedOptions served{.keep_managed_fields = a.query.keep_managed_fields,
                                             .indent = a.single ? 0 : ListPrinter::kJsonItemIndent};
      KETCD_RETURN_IF_ERROR(snapshot::ForEachServed(
          *snap.db, a.query, a.output == "json" ? snapshot::ServedForm::kJson : snapshot::ServedForm::kSummary, served,
          add_stored));
    }
  }
  out.Flush();
  if (still_encrypted > 0 && !a.query.encryption) {
    inv.err << "note: " << still_encrypted << " object" << (still_encrypted == 1 ? " is" : "s are")
            << " encrypted at rest: pass --encryption-config with the kube-apiserver's --encryption-provider-config "
               "file to decrypt\n";
  }
  if (a.single && found == 0) {
    return absl::NotFoundError(
        absl::StrCat(k8sobjects::GroupResourceName(a.query.resource.group, a.query.resource.resource), " \"",
                     a.query.name, "\" not found in ", a.file));
  }
  if (a.table) {
    if (table.empty()) {
      inv.err << "No resources found" << (a.query.namespace_.empty() ? "" : " in " + a.query.namespace_ + " namespace")
              << ".\n";
    } else {
      table.Print(inv.out);
    }
  } else if ((a.output == "json" || a.output == "yaml") && !a.single) {
    list.Finish();
    out.Flush();
  }
  return first_error;
}

}  // namespace ketcd::cmd
