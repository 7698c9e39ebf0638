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
#include "pkg/k8sobjects/served_json.h"
#include "pkg/snapshot/object_query.h"
#include "pkg/snapshot/served_objects.h"

namespace ketcd::cmd {
namespace {

const std::vector<std::string> kFormats = {"table", "json", "yaml", "name"};

std::string CreationTimestamp(const k8sobjects::Json& obj) {
  auto meta = obj.find("metadata");
  if (meta != obj.end() && meta->is_object()) {
    auto t = meta->find("creationTimestamp");
    if (t != meta->end() && t->is_string()) return t->get<std::string>();
  }
  return "";
}

// kubectl's HumanDuration of metadata.creationTimestamp, to the precision its AGE column shows.
std::string Age(const std::string& ts) {
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

// The kind and group of an object: from its apiVersion and kind, else from its key.
struct KindGroup {
  std::string kind;
  std::string group;
};

KindGroup KindGroupOf(std::string_view kind, std::string_view api_version, const k8sobjects::RegistryKey& where) {
  KindGroup k;
  if (!kind.empty()) {
    k.kind = std::string(kind);
  } else {
    k.kind = where.builtin != nullptr ? std::string(where.builtin->kind) : where.resource;
  }
  if (!api_version.empty()) {
    size_t slash = api_version.find('/');
    k.group = slash == std::string_view::npos ? "" : std::string(api_version.substr(0, slash));
  } else {
    k.group = where.group;
  }
  return k;
}

KindGroup KindGroupOf(const snapshot::FoundObject& f) {
  return f.object.ok() ? KindGroupOf(f.object->kind, f.object->api_version, f.where) : KindGroupOf("", "", f.where);
}

// kubectl -o name: kind.group/name, kind in lower case.
std::string NameOf(const KindGroup& k, const k8sobjects::RegistryKey& where) {
  return absl::StrCat(absl::AsciiStrToLower(k.kind), k.group.empty() ? "" : ".", k.group, "/", where.name);
}

// The table's KIND column.
std::string KindColumn(const KindGroup& k) { return k.group.empty() ? k.kind : absl::StrCat(k.kind, ".", k.group); }

// kubectl's columns for APIServices (kube-aggregator's table): NAME, SERVICE ("Local" when
// kube-apiserver serves the group itself), AVAILABLE (the Available condition, with its
// reason unless True), AGE.
bool IsApiServices(const snapshot::ObjectQuery& q) {
  return !q.all_resources && q.resource.resource == "apiservices" &&
         (q.resource.any_group || q.resource.group == "apiregistration.k8s.io");
}

std::vector<std::string> ApiServiceRow(const snapshot::FoundObject& f) {
  if (!f.object.ok() || !f.object->json.is_object()) return {f.where.name, "<unknown>", "<unknown>", "<unknown>"};
  const k8sobjects::Json& o = f.object->json;
  auto str = [](const k8sobjects::Json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  std::string service = "Local";
  const k8sobjects::Json spec = o.value("spec", k8sobjects::Json::object());
  if (spec.is_object() && spec.contains("service") && spec["service"].is_object()) {
    service = str(spec["service"], "namespace") + "/" + str(spec["service"], "name");
  }
  std::string available = "Unknown";
  const k8sobjects::Json status = o.value("status", k8sobjects::Json::object());
  if (status.is_object() && status.contains("conditions") && status["conditions"].is_array()) {
    for (const k8sobjects::Json& c : status["conditions"]) {
      if (!c.is_object() || str(c, "type") != "Available") continue;
      available = str(c, "status");
      if (available != "True" && !str(c, "reason").empty()) absl::StrAppend(&available, " (", str(c, "reason"), ")");
      break;
    }
  }
  return {f.where.name, service, available, Age(CreationTimestamp(o))};
}

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

  if (!a.query.all_resources && a.query.resource.builtin == nullptr && !a.query.resource.any_group) {
    KETCD_ASSIGN_OR_RETURN(std::optional<snapshot::AggregatedApi> aggregated,
                           snapshot::FindAggregatedApi(*snap.db, a.query.resource.group));
    if (aggregated) {
      return absl::NotFoundError(absl::StrCat(
          k8sobjects::GroupResourceName(a.query.resource.group, a.query.resource.resource), ": the group ",
          a.query.resource.group, " is served by an aggregated API server (APIService ", aggregated->apiservice,
          ", service ", aggregated->service, "), not stored in etcd: a snapshot does not hold its objects"));
    }
  }
  OutBuffer out(inv.out);
  ListPrinter list(out, a.output);
  std::vector<std::vector<std::string>> rows;
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
        } else if (a.output != "table") {
          inv.err << "warning: " << what << ": encrypted at rest (provider " << f.object->provider << ", key "
                  << f.object->key_name << ")\n";
        }
      } else if (f.object->encoding == k8sobjects::Encoding::kUnrecognized) {
        inv.err << "warning: " << what << ": not a Kubernetes object encoding\n";
      }
    }
    if (a.output == "name") {
      out.Append(NameOf(KindGroupOf(f), f.where) + "\n");
    } else if (a.output == "table" && IsApiServices(a.query)) {
      rows.push_back(ApiServiceRow(f));
    } else if (a.output == "table") {
      std::string kind = KindColumn(KindGroupOf(f));
      if (f.object.ok() && f.object->encoding == k8sobjects::Encoding::kEncrypted) {
        absl::StrAppend(&kind, " (encrypted: ", f.object->provider, ", key ", f.object->key_name, ")");
      }
      rows.push_back(
          {f.where.namespace_, f.where.name, kind, decoded ? Age(CreationTimestamp(f.object->json)) : "<unknown>"});
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
    } else if (a.output == "table") {
      rows.push_back({o.where.namespace_, o.where.name, KindColumn(KindGroupOf(s.kind, s.api_version, o.where)),
                      s.created ? Age(*s.created) : "<unknown>"});
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
  if (a.output == "table") {
    if (rows.empty()) {
      inv.err << "No resources found" << (a.query.namespace_.empty() ? "" : " in " + a.query.namespace_ + " namespace")
              << ".\n";
    } else {
      cli::PrintPlainTable(inv.out,
                           IsApiServices(a.query) ? std::vector<std::string>{"NAME", "SERVICE", "AVAILABLE", "AGE"}
                                                  : std::vector<std::string>{"NAMESPACE", "NAME", "KIND", "AGE"},
                           rows, false);
    }
  } else if ((a.output == "json" || a.output == "yaml") && !a.single) {
    list.Finish();
    out.Flush();
  }
  return first_error;
}

}  // namespace ketcd::cmd
