// kubectl etcd get FILE [RESOURCE[/NAME] | RESOURCE NAME] [-n NS | -A] [-o table|json|yaml|name]:
// the Kubernetes objects stored in a snapshot, printed as `kubectl get` prints them. Reads the
// file only; objects are decoded and printed one at a time (pkg/snapshot/object_query.h).
#include <ctime>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "cmd/kubectl-etcd/command.h"
#include "cmd/kubectl-etcd/objects_flags.h"
#include "pkg/cli/output.h"
#include "pkg/snapshot/object_query.h"

namespace ketcd::cmd {
namespace {

const std::vector<std::string> kFormats = {"table", "json", "yaml", "name"};

// kubectl's HumanDuration, to the precision its AGE column shows.
std::string Age(const k8sobjects::Json& obj) {
  auto meta = obj.find("metadata");
  std::string ts;
  if (meta != obj.end() && meta->is_object()) {
    auto t = meta->find("creationTimestamp");
    if (t != meta->end() && t->is_string()) ts = t->get<std::string>();
  }
  std::tm tm{};
  if (ts.empty() || ::strptime(ts.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm) == nullptr) return "<unknown>";
  int64_t s = static_cast<int64_t>(std::time(nullptr)) - static_cast<int64_t>(::timegm(&tm));
  if (s < 0) return "<invalid>";
  if (s < 120) return absl::StrCat(s, "s");
  if (s < 600) return absl::StrCat(s / 60, "m", s % 60 ? absl::StrCat(s % 60, "s") : "");
  if (s < 3 * 3600) return absl::StrCat(s / 60, "m");
  if (s < 48 * 3600) return absl::StrCat(s / 3600, "h");
  if (s < 8 * 86400)
    return absl::StrCat(s / 86400, "d", (s % 86400) / 3600 ? absl::StrCat((s % 86400) / 3600, "h") : "");
  return absl::StrCat(s / 86400, "d");
}

std::string KindOf(const snapshot::FoundObject& f) {
  if (f.object.ok() && !f.object->kind.empty()) return f.object->kind;
  if (f.where.builtin != nullptr) return std::string(f.where.builtin->kind);
  return f.where.resource;
}

std::string GroupOf(const snapshot::FoundObject& f) {
  if (f.object.ok() && !f.object->api_version.empty()) {
    size_t slash = f.object->api_version.find('/');
    return slash == std::string::npos ? "" : f.object->api_version.substr(0, slash);
  }
  return f.where.group;
}

// kubectl -o name: kind.group/name, kind in lower case.
std::string NameOf(const snapshot::FoundObject& f) {
  std::string group = GroupOf(f);
  return absl::StrCat(absl::AsciiStrToLower(KindOf(f)), group.empty() ? "" : ".", group, "/", f.where.name);
}

std::string Indent(const std::string& text, const std::string& first, const std::string& rest) {
  std::string body = text;
  while (!body.empty() && body.back() == '\n') body.pop_back();
  return first + absl::StrReplaceAll(body, {{"\n", "\n" + rest}}) + "\n";
}

// Streams `kind: List` documents the way kubectl prints them.
class ListPrinter {
 public:
  ListPrinter(std::ostream& out, std::string format) : out_(out), format_(std::move(format)) {}
  void Add(const k8sobjects::Json& obj) {
    std::ostringstream one;
    nlohmann::ordered_json ordered = obj;
    if (format_ == "json") {
      cli::PrintJson(one, ordered);
      out_ << (n_ == 0 ? "{\n    \"apiVersion\": \"v1\",\n    \"items\": [\n" : ",\n");
      std::string item = Indent(one.str(), "        ", "        ");
      item.pop_back();
      out_ << item;
    } else {
      cli::PrintYaml(one, ordered);
      if (n_ == 0) out_ << "apiVersion: \"v1\"\nitems:\n";
      out_ << Indent(one.str(), "- ", "  ");
    }
    n_++;
  }
  void Finish() {
    if (format_ == "json") {
      out_ << (n_ == 0 ? "{\n    \"apiVersion\": \"v1\",\n    \"items\": [],\n" : "\n    ],\n")
           << "    \"kind\": \"List\",\n    \"metadata\": {\n        \"resourceVersion\": \"\"\n    }\n}\n";
    } else {
      out_ << (n_ == 0 ? "apiVersion: \"v1\"\nitems: []\n" : "")
           << "kind: \"List\"\nmetadata:\n  resourceVersion: \"\"\n";
    }
  }

 private:
  std::ostream& out_;
  std::string format_;
  size_t n_ = 0;
};

struct Args {
  std::string file;
  snapshot::ObjectQuery query;
  bool single = false;  // RESOURCE/NAME: the object itself, not a List
  std::string output;
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
  const bool all_ns = flags.count("all-namespaces") > 0;
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
    if (resource.empty()) return absl::InvalidArgumentError("empty RESOURCE");
    a.query.all_resources = false;
    a.query.resource = k8sobjects::SelectResource(resource);
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
    "Without RESOURCE, every object under /registry/. The file is only read.\n\n"
    "Examples:\n"
    "  kubectl etcd get snap.db configmaps -n kube-system -o yaml\n"
    "  kubectl etcd get snap.db deploy/coredns -n kube-system -o json\n"
    "  kubectl etcd get snap.db clusterroles.rbac.authorization.k8s.io -o name\n"
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

  ListPrinter list(inv.out, a.output);
  std::vector<std::vector<std::string>> rows;
  size_t found = 0, undecoded = 0, still_encrypted = 0;
  absl::Status first_error;
  KETCD_RETURN_IF_ERROR(snapshot::ForEachObject(*snap.db, a.query, [&](const snapshot::FoundObject& f) -> absl::Status {
    found++;
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
        } else if (a.output != "table") {
          inv.err << "warning: " << what << ": encrypted at rest (provider " << f.object->provider << ", key "
                  << f.object->key_name << ")\n";
        }
      } else if (f.object->encoding == k8sobjects::Encoding::kUnrecognized) {
        inv.err << "warning: " << what << ": not a Kubernetes object encoding\n";
      }
    }
    if (a.output == "name") {
      inv.out << NameOf(f) << "\n";
    } else if (a.output == "table") {
      std::string kind = GroupOf(f).empty() ? KindOf(f) : absl::StrCat(KindOf(f), ".", GroupOf(f));
      if (f.object.ok() && f.object->encoding == k8sobjects::Encoding::kEncrypted) {
        absl::StrAppend(&kind, " (encrypted: ", f.object->provider, ", key ", f.object->key_name, ")");
      }
      rows.push_back({f.where.namespace_, f.where.name, kind, decoded ? Age(f.object->json) : "<unknown>"});
    } else if (decoded && a.single) {
      nlohmann::ordered_json ordered = f.object->json;
      a.output == "json" ? cli::PrintJson(inv.out, ordered) : cli::PrintYaml(inv.out, ordered);
    } else if (decoded) {
      list.Add(f.object->json);
    }
    return absl::OkStatus();
  }));
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
  if (a.output == "table") {
    if (rows.empty()) {
      inv.err << "No resources found" << (a.query.namespace_.empty() ? "" : " in " + a.query.namespace_ + " namespace")
              << ".\n";
    } else {
      cli::PrintPlainTable(inv.out, {"NAMESPACE", "NAME", "KIND", "AGE"}, rows, false);
    }
  } else if ((a.output == "json" || a.output == "yaml") && !a.single) {
    list.Finish();
  }
  return first_error;
}

}  // namespace ketcd::cmd
