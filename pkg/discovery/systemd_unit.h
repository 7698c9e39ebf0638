#pragma once
// An etcd run by systemd: the unit file, its drop-ins and environment files, read the
// way systemd reads them, and the etcd configuration they add up to.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "pkg/base/status.h"
#include "pkg/discovery/discovery.h"
#include "pkg/discovery/etcd_config.h"

namespace ketcd::discovery {

struct SystemdUnit {
  std::string name;                   // "etcd.service"
  std::string fragment;               // host path of the unit file
  std::vector<std::string> dropins;   // host paths, in the order systemd applies them
  std::vector<std::string> exec_start;  // argv of the ExecStart in effect, expanded
  std::string exec_start_file;        // the unit or drop-in that set it
  std::map<std::string, Setting> env;  // Environment= and EnvironmentFile= variables
  std::vector<std::string> environment_files;  // host paths that were read
  std::string user;                   // User=
  std::string working_dir;            // WorkingDirectory=
};

// Finds `unit_name` in systemd's unit directories under `host_root` (/etc/systemd/system,
// /run/systemd/system, /usr/lib/systemd/system, /lib/systemd/system, first wins) with
// its *.conf drop-ins. nullopt when there is no such unit; an error names the file and
// line that cannot be understood. `node_name` expands %H.
absl::StatusOr<std::optional<SystemdUnit>> LoadSystemdUnit(const std::string& host_root,
                                                           const std::string& unit_name,
                                                           const std::string& node_name);

// The etcd target an etcd unit defines. Fails if the unit has no ExecStart.
absl::StatusOr<EtcdTarget> FromSystemdUnit(const SystemdUnit& unit, const std::string& host_root);

// systemd's word splitting of a command line (quotes, backslash escapes), without
// variable expansion. Exposed for tests.
absl::StatusOr<std::vector<std::string>> SplitCommandLine(const std::string& line);

}  // namespace ketcd::discovery
