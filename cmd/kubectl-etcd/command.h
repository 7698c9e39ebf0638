#pragma once
// What every subcommand gets: its arguments (flags may sit anywhere), the output
// streams, and how the program is called ("kubectl etcd" when run as a plugin).

#include <cxxopts.hpp>

#include <functional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "pkg/base/status.h"

namespace ketcd::cmd {

struct Invocation {
  std::string program;            // "kubectl etcd"
  std::string command;            // "backup", "snapshot save", ...
  std::vector<std::string> args;  // everything after the command name
  std::ostream& out;
  std::ostream& err;
  bool err_is_terminal = false;
};

struct Command {
  std::string_view name;
  std::string_view summary;
  absl::Status (*run)(Invocation& inv);
};

// Options named "<program> <command>" with the kubectl globals every command accepts
// (--kubeconfig, --context) and -h/--help.
cxxopts::Options NewOptions(const Invocation& inv, std::string_view description);

// Parses inv.args. Returns nullopt after printing help for -h/--help.
absl::StatusOr<std::optional<cxxopts::ParseResult>> Parse(cxxopts::Options& options, Invocation& inv);

// Adds -o/--output with the allowed values listed in the help text.
void AddOutputFlag(cxxopts::Options& options, const std::vector<std::string>& formats, const std::string& dflt);
// The -o value, checked against the same list.
absl::StatusOr<std::string> OutputFormat(const cxxopts::ParseResult& flags, const std::vector<std::string>& formats);
inline const std::vector<std::string> kTextFormats = {"text", "json", "yaml"};

// The positional arguments declared as "file" (empty when none were given).
std::vector<std::string> PositionalFiles(const cxxopts::ParseResult& flags);

// Runs `body` (main's work) and returns its exit code. An exception that escapes it is a
// bug (errors travel as absl::Status): it is reported as "error: internal error: ..." on
// `err` and gives exit code 1 instead of an abort.
int RunCatchingExceptions(const std::function<int()>& body, std::ostream& err);

absl::Status RunBackup(Invocation& inv);    // backup_cmd.cc
absl::Status RunStatus(Invocation& inv);    // status_cmd.cc
absl::Status RunRestore(Invocation& inv);   // restore_cmd.cc
absl::Status RunDiscover(Invocation& inv);  // discover_cmd.cc
absl::Status RunVersion(Invocation& inv);   // version_cmd.cc
absl::Status RunGet(Invocation& inv);       // get_cmd.cc

}  // namespace ketcd::cmd
