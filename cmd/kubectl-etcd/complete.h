#pragma once
// Shell completion: the answers to kubectl's plugin completion protocol (kubectl 1.26+
// runs `kubectl_complete-etcd WORDS... CURRENT`, which runs `kubectl-etcd __complete`),
// and the flag table main() uses to find the command word.
//
// The flags of a command are read from its own declaration (Command::add_flags), so
// completion, the command word scan, the help and the parsing cannot disagree.

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cmd/kubectl-etcd/command.h"

namespace ketcd::cmd {

// Every command of the program, hidden ones (names starting "__") included. main.cc.
std::span<const Command> AllCommands();

struct FlagSpec {
  std::string name;         // "output" (without dashes)
  char short_name = 0;      // 'o', or 0
  bool takes_value = false;
  std::string description;  // help text, with "(default: ...)" as the help shows it
};

// The flags of `cmd`: its own (Command::add_flags) and the globals, in the order its
// help lists them; positional arguments aside.
std::vector<FlagSpec> CommandFlags(const Command& cmd);
// True if `flag` ("--data-dir", "-o") takes a separate value in any command.
bool FlagTakesValue(std::string_view flag);

// Cobra's ShellCompDirective bits.
enum Directive : int {
  kDirectiveDefault = 0,
  kDirectiveError = 1,
  kDirectiveNoSpace = 2,
  kDirectiveNoFileComp = 4,
  kDirectiveFilterFileExt = 8,
  kDirectiveFilterDirs = 16,
  kDirectiveKeepOrder = 32,
};

struct Completion {
  std::vector<std::pair<std::string, std::string>> candidates;  // value, description
  int directive = kDirectiveDefault;
};

// Completion of words typed after "kubectl etcd"; the last word is the one being
// completed ("" after a space). --context values come from the kubeconfig files.
Completion Complete(const std::vector<std::string>& words);
// The protocol's text: "value<TAB>description" lines, then ":<directive>".
std::string FormatCompletion(const Completion& c);

absl::Status RunComplete(Invocation& inv);    // complete_cmd.cc: hidden "__complete"
absl::Status RunCompletion(Invocation& inv);  // completion_cmd.cc: "completion bash|zsh"
void AddCompletionFlags(cxxopts::Options& options);

}  // namespace ketcd::cmd
