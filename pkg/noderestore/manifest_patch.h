#pragma once
// Byte-preserving edits of static-pod manifests and other YAML files. A restore must
// change exactly one value (the etcd data dir) and keep every other byte, comment and
// key order as it was; re-serialising the YAML would rewrite the whole file. So the
// file is parsed (yaml-cpp) only to find where the value sits, the value's bytes are
// replaced in the original text, and the result is parsed again to check that the
// document is the same apart from that one value.

#include <string>
#include <vector>

#include "pkg/base/status.h"

namespace ketcd::noderestore {

// Where the etcd container of a static-pod manifest keeps its data.
struct DataVolume {
  std::string container_name;  // "etcd"
  std::string container_dir;   // --data-dir as the container sees it ("/var/lib/etcd")
  std::string volume_name;     // "etcd-data"
  std::string mount_path;      // the volumeMount over --data-dir
  std::string host_path;       // the volume's hostPath.path (host path, without host root)
};

// Finds the hostPath volume mounted over the etcd container's --data-dir (command or
// args, "--data-dir=X" or "--data-dir X"). InvalidArgument naming `path_for_errors`
// when the text is not a Pod manifest with such a container and volume; the data dir
// must be the mount path itself, so that a new hostPath gives the container the new dir.
absl::StatusOr<DataVolume> FindDataVolume(const std::string& text, const std::string& path_for_errors);

// The same for --wal-dir (container_dir is the WAL dir); NotFound when the etcd container
// has no --wal-dir flag (the WAL is inside the data dir).
absl::StatusOr<DataVolume> FindWalVolume(const std::string& text, const std::string& path_for_errors);

// Returns `text` with spec.volumes[name == volume_name].hostPath.path set to `new_path`
// and nothing else changed (checked by re-parsing).
absl::StatusOr<std::string> PatchHostPath(const std::string& text, const std::string& volume_name,
                                          const std::string& new_path);

// Path of keys/indices to a scalar: {"spec", "volumes", "1", "hostPath", "path"}.
using YamlPath = std::vector<std::string>;

// Replaces the scalar at `path` (must exist) with `value` in the original text, quoting
// the new value only when YAML needs it. Verifies that the result parses to the same
// document with only that scalar changed.
absl::StatusOr<std::string> ReplaceScalar(const std::string& text, const YamlPath& path, const std::string& value);

// The lines of `a` and `b` that differ, as "-old"/"+new" lines (for tests and reports).
std::vector<std::string> LineDiff(const std::string& a, const std::string& b);

}  // namespace ketcd::noderestore
