// kubectl etcd __complete WORDS... CURRENT: kubectl's plugin completion protocol.
#include <yaml-cpp/yaml.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "cmd/kubectl-etcd/complete.h"
#include "pkg/kubeclient/kubeconfig.h"

namespace ketcd::cmd {
namespace {

// Debian's abseil has its own string_view type; these take the standard one.
bool StartsWith(std::string_view s, std::string_view prefix) { return s.starts_with(prefix); }

// What a flag's value is, where its declaration cannot say.
enum class ValueKind { kNone, kFile, kDir, kManifest, kContext, kEtcdVersion, kOutput };

ValueKind KindOf(std::string_view flag) {
  static const std::pair<std::string_view, ValueKind> kKinds[] = {
      {"kubeconfig", ValueKind::kFile},   {"cacert", ValueKind::kFile},
      {"cert", ValueKind::kFile},         {"key", ValueKind::kFile},
      {"manifest", ValueKind::kManifest}, {"dir", ValueKind::kDir},
      {"data-dir", ValueKind::kDir},      {"wal-dir", ValueKind::kDir},
      {"host-root", ValueKind::kDir},     {"backup-dir", ValueKind::kDir},
      {"identity", ValueKind::kFile},     {"passphrase-file", ValueKind::kFile},
      {"encrypt-to-file", ValueKind::kFile}, {"encryption-config", ValueKind::kFile},
      {"context", ValueKind::kContext},
      {"etcd-version", ValueKind::kEtcdVersion}, {"output", ValueKind::kOutput}};
  for (const auto& [name, kind] : kKinds) {
    if (name == flag) return kind;
  }
  return ValueKind::kNone;
}

bool Hidden(const Command& c) { return StartsWith(c.name, "__"); }

const Command* FindCommand(std::string_view name) {
  for (const Command& c : AllCommands()) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

// First words of the command names: "backup", "snapshot", ...
std::vector<std::pair<std::string, std::string>> TopWords() {
  std::vector<std::pair<std::string, std::string>> out;
  for (const Command& c : AllCommands()) {
    if (Hidden(c)) continue;
    std::string word(c.name.substr(0, c.name.find(' ')));
    bool seen = false;
    for (const auto& [w, d] : out) seen |= (w == word);
    if (seen) continue;
    out.push_back({word, word == "snapshot" ? "etcdctl's spellings: save, status, restore" : std::string(c.summary)});
  }
  return out;
}

std::vector<std::string> Contexts() {
  std::vector<std::string> out;
  for (const std::string& file : kubeclient::KubeconfigFiles({})) {
    try {
      YAML::Node doc = YAML::LoadFile(file);
      for (const auto& ctx : doc["contexts"]) {
        if (ctx["name"]) out.push_back(ctx["name"].as<std::string>());
      }
    } catch (const YAML::Exception&) {
      // An unreadable kubeconfig just offers no contexts.
    }
  }
  return out;
}

// "Output format: text|json|yaml (default: text)" -> text, json, yaml.
std::vector<std::string> OutputFormats(const FlagSpec& f) {
  absl::string_view d = f.description;
  size_t colon = d.find(':');
  if (colon == absl::string_view::npos) return {};
  d.remove_prefix(colon + 1);
  d = absl::StripLeadingAsciiWhitespace(d);
  d = d.substr(0, d.find(' '));
  return absl::StrSplit(d, '|', absl::SkipEmpty());
}

Completion Values(const FlagSpec& f, std::string_view prefix, std::string_view current) {
  Completion c;
  c.directive = kDirectiveNoFileComp;
  std::vector<std::string> values;
  switch (KindOf(f.name)) {
    case ValueKind::kFile:
      c.directive = kDirectiveDefault;
      return c;
    case ValueKind::kManifest:
      c.candidates = {{"yaml", ""}, {"yml", ""}};
      c.directive = kDirectiveFilterFileExt;
      return c;
    case ValueKind::kDir:
      c.directive = kDirectiveFilterDirs;
      return c;
    case ValueKind::kContext:
      values = Contexts();
      break;
    case ValueKind::kEtcdVersion:
      values = {"3.4", "3.5", "3.6", "3.7"};
      break;
    case ValueKind::kOutput:
      values = OutputFormats(f);
      break;
    case ValueKind::kNone:
      break;
  }
  for (const auto& v : values) {
    if (StartsWith(v, current)) c.candidates.push_back({std::string(prefix) + v, ""});
  }
  return c;
}

const FlagSpec* FindFlag(const std::vector<FlagSpec>& flags, std::string_view word) {
  for (const FlagSpec& f : flags) {
    if (word == "--" + f.name || (f.short_name != 0 && word == std::string{'-', f.short_name})) return &f;
  }
  return nullptr;
}

}  // namespace

std::vector<FlagSpec> CommandFlags(const Command& cmd) {
  if (Hidden(cmd) || cmd.name == "help") return {};
  cxxopts::Options options("kubectl etcd");
  if (cmd.add_flags != nullptr) cmd.add_flags(options);
  AddGlobalFlags(options);
  std::vector<FlagSpec> flags;
  for (const std::string& group : options.groups()) {  // in the order the help shows them
    for (const cxxopts::HelpOptionDetails& o : options.group_help(group).options) {
      if (o.desc.empty() || o.l.empty()) continue;  // the positional arguments (AddPositional)
      FlagSpec f;
      f.name = o.l.front();
      f.short_name = o.s.empty() ? 0 : o.s.front();
      f.takes_value = !o.is_boolean;
      f.description = o.desc;
      if (o.has_default && !o.is_boolean) absl::StrAppend(&f.description, " (default: ", o.default_value, ")");
      flags.push_back(std::move(f));
    }
  }
  return flags;
}

bool FlagTakesValue(std::string_view flag) {
  static const std::vector<std::string> kValueFlags = [] {
    std::vector<std::string> out;
    for (const Command& c : AllCommands()) {
      for (const FlagSpec& f : CommandFlags(c)) {
        if (!f.takes_value) continue;
        out.push_back("--" + f.name);
        if (f.short_name != 0) out.push_back(std::string{'-', f.short_name});
      }
    }
    return out;
  }();
  for (const auto& f : kValueFlags) {
    if (f == flag) return true;
  }
  return false;
}

Completion Complete(const std::vector<std::string>& words) {
  std::string current = words.empty() ? "" : words.back();
  size_t n = words.empty() ? 0 : words.size() - 1;  // words before the current one
  std::vector<std::string> positional;
  for (size_t i = 0; i < n; i++) {
    if (StartsWith(words[i], "-")) {
      if (words[i].find('=') == std::string::npos && FlagTakesValue(words[i]) && i + 1 < n) i++;
      continue;
    }
    positional.push_back(words[i]);
  }
  const Command* cmd = nullptr;
  size_t used = 0;
  if (!positional.empty()) {
    std::string name = positional[0];
    used = 1;
    if (name == "snapshot" && positional.size() > 1) {
      name += " " + positional[1];
      used = 2;
    }
    cmd = FindCommand(name);
    if (cmd == nullptr && name != "snapshot") return {{}, kDirectiveNoFileComp};
  }
  std::vector<FlagSpec> flags;
  if (cmd != nullptr) {
    flags = CommandFlags(*cmd);
  } else {
    flags = {{"kubeconfig", 0, true, "Path to the kubeconfig file"},
             {"context", 0, true, "The kubeconfig context to use"},
             {"help", 'h', false, "Show help"}};
  }

  // The value of a flag: "--output <TAB>" or "--output=<TAB>".
  if (n > 0 && StartsWith(words[n - 1], "-") && words[n - 1].find('=') == std::string::npos) {
    const FlagSpec* f = FindFlag(flags, words[n - 1]);
    if (f != nullptr && f->takes_value) return Values(*f, "", current);
  }
  if (StartsWith(current, "-")) {
    size_t eq = current.find('=');
    if (eq != std::string::npos) {
      const FlagSpec* f = FindFlag(flags, std::string_view(current).substr(0, eq));
      if (f == nullptr || !f->takes_value) return {{}, kDirectiveNoFileComp};
      return Values(*f, current.substr(0, eq + 1), current.substr(eq + 1));
    }
    Completion c;
    c.directive = kDirectiveNoFileComp;
    for (const FlagSpec& f : flags) {
      std::string long_name = "--" + f.name;
      bool given = false;
      for (size_t i = 0; i < n; i++) given |= (words[i] == long_name || StartsWith(words[i], long_name + "="));
      if (given && f.name != "help") continue;
      if (f.short_name != 0 && (current == "-" || current == std::string{'-', f.short_name})) {
        c.candidates.push_back({std::string{'-', f.short_name}, f.description});
      }
      if (StartsWith(long_name, current)) c.candidates.push_back({long_name, f.description});
    }
    return c;
  }

  Completion c;
  c.directive = kDirectiveNoFileComp;
  std::vector<std::pair<std::string, std::string>> choices;
  size_t rest = positional.size() - used;
  if (positional.empty()) {
    choices = TopWords();
  } else if (cmd == nullptr) {  // "snapshot" alone
    for (const char* sub : {"save", "status", "restore"}) {
      const Command* s = FindCommand(std::string("snapshot ") + sub);
      if (s != nullptr) choices.push_back({sub, std::string(s->summary)});
    }
  } else if (cmd->name == "help" && rest == 0) {
    choices = TopWords();
  } else if (cmd->name == "completion" && rest == 0) {
    choices = {{"bash", "Completion script for bash"}, {"zsh", "Completion script for zsh"}};
  } else if ((cmd->run == RunStatus || cmd->run == RunRestore) && rest == 0) {
    return {{{"db", ""}, {"zst", ""}, {"age", ""}}, kDirectiveFilterFileExt};  // snapshot files, and directories
  } else if (cmd->run == RunBackup && rest == 0) {
    return {{}, kDirectiveDefault};  // the snapshot file to write
  }
  for (const auto& [value, description] : choices) {
    if (StartsWith(value, current)) c.candidates.push_back({value, description});
  }
  return c;
}

std::string FormatCompletion(const Completion& c) {
  std::string out;
  for (const auto& [value, description] : c.candidates) {
    absl::StrAppend(&out, value, description.empty() ? "" : "\t", description, "\n");
  }
  absl::StrAppend(&out, ":", c.directive, "\n");
  return out;
}

absl::Status RunComplete(Invocation& inv) {
  inv.out << FormatCompletion(Complete(inv.args));
  return absl::OkStatus();
}

}  // namespace ketcd::cmd
