// kubectl etcd cleanup: deletes the helper pods a killed remote run left behind.
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "cmd/kubectl-etcd/command.h"
#include "cmd/kubectl-etcd/remote.h"
#include "pkg/cli/output.h"
#include "pkg/remote/helper_pod.h"

namespace ketcd::cmd {

constexpr char kCleanupHelp[] =
    "Delete what a remote run (backup or discover from a machine without the etcd certificates)\n"
    "may have left in the cluster when it was killed: its helper pods, in any namespace, found\n"
    "by their label app.kubernetes.io/managed-by=kubectl-etcd. A run that ends, fails or is\n"
    "interrupted deletes its own; a helper pod also ends by itself after 10 minutes\n"
    "(activeDeadlineSeconds). Needs list and delete on pods.\n\n"
    "Examples:\n"
    "  kubectl etcd cleanup\n"
    "  kubectl etcd cleanup --dry-run -o json\n";

void AddCleanupFlags(cxxopts::Options& options) {
  // clang-format off
  options.add_options()
      ("dry-run", "Only list what would be deleted")
      ("host-root", "Prefix for the node's admin.conf fallback", cxxopts::value<std::string>()->default_value("/"));
  // clang-format on
  AddOutputFlag(options, kTextFormats, "text");
}

absl::Status RunCleanup(Invocation& inv) {
  KETCD_ASSIGN_OR_RETURN(auto parsed, ParseFlags(inv, kCleanupHelp, AddCleanupFlags));
  if (!parsed) return absl::OkStatus();
  const cxxopts::ParseResult& flags = *parsed;
  KETCD_ASSIGN_OR_RETURN(std::string format, OutputFormat(flags, kTextFormats));
  const bool dry_run = flags.count("dry-run") > 0;
  KETCD_ASSIGN_OR_RETURN(auto api, ApiClient(flags));
  KETCD_ASSIGN_OR_RETURN(auto pods, remote::ListOurPods(*api));
  nlohmann::ordered_json items = nlohmann::ordered_json::array();
  absl::Status first_error;
  for (const auto& [ns, name] : pods) {
    absl::Status deleted = dry_run ? absl::OkStatus() : remote::DeletePod(*api, ns, name);
    if (!deleted.ok() && first_error.ok()) first_error = deleted;
    items.push_back({{"namespace", ns},
                     {"name", name},
                     {"deleted", !dry_run && deleted.ok()},
                     {"error", deleted.ok() ? "" : std::string(deleted.message())}});
  }
  nlohmann::ordered_json j = {{"pods", items}, {"dryRun", dry_run}};
  cli::PrintResult(inv.out, format, j, [&] {
    if (pods.empty()) inv.out << "No pods of kubectl-etcd in the cluster\n";
    for (const auto& item : items) {
      inv.out << (dry_run ? "would delete" : item["deleted"].get<bool>() ? "deleted" : "could not delete") << " pod "
              << item["namespace"].get<std::string>() << "/" << item["name"].get<std::string>();
      if (!item["error"].get<std::string>().empty()) inv.out << ": " << item["error"].get<std::string>();
      inv.out << "\n";
    }
  });
  return first_error;
}

}  // namespace ketcd::cmd
