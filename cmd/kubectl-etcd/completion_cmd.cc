// kubectl etcd completion bash|zsh: completion scripts for the standalone binary
// (`kubectl-etcd ...`). Both ask `kubectl-etcd __complete`, the program kubectl itself
// asks through kubectl_complete-etcd, so the answers are the same everywhere.
#include "absl/strings/str_cat.h"
#include "cmd/kubectl-etcd/complete.h"

namespace ketcd::cmd {
namespace {

constexpr char kBash[] = R"BASH(# bash completion for kubectl-etcd.    source <(kubectl-etcd completion bash)
_kubectl_etcd() {
  local cur words cword
  if declare -F _get_comp_words_by_ref >/dev/null; then
    _get_comp_words_by_ref -n =: cur words cword
  else
    cur=${COMP_WORDS[COMP_CWORD]} words=("${COMP_WORDS[@]}") cword=$COMP_CWORD
  fi
  local out directive
  out=$("${words[0]}" __complete "${words[@]:1:cword-1}" "$cur" 2>/dev/null) || return
  directive=${out##*:}
  out=${out%:*}
  local -a values=()
  local line
  while IFS= read -r line; do
    [[ -n $line ]] && values+=("${line%%$'\t'*}")
  done <<<"$out"
  (( directive & 2 )) && compopt -o nospace 2>/dev/null
  if (( directive & 8 )); then
    local ext
    COMPREPLY=()
    for ext in "${values[@]}"; do
      mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -f -X "!*.$ext" -- "$cur")
    done
    mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -d -- "$cur")
    compopt -o filenames 2>/dev/null
  elif (( directive & 16 )); then
    mapfile -t COMPREPLY < <(compgen -d -- "$cur")
    compopt -o filenames 2>/dev/null
  elif (( ${#values[@]} )); then
    mapfile -t COMPREPLY < <(compgen -W "${values[*]}" -- "$cur")
  elif (( !(directive & 4) )); then
    mapfile -t COMPREPLY < <(compgen -f -- "$cur")
    compopt -o filenames 2>/dev/null
  fi
  if declare -F __ltrim_colon_completions >/dev/null; then __ltrim_colon_completions "$cur"; fi
}
complete -F _kubectl_etcd kubectl-etcd
)BASH";

constexpr char kZsh[] = R"ZSH(#compdef kubectl-etcd
# zsh completion for kubectl-etcd.    source <(kubectl-etcd completion zsh)
_kubectl_etcd() {
  local -a lines candidates
  local out directive line
  out=$("${words[1]}" __complete "${(@)words[2,CURRENT-1]}" "${words[CURRENT]}" 2>/dev/null) || return
  lines=("${(@f)out}")
  directive=${${lines[-1]}#:}
  lines=("${(@)lines[1,-2]}")
  for line in "${lines[@]}"; do
    [[ -z $line ]] && continue
    if [[ $line == *$'\t'* ]]; then
      candidates+=("${${line%%$'\t'*}//:/\\:}:${line#*$'\t'}")
    else
      candidates+=("${line//:/\\:}")
    fi
  done
  if (( directive & 8 )); then
    local ext globs=()
    for ext in "${lines[@]}"; do globs+=("*.${ext}"); done
    _files -g "(${(j:|:)globs})"
  elif (( directive & 16 )); then
    _files -/
  elif (( ${#candidates} )); then
    local -a nospace=()
    (( directive & 2 )) && nospace=(-S '')
    _describe -t values 'kubectl-etcd' candidates "${nospace[@]}"
  elif (( !(directive & 4) )); then
    _files
  fi
}
if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
  _kubectl_etcd "$@"
else
  compdef _kubectl_etcd kubectl-etcd
fi
)ZSH";

}  // namespace

constexpr char kCompletionHelp[] =
    "Print a shell completion script for the kubectl-etcd binary run on its own.\n"
    "Through kubectl (1.26+), `kubectl etcd <TAB>` asks the kubectl_complete-etcd program\n"
    "on PATH instead (installed by `make install`; see the README for Krew installs).\n\n"
    "Examples:\n"
    "  # bash, this shell:\n"
    "  source <(kubectl-etcd completion bash)\n"
    "  # bash, every shell:\n"
    "  kubectl-etcd completion bash > /etc/bash_completion.d/kubectl-etcd\n"
    "  # zsh:\n"
    "  kubectl-etcd completion zsh > \"${fpath[1]}/_kubectl-etcd\"\n";

void AddCompletionFlags(cxxopts::Options& options) { AddPositional(options, "shell", "bash|zsh"); }

absl::Status RunCompletion(Invocation& inv) {
  KETCD_ASSIGN_OR_RETURN(auto parsed, ParseFlags(inv, kCompletionHelp, AddCompletionFlags));
  if (!parsed) return absl::OkStatus();
  std::vector<std::string> shell = Positionals(*parsed, "shell");
  if (shell.size() != 1) {
    return absl::InvalidArgumentError(absl::StrCat("expected one shell: bash or zsh\nUsage: ", inv.program,
                                                   " completion bash|zsh"));
  }
  if (shell[0] == "bash") {
    inv.out << kBash;
  } else if (shell[0] == "zsh") {
    inv.out << kZsh;
  } else {
    return absl::InvalidArgumentError(absl::StrCat("unsupported shell \"", shell[0], "\": use bash or zsh"));
  }
  return absl::OkStatus();
}

}  // namespace ketcd::cmd
