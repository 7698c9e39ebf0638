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

// Declares a command's flags and positional arguments on its options: help, parsing,
// the command word scan in main() and completion all read this one declaration.
using FlagsFn = void (*)(cxxopts::Options& options);

struct Command {
  std::string_view name;
  std::string_view summary;
  absl::Status (*run)(Invocation& inv);
  FlagsFn add_flags = nullptr;  // the command's flags besides the globals; null: none
};

// The kubectl globals every command accepts (--kubeconfig, --context) and -h/--help.
void AddGlobalFlags(cxxopts::Options& options);

// Declares the positional arguments, collected into the option `name` and shown as
// `usage` in the help ("[FILE|-]"). They are the only options without a description,
// which is how completion tells them from flags.
void AddPositional(cxxopts::Options& options, const std::string& name, const std::string& usage);

// Parses inv.args against the global flags and the command's own (`add_flags`). For
// -h/--help prints the help, `description` on top, and returns nullopt.
absl::StatusOr<std::optional<cxxopts::ParseResult>> ParseFlags(Invocation& inv, std::string_view description,
                                                               FlagsFn add_flags);

// Adds -o/--output with the allowed values listed in the help text.
void AddOutputFlag(cxxopts::Options& options, const std::vector<std::string>& formats, const std::string& dflt);
// The -o value, checked against the same list.
absl::StatusOr<std::string> OutputFormat(const cxxopts::ParseResult& flags, const std::vector<std::string>& formats);
inline const std::vector<std::string> kTextFormats = {"text", "json", "yaml"};

// The positional arguments declared by AddPositional as `name` (empty when none were
// given), each whole: a comma inside one does not split it (`get FILE cm,secrets`).
std::vector<std::string> Positionals(const cxxopts::ParseResult& flags, const std::string& name);
// The positional arguments declared as "file".
inline std::vector<std::string> PositionalFiles(const cxxopts::ParseResult& flags) {
  return Positionals(flags, "file");
}

// Runs `body` (main's work) and returns its exit code. An exception that escapes it is a
// bug (errors travel as absl::Status): it is reported as "error: internal error: ..." on
// `err` and gives exit code 1 instead of an abort.
int RunCatchingExceptions(const std::function<int()>& body, std::ostream& err);

absl::Status RunBackup(Invocation& inv);    // backup_cmd.cc
absl::Status RunStatus(Invocation& inv);    // status_cmd.cc
// status without FILE, with the flags RunStatus parsed (live_status_cmd.cc).
absl::Status RunLiveStatus(Invocation& inv, const cxxopts::ParseResult& flags, const std::string& format);
absl::Status RunRestore(Invocation& inv);   // restore_cmd.cc
absl::Status RunDiscover(Invocation& inv);  // discover_cmd.cc
absl::Status RunVersion(Invocation& inv);   // version_cmd.cc
void AddBackupFlags(cxxopts::Options& options);
void AddStatusFlags(cxxopts::Options& options);
void AddRestoreFlags(cxxopts::Options& options);
void AddDiscoverFlags(cxxopts::Options& options);
void AddVersionFlags(cxxopts::Options& options);
absl::Status RunGet(Invocation& inv);       // get_cmd.cc
void AddGetFlags(cxxopts::Options& options);
absl::Status RunList(Invocation& inv);      // list_cmd.cc
void AddListFlags(cxxopts::Options& options);
absl::Status RunPrune(Invocation& inv);     // prune_cmd.cc
void AddPruneFlags(cxxopts::Options& options);
absl::Status RunExtract(Invocation& inv);  // extract_cmd.cc
void AddExtractFlags(cxxopts::Options& options);
absl::Status RunDiff(Invocation& inv);  // diff_cmd.cc
absl::Status RunCleanup(Invocation& inv);  // cleanup_cmd.cc
void AddCleanupFlags(cxxopts::Options& options);
void AddDiffFlags(cxxopts::Options& options);

}  // namespace ketcd::cmd
