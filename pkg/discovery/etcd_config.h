#pragma once
// etcd's own configuration as etcd would read it: command-line flags, ETCD_* environment
// variables and the --config-file YAML, each value remembered with where it came from.
// Shared by the static-pod, systemd and API-server sources.

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "pkg/base/status.h"
#include "pkg/discovery/discovery.h"

namespace ketcd::discovery {

struct Setting {
  std::string value;
  std::string origin;  // "--data-dir in /etc/systemd/system/etcd.service", ...
  std::string file;    // the file that holds it (host path), if any
  std::string key;     // how it is spelled there: "--data-dir", "ETCD_DATA_DIR", "data-dir"
};

// Keys are flag names without dashes ("data-dir"); TLS keys of the config file are
// mapped to their flag names ("client-transport-security.cert-file" -> "cert-file").
using EtcdConfig = std::map<std::string, Setting>;

// Parses an etcd command line (without the program name): `--flag=value`,
// `--flag value`, `-flag value`, bare booleans. Later occurrences win. `where` names
// the place ("ExecStart in /etc/...") for origins; `file` is its host path.
void AddFlags(const std::vector<std::string>& argv, const std::string& where, const std::string& file,
              EtcdConfig* cfg);

// Same parse into a plain map (for pods listed through the API).
std::map<std::string, std::string> ParseFlagMap(const std::vector<std::string>& argv);

// Adds ETCD_* variables not already set by a flag. `origin_of` gives, per variable,
// the place it was defined and its file.
void AddEnv(const std::map<std::string, Setting>& env, EtcdConfig* cfg);

// Replaces `cfg` with the contents of an etcd config file (YAML) at host path `path`.
// Errors name the file and the problem.
absl::Status LoadConfigFile(const std::string& path, EtcdConfig* cfg);

// The flag name of an ETCD_* variable ("ETCD_DATA_DIR" -> "data-dir"), or "" if not one.
std::string FlagOfEnv(const std::string& var);

// Maps a path as etcd sees it to a host path (container mounts, host root).
using PathMapper = std::function<std::string(const std::string&)>;

// Builds the target fields (endpoints, certs, data dir, name, peers, cluster) from a
// config. `default_dir` is where etcd resolves a relative or default data dir.
void FillTarget(const EtcdConfig& cfg, const PathMapper& to_host, const std::string& working_dir,
                EtcdTarget* t);

// Client URLs with local ones first and wildcard addresses made loopback.
std::vector<std::string> ClientEndpoints(const std::string& listen, const std::string& advertise);

std::vector<std::string> SplitList(const std::string& s);

}  // namespace ketcd::discovery
