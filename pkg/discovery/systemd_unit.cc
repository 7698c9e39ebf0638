// systemd unit files as systemd reads them (systemd.unit(5), systemd.service(5),
// systemd.exec(5)): backslash continuations, drop-ins applied after the fragment in
// file-name order, an empty ExecStart= clearing the list, EnvironmentFile= variables
// overriding Environment= ones, ${VAR} and $VAR expansion in ExecStart, specifiers.
#include "pkg/discovery/systemd_unit.h"

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "pkg/fsutil/file.h"

namespace ketcd::discovery {
namespace {

const char* const kUnitDirs[] = {"/etc/systemd/system", "/run/systemd/system", "/usr/lib/systemd/system",
                                 "/lib/systemd/system"};

struct Ctx {
  std::string host_root;
  std::string unit_name;
  std::string node_name;
};

std::string Specifiers(const std::string& s, const Ctx& ctx) {
  std::string prefix = ctx.unit_name.substr(0, ctx.unit_name.find('.'));
  std::string out;
  for (size_t i = 0; i < s.size(); i++) {
    if (s[i] != '%' || i + 1 == s.size()) {
      out += s[i];
      continue;
    }
    char c = s[++i];
    switch (c) {
      case 'H':
      case 'l':
        out += ctx.node_name;
        break;
      case 'p':
      case 'N':
        out += prefix;
        break;
      case 'n':
        out += ctx.unit_name;
        break;
      case '%':
        out += '%';
        break;
      case 'i':
      case 'I':
        break;  // not a template instance: empty
      default:
        out += absl::StrCat("%", std::string(1, c));
    }
  }
  return out;
}

// Expands ${VAR} inside words and splits a word that is exactly $VAR into several
// (systemd's rules). With `shell`, $VAR inside a word is expanded too, as a shell does.
std::vector<std::string> Expand(const std::vector<std::string>& words, const std::map<std::string, Setting>& env,
                                bool shell = false) {
  auto lookup = [&](const std::string& var) {
    auto it = env.find(var);
    return it == env.end() ? std::string() : it->second.value;
  };
  std::vector<std::string> out;
  for (const std::string& w : words) {
    if (w.size() > 1 && w[0] == '$' && w[1] != '{') {
      for (absl::string_view part : absl::StrSplit(lookup(w.substr(1)), absl::ByAnyChar(" \t\n"), absl::SkipEmpty())) {
        out.emplace_back(part);
      }
      continue;
    }
    std::string e;
    for (size_t i = 0; i < w.size(); i++) {
      if (w[i] == '$' && i + 1 < w.size() && w[i + 1] == '{') {
        size_t close = w.find('}', i + 2);
        if (close != std::string::npos) {
          e += lookup(w.substr(i + 2, close - i - 2));
          i = close;
          continue;
        }
      }
      if (shell && w[i] == '$' && i + 1 < w.size() && (absl::ascii_isalpha(static_cast<unsigned char>(w[i + 1])) || w[i + 1] == '_')) {
        size_t end = i + 1;
        while (end < w.size() && (absl::ascii_isalnum(static_cast<unsigned char>(w[end])) || w[end] == '_')) end++;
        e += lookup(w.substr(i + 1, end - i - 1));
        i = end - 1;
        continue;
      }
      e += w[i];
    }
    out.push_back(e);
  }
  return out;
}

// systemd skips a UTF-8 byte order mark at the start of a unit or environment file.
std::string WithoutBom(std::string text) {
  if (absl::StartsWith(text, "\xEF\xBB\xBF")) text.erase(0, 3);
  return text;
}

absl::Status ParseEnvironmentFile(const std::string& path, std::map<std::string, Setting>* env) {
  KETCD_ASSIGN_OR_RETURN(std::string text, fsutil::ReadFile(path));
  text = WithoutBom(std::move(text));
  int line_no = 0;
  for (absl::string_view raw : absl::StrSplit(text, '\n')) {
    line_no++;
    std::string line(absl::StripAsciiWhitespace(raw));
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (absl::StartsWith(line, "export ")) line = std::string(absl::StripAsciiWhitespace(line.substr(7)));
    size_t eq = line.find('=');
    if (eq == std::string::npos || eq == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("environment file \"", path, "\" line ", line_no, ": expected VAR=value, got \"", line, "\""));
    }
    std::string var(absl::StripAsciiWhitespace(line.substr(0, eq)));
    std::string value(absl::StripAsciiWhitespace(line.substr(eq + 1)));
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') && value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    (*env)[var] = Setting{value, absl::StrCat("in environment file ", path), path, var};
  }
  return absl::OkStatus();
}

// Applies one unit file or drop-in to `unit`. Environment files are collected, read later.
absl::Status ApplyFile(const std::string& path, const Ctx& ctx, SystemdUnit* unit,
                       std::vector<std::pair<std::string, std::string>>* env_files) {
  KETCD_ASSIGN_OR_RETURN(std::string text, fsutil::ReadFile(path));
  text = WithoutBom(std::move(text));
  std::string section, logical;
  int line_no = 0, start_line = 0;
  std::vector<std::string> lines(absl::StrSplit(text, '\n'));
  for (size_t i = 0; i < lines.size(); i++) {
    line_no = static_cast<int>(i) + 1;
    std::string l(absl::StripTrailingAsciiWhitespace(lines[i]));
    std::string trimmed(absl::StripLeadingAsciiWhitespace(l));
    const bool comment = !trimmed.empty() && (trimmed[0] == '#' || trimmed[0] == ';');
    if (logical.empty() && (trimmed.empty() || comment)) continue;
    if (!logical.empty() && comment) continue;  // comment inside a continuation
    if (logical.empty()) start_line = line_no;
    if (!l.empty() && l.back() == '\\') {
      logical += l.substr(0, l.size() - 1) + " ";
      continue;
    }
    logical += l;
    std::string entry(absl::StripAsciiWhitespace(logical));
    logical.clear();
    if (entry.empty()) continue;  // a lone "\" continued by an empty line
    if (entry.front() == '[') {
      if (entry.back() != ']') {
        return absl::InvalidArgumentError(
            absl::StrCat("unit file \"", path, "\" line ", start_line, ": unterminated section header"));
      }
      section = entry.substr(1, entry.size() - 2);
      continue;
    }
    size_t eq = entry.find('=');
    if (eq == std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat("unit file \"", path, "\" line ", start_line,
                                                     ": expected Key=value, got \"", entry, "\""));
    }
    if (section != "Service") continue;
    std::string key(absl::StripAsciiWhitespace(entry.substr(0, eq)));
    std::string value = Specifiers(std::string(absl::StripAsciiWhitespace(entry.substr(eq + 1))), ctx);
    if (key == "ExecStart") {
      if (value.empty()) {
        unit->exec_start.clear();
        unit->exec_start_file.clear();
        continue;
      }
      auto words = SplitCommandLine(value);
      if (!words.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat("unit file \"", path, "\" line ", start_line, ": ExecStart: ", words.status().message()));
      }
      unit->exec_start = *words;
      unit->exec_start_file = path;
    } else if (key == "Environment") {
      auto words = SplitCommandLine(value);
      if (!words.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat("unit file \"", path, "\" line ", start_line, ": Environment: ", words.status().message()));
      }
      for (const std::string& w : *words) {
        size_t e = w.find('=');
        if (e == std::string::npos || e == 0) continue;
        unit->env[w.substr(0, e)] = Setting{w.substr(e + 1), absl::StrCat("in Environment= of ", path), path,
                                            w.substr(0, e)};
      }
    } else if (key == "EnvironmentFile") {
      if (value.empty()) {
        env_files->clear();
        continue;
      }
      env_files->push_back({value, path});
    } else if (key == "User") {
      unit->user = value;
    } else if (key == "WorkingDirectory") {
      unit->working_dir = value[0] == '-' ? value.substr(1) : value;
    }
  }
  if (!logical.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("unit file \"", path, "\" line ", start_line, ": continuation at the end of the file"));
  }
  return absl::OkStatus();
}

std::vector<std::string> DropIns(const std::string& host_root, const std::string& unit_name) {
  std::map<std::string, std::string> by_name;  // file name -> path; higher-priority dirs first
  for (const char* dir : kUnitDirs) {
    std::string d = UnderRoot(host_root, absl::StrCat(dir, "/", unit_name, ".d"));
    DIR* dp = ::opendir(d.c_str());
    if (dp == nullptr) continue;
    while (struct dirent* e = ::readdir(dp)) {
      std::string n = e->d_name;
      if (absl::EndsWith(n, ".conf") && !by_name.count(n)) by_name[n] = fsutil::JoinPath(d, n);
    }
    ::closedir(dp);
  }
  std::vector<std::string> out;
  for (const auto& [n, p] : by_name) out.push_back(p);
  return out;
}

// `bash -c "GOMAXPROCS=$(nproc) exec /usr/bin/etcd ..."`: the words from etcd on.
std::vector<std::string> UnwrapShell(const std::vector<std::string>& argv) {
  if (argv.size() < 3) return argv;
  std::string prog = fsutil::Basename(argv[0]);
  if (prog != "bash" && prog != "sh") return argv;
  for (size_t i = 1; i + 1 < argv.size(); i++) {
    if (argv[i] != "-c") continue;
    auto words = SplitCommandLine(argv[i + 1]);
    if (!words.ok()) return argv;
    for (size_t j = 0; j < words->size(); j++) {
      if (fsutil::Basename((*words)[j]) == "etcd") return std::vector<std::string>(words->begin() + j, words->end());
    }
  }
  return argv;
}

}  // namespace

absl::StatusOr<std::vector<std::string>> SplitCommandLine(const std::string& line) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && absl::ascii_isspace(static_cast<unsigned char>(line[i]))) i++;
    if (i == line.size()) break;
    std::string w;
    while (i < line.size() && !absl::ascii_isspace(static_cast<unsigned char>(line[i]))) {
      char c = line[i];
      if (c == '"' || c == '\'') {
        size_t close = i + 1;
        while (close < line.size() && line[close] != c) {
          if (line[close] == '\\' && c == '"' && close + 1 < line.size()) close++;
          close++;
        }
        if (close >= line.size()) return absl::InvalidArgumentError("unbalanced quotes");
        for (size_t k = i + 1; k < close; k++) {
          if (line[k] == '\\' && c == '"' && k + 1 < close) k++;
          w += line[k];
        }
        i = close + 1;
      } else if (c == '\\' && i + 1 < line.size()) {
        w += line[i + 1];
        i += 2;
      } else {
        w += c;
        i++;
      }
    }
    out.push_back(w);
  }
  return out;
}

absl::StatusOr<std::optional<SystemdUnit>> LoadSystemdUnit(const std::string& host_root,
                                                           const std::string& unit_name,
                                                           const std::string& node_name) {
  Ctx ctx{host_root, unit_name, node_name};
  SystemdUnit unit;
  unit.name = unit_name;
  for (const char* dir : kUnitDirs) {
    std::string p = UnderRoot(host_root, absl::StrCat(dir, "/", unit_name));
    if (fsutil::PathExists(p) && !fsutil::IsDirectory(p)) {
      unit.fragment = p;
      break;
    }
  }
  if (unit.fragment.empty()) return std::optional<SystemdUnit>();
  // A masked unit (a link to /dev/null, or empty) does not run etcd.
  char link[64] = {0};
  ssize_t n = ::readlink(unit.fragment.c_str(), link, sizeof link - 1);
  auto size = fsutil::FileSize(unit.fragment);
  if ((n > 0 && std::string(link, static_cast<size_t>(n)) == "/dev/null") || (size.ok() && *size == 0)) {
    return std::optional<SystemdUnit>();
  }
  std::vector<std::pair<std::string, std::string>> env_files;  // (value, defined in)
  KETCD_RETURN_IF_ERROR(ApplyFile(unit.fragment, ctx, &unit, &env_files));
  for (const std::string& d : DropIns(host_root, unit_name)) {
    unit.dropins.push_back(d);
    KETCD_RETURN_IF_ERROR(ApplyFile(d, ctx, &unit, &env_files));
  }
  for (const auto& [value, defined_in] : env_files) {
    bool optional = value[0] == '-';
    std::string p = UnderRoot(host_root, optional ? value.substr(1) : value);
    if (!fsutil::PathExists(p)) {
      if (optional) continue;
      return absl::FailedPreconditionError(absl::StrCat("environment file \"", p, "\" named by EnvironmentFile= in ",
                                              defined_in, " does not exist"));
    }
    unit.environment_files.push_back(p);
    KETCD_RETURN_IF_ERROR(ParseEnvironmentFile(p, &unit.env));
  }
  if (!unit.exec_start.empty()) {
    std::string& prog = unit.exec_start[0];
    while (!prog.empty() && (prog[0] == '-' || prog[0] == '@' || prog[0] == '+' || prog[0] == '!' || prog[0] == ':')) {
      prog.erase(0, 1);
    }
    std::vector<std::string> expanded = Expand(unit.exec_start, unit.env);
    unit.exec_start = UnwrapShell(expanded);
    // Inside `bash -c "..."` the shell expands $VAR from the same environment.
    if (unit.exec_start != expanded) unit.exec_start = Expand(unit.exec_start, unit.env, /*shell=*/true);
  }
  return std::optional<SystemdUnit>(std::move(unit));
}

absl::StatusOr<EtcdTarget> FromSystemdUnit(const SystemdUnit& unit, const std::string& host_root) {
  if (unit.exec_start.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("systemd unit \"", unit.fragment, "\" (with its drop-ins) has no ExecStart="));
  }
  EtcdTarget t;
  t.kind = "systemd";
  t.defined_in = unit.fragment;
  t.user = unit.user.empty() ? "root" : unit.user;
  t.files.push_back(unit.fragment);
  t.files.insert(t.files.end(), unit.dropins.begin(), unit.dropins.end());
  t.files.insert(t.files.end(), unit.environment_files.begin(), unit.environment_files.end());

  EtcdConfig cfg;
  AddFlags(unit.exec_start, absl::StrCat("ExecStart of ", unit.exec_start_file), unit.exec_start_file, &cfg);
  AddEnv(unit.env, &cfg);
  if (auto it = cfg.find("config-file"); it != cfg.end() && !it->second.value.empty()) {
    t.config_file = UnderRoot(host_root, it->second.value);
    t.files.push_back(t.config_file);
    if (!fsutil::PathExists(t.config_file)) {
      return absl::FailedPreconditionError(absl::StrCat("systemd unit \"", unit.fragment, "\": etcd's config file ",
                                                        t.config_file, " (", it->second.origin, ") does not exist"));
    }
    KETCD_RETURN_IF_ERROR(LoadConfigFile(t.config_file, &cfg));
  }
  auto to_host = [&](const std::string& p) { return UnderRoot(host_root, p); };
  FillTarget(cfg, to_host, unit.working_dir.empty() ? "/" : unit.working_dir, &t);
  return t;
}

}  // namespace ketcd::discovery
