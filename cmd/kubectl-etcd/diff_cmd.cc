// kubectl etcd diff A B [RESOURCE] [-n NS | -A] [--show-fields] [-o table|json]: the
// Kubernetes objects added, removed and changed from snapshot A to snapshot B
// (pkg/snapshot/object_diff.h: what counts as a change).
#include "absl/strings/str_cat.h"
#include "cmd/kubectl-etcd/command.h"
#include "cmd/kubectl-etcd/objects_flags.h"
#include "pkg/cli/output.h"
#include "pkg/snapshot/object_diff.h"

namespace ketcd::cmd {
namespace {

const std::vector<std::string> kFormats = {"table", "json"};

std::string ResourceOf(const k8sobjects::RegistryKey& k) { return k8sobjects::GroupResourceName(k.group, k.resource); }

std::string Shown(const std::optional<k8sobjects::Json>& v) { return v ? v->dump() : "(absent)"; }

// "old → new", or for a Secret's values only what happened to the key.
std::string FieldText(const snapshot::FieldChange& f) {
  if (f.secret) return !f.before ? "added" : !f.after ? "removed" : "changed";
  return absl::StrCat(Shown(f.before), " → ", Shown(f.after));
}

nlohmann::ordered_json ChangeJson(const snapshot::ObjectChange& c, bool fields) {
  nlohmann::ordered_json j = {{"change", snapshot::ChangeName(c.change)},
                              {"group", c.where.group},
                              {"resource", c.where.resource},
                              {"namespace", c.where.namespace_},
                              {"name", c.where.name}};
  if (c.compared_as_bytes) j["comparedAsBytes"] = true;
  if (fields && c.change == snapshot::Change::kChanged && !c.compared_as_bytes) {
    j["fields"] = nlohmann::ordered_json::array();
    for (const auto& f : c.fields) {
      nlohmann::ordered_json one = {{"path", f.path}};
      if (f.secret) {
        one["secret"] = true;
        one["change"] = !f.before ? "added" : !f.after ? "removed" : "changed";
      } else {
        if (f.before) one["old"] = *f.before;
        if (f.after) one["new"] = *f.after;
      }
      j["fields"].push_back(one);
    }
  }
  return j;
}

}  // namespace

constexpr char kDiffHelp[] =
    "Show the Kubernetes objects added, removed and changed from snapshot A to snapshot B, per\n"
    "resource and namespace. An object is changed when its stored content differs other than in\n"
    "metadata.managedFields and resourceVersion; status changes count. --show-fields lists each\n"
    "changed field as a JSON path with its old and new value (a Secret's values are never\n"
    "printed: only \"changed\"). Values encrypted at rest are decrypted with --encryption-config,\n"
    "else compared as bytes. Both files are read side by side in key order, one object at a time.\n\n"
    "Examples:\n"
    "  kubectl etcd diff monday.db tuesday.db\n"
    "  kubectl etcd diff monday.db tuesday.db deployments -n demo --show-fields\n"
    "  kubectl etcd diff monday.db tuesday.db -o json\n";

void AddDiffFlags(cxxopts::Options& options) {
  AddOutputFlag(options, kFormats, "table");
  // clang-format off
  options.add_options()
      ("n,namespace", "Only objects of this namespace (no cluster-scoped ones)", cxxopts::value<std::string>())
      ("show-fields", "List the changed fields of each changed object");
  // clang-format on
  AddObjectsFlags(options);
  AddPositional(options, "file", "A B [RESOURCE]");
}

absl::Status RunDiff(Invocation& inv) {
  KETCD_ASSIGN_OR_RETURN(auto parsed, ParseFlags(inv, kDiffHelp, AddDiffFlags));
  if (!parsed) return absl::OkStatus();
  KETCD_ASSIGN_OR_RETURN(std::string output, OutputFormat(*parsed, kFormats));
  std::vector<std::string> pos = PositionalFiles(*parsed);
  if (pos.size() < 2 || pos.size() > 3) {
    return absl::InvalidArgumentError(
        absl::StrCat("expected two snapshot files\nUsage: ", inv.program, " diff A B [RESOURCE] [-n NS]"));
  }
  snapshot::ObjectQuery q;
  if (pos.size() == 3) {
    q.all_resources = false;
    q.resource = k8sobjects::SelectResource(pos[2]);
  }
  if (parsed->count("namespace")) {
    q.namespace_ = (*parsed)["namespace"].as<std::string>();
    q.namespaced_only = true;
  }
  const bool fields = parsed->count("show-fields") > 0;
  KETCD_ASSIGN_OR_RETURN(OpenedSnapshot a, OpenSnapshot(pos[0], *parsed));
  KETCD_ASSIGN_OR_RETURN(OpenedSnapshot b, OpenSnapshot(pos[1], *parsed));
  KETCD_ASSIGN_OR_RETURN(std::optional<atrest::EncryptionConfig> encryption, LoadEncryption(*parsed, inv.err));
  if (encryption) q.encryption = &*encryption;

  std::map<std::string, size_t> counts;
  nlohmann::ordered_json changes = nlohmann::ordered_json::array();
  std::vector<std::vector<std::string>> rows;
  size_t as_bytes = 0;
  KETCD_RETURN_IF_ERROR(
      snapshot::DiffObjects(*a.db, *b.db, q, fields, [&](const snapshot::ObjectChange& c) -> absl::Status {
        counts[snapshot::ChangeName(c.change)]++;
        as_bytes += c.compared_as_bytes ? 1 : 0;
        if (output == "json") {
          changes.push_back(ChangeJson(c, fields));
        } else if (fields) {
          // Streamed: one line per object, its fields indented under it.
          inv.out << snapshot::ChangeName(c.change) << " " << ResourceOf(c.where) << " "
                  << (c.where.namespace_.empty() ? "" : c.where.namespace_ + "/") << c.where.name
                  << (c.compared_as_bytes ? " (not decoded: compared as bytes)" : "") << "\n";
          for (const auto& f : c.fields) inv.out << "    " << f.path << ": " << FieldText(f) << "\n";
        } else {
          rows.push_back({snapshot::ChangeName(c.change), ResourceOf(c.where), c.where.namespace_, c.where.name});
        }
        return absl::OkStatus();
      }));
  const bool none = counts.empty();
  if (output == "json") {
    nlohmann::ordered_json doc = {{"added", counts["added"]},
                                  {"removed", counts["removed"]},
                                  {"changed", counts["changed"]},
                                  {"changes", changes}};
    cli::PrintJson(inv.out, doc);
  } else if (!fields && !rows.empty()) {
    cli::PrintPlainTable(inv.out, {"CHANGE", "RESOURCE", "NAMESPACE", "NAME"}, rows, false);
  }
  if (none) inv.err << "No differences.\n";
  if (as_bytes > 0) {
    inv.err << "note: " << as_bytes << " changed object(s) were compared as stored bytes (encrypted at rest without "
            << "--encryption-config, or not decodable)\n";
  }
  return absl::OkStatus();
}

}  // namespace ketcd::cmd
