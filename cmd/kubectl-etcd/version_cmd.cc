// kubectl etcd version
#include <nlohmann/json.hpp>

#include "cmd/kubectl-etcd/command.h"
#include "pkg/cli/output.h"

namespace ketcd::cmd {

constexpr char kVersionHelp[] =
    "Print the version of kubectl-etcd and the etcd releases it supports.\n\n"
    "Examples:\n"
    "  kubectl etcd version\n"
    "  kubectl etcd version -o json\n";

void AddVersionFlags(cxxopts::Options& options) { AddOutputFlag(options, kTextFormats, "text"); }

absl::Status RunVersion(Invocation& inv) {
  KETCD_ASSIGN_OR_RETURN(auto parsed, ParseFlags(inv, kVersionHelp, AddVersionFlags));
  if (!parsed) return absl::OkStatus();
  KETCD_ASSIGN_OR_RETURN(std::string format, OutputFormat(*parsed, kTextFormats));
  nlohmann::ordered_json j = {{"version", "v" KETCD_VERSION},
                              {"supportedEtcd", "3.4, 3.5, 3.6, 3.7"}};
  cli::PrintResult(inv.out, format, j, [&] { inv.out << "kubectl-etcd v" KETCD_VERSION "\n"; });
  return absl::OkStatus();
}

}  // namespace ketcd::cmd
