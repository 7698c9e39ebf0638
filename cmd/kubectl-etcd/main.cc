// kubectl-etcd: back up, inspect and restore the etcd of a self-managed cluster.
// main() finds the subcommand (flags may come before or after it), runs it, and
// turns its Status into a message and an exit code (README, "Exit codes").
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "absl/strings/match.h"
#include "cmd/kubectl-etcd/command.h"
#include "cmd/kubectl-etcd/complete.h"
#include "pkg/base/interrupt.h"

namespace ketcd::cmd {
namespace {

absl::Status RunHelp(Invocation& inv);

// Two-word commands are etcdctl's spellings of the same operations.
const Command kCommands[] = {
    {"backup", "Take a snapshot of a live etcd member", RunBackup, AddBackupFlags},
    {"status", "The live cluster's members, or a snapshot file: hash, revision, keys, size, integrity", RunStatus,
     AddStatusFlags},
    {"restore", "Restore a snapshot into a new data dir (and switch this node's etcd to it)", RunRestore,
     AddRestoreFlags},
    {"discover", "Show the etcd found on this host or through the kubeconfig", RunDiscover, AddDiscoverFlags},
    {"cleanup", "Delete the helper pods a killed remote run left in the cluster", RunCleanup, AddCleanupFlags},
    {"get", "Print the Kubernetes objects stored in a snapshot file, as kubectl get does", RunGet, AddGetFlags},
    {"extract", "Print a namespace of a snapshot file as YAML that kubectl apply re-creates", RunExtract,
     AddExtractFlags},
    {"diff", "Show the Kubernetes objects added, removed and changed between two snapshot files", RunDiff,
     AddDiffFlags},
    {"list", "List the snapshots in a backup directory: time, revision, cluster, verified", RunList, AddListFlags},
    {"prune", "Remove the snapshots of a backup directory a retention policy does not keep", RunPrune, AddPruneFlags},
    {"snapshot save", "Same as backup (etcdctl's spelling)", RunBackup, AddBackupFlags},
    {"snapshot status", "Same as status (etcdctl's spelling)", RunStatus, AddStatusFlags},
    {"snapshot restore", "Same as restore (etcdutl's spelling)", RunRestore, AddRestoreFlags},
    {"version", "Print the version of kubectl-etcd", RunVersion, AddVersionFlags},
    {"completion", "Print a shell completion script (bash, zsh) for kubectl-etcd", RunCompletion, AddCompletionFlags},
    {"help", "Show help for kubectl etcd or one of its commands", RunHelp},
    {"__complete", "Answer kubectl's completion protocol (run by kubectl_complete-etcd)", RunComplete},
};

// Flags of any command that take a separate value ("--dir x"), so that the value is
// not mistaken for the command name. Read from the commands' flag declarations.
bool TakesValue(std::string_view flag) { return FlagTakesValue(flag); }

std::string ProgramName(const char* argv0) {
  std::string base = argv0;
  size_t slash = base.find_last_of('/');
  if (slash != std::string::npos) base = base.substr(slash + 1);
  if (base == "kubectl-etcd" || base == "kubectl_etcd") return "kubectl etcd";
  return base;
}

void PrintUsage(std::ostream& out, const std::string& program) {
  out << "Back up, inspect and restore the etcd of a self-managed Kubernetes cluster.\n\n"
      << "Usage:\n  " << program << " COMMAND [flags]\n\nCommands:\n";
  for (const Command& c : kCommands) {
    if (c.name.starts_with("__")) continue;  // hidden
    out << "  " << c.name << std::string(c.name.size() < 16 ? 16 - c.name.size() : 1, ' ') << c.summary << "\n";
  }
  out << "\nUse \"" << program << " COMMAND -h\" for the flags of a command.\n";
}

const Command* Find(std::string_view name) {
  for (const Command& c : kCommands) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

absl::Status RunHelp(Invocation& inv) {
  std::string topic;
  for (const auto& a : inv.args) {
    if (!absl::StartsWith(a, "-")) topic += (topic.empty() ? "" : " ") + a;
  }
  if (topic.empty()) {
    PrintUsage(inv.out, inv.program);
    return absl::OkStatus();
  }
  const Command* c = Find(topic);
  if (c == nullptr) return absl::InvalidArgumentError("unknown command \"" + topic + "\"");
  Invocation sub{inv.program, std::string(c->name), {"--help"}, inv.out, inv.err, inv.err_is_terminal};
  return c->run(sub);
}

int Main(int argc, char** argv) {
  InstallInterruptHandler();
  // gRPC's own log lines would duplicate (less clearly) the errors we report.
  ::setenv("GRPC_VERBOSITY", "NONE", 0);
  std::string program = ProgramName(argv[0]);
  std::vector<std::string> args(argv + 1, argv + argc);

  // The command is the first word that is neither a flag nor a flag's value; "snapshot"
  // takes the next word too.
  int at = -1;
  for (int i = 0; i < static_cast<int>(args.size()); i++) {
    if (absl::StartsWith(args[i], "-")) {
      if (args[i].find('=') == std::string::npos && TakesValue(args[i])) i++;
      continue;
    }
    at = i;
    break;
  }
  if (at < 0) {
    bool help = false;
    for (const auto& a : args) help |= (a == "-h" || a == "--help");
    PrintUsage(help ? std::cout : std::cerr, program);
    return help ? kExitOk : kExitUsage;
  }
  std::string name = args[at];
  int words = 1;
  if (name == "snapshot" && at + 1 < static_cast<int>(args.size())) {
    name += " " + args[at + 1];
    words = 2;
  }
  const Command* cmd = Find(name);
  if (cmd == nullptr) {
    std::cerr << "error: unknown command \"" << name << "\" for \"" << program << "\"\n\n";
    PrintUsage(std::cerr, program);
    return kExitUsage;
  }
  args.erase(args.begin() + at, args.begin() + at + words);
  Invocation inv{program, name, args, std::cout, std::cerr, ::isatty(STDERR_FILENO) == 1};
  absl::Status s = cmd->run(inv);
  std::cout.flush();
  if (!s.ok()) {
    std::cerr << "error: " << s.message() << "\n";
    return ExitCodeFor(s);
  }
  return kExitOk;
}

}  // namespace

std::span<const Command> AllCommands() { return kCommands; }

}  // namespace ketcd::cmd

int main(int argc, char** argv) {
  return ketcd::cmd::RunCatchingExceptions([&] { return ketcd::cmd::Main(argc, argv); }, std::cerr);
}
