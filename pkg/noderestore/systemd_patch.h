#pragma once
// Changing etcd's data dir where a systemd-run etcd defines it: the unit or a drop-in
// (`--data-dir=X` or `--data-dir X` in ExecStart, `Environment=ETCD_DATA_DIR=X`), an
// EnvironmentFile (`ETCD_DATA_DIR=X`) or an etcd config file (`data-dir: X`). Text edits
// only: every other byte of the file stays as it was.

#include <string>

#include "pkg/base/status.h"

namespace ketcd::noderestore {

// `key` is how discovery names the setting: "--data-dir", "ETCD_DATA_DIR" or "data-dir"
// (a YAML config file). Replaces the value of every definition of `key` in `text` with
// `new_value`; NotFound when the file defines none, FailedPrecondition when a value
// cannot be edited in place (e.g. it comes from a variable: "--data-dir=${DIR}").
absl::StatusOr<std::string> PatchDataDirSetting(const std::string& text, const std::string& key,
                                                const std::string& new_value);

}  // namespace ketcd::noderestore
