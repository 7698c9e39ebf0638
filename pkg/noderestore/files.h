#pragma once
// Durable file operations for files the kubelet or systemd reads. A file in a static-pod
// directory is replaced through a dot-prefixed temporary in the same directory (the
// kubelet's file source only reads names matching "[^.]*", so it never sees the
// temporary), fsynced, renamed over the target, and the directory fsynced.

#include <string>

#include "pkg/base/status.h"

namespace ketcd::noderestore {

// Writes `contents` to `path` (replacing it if present) via "<dir>/.<name>.kubectl-etcd-tmp".
absl::Status WriteFileDurably(const std::string& path, const std::string& contents, unsigned mode);

// Copies `from` to `to` (which must not exist) durably, keeping the mode.
absl::Status CopyFileDurably(const std::string& from, const std::string& to);

// Removes a file and fsyncs its directory.
absl::Status RemoveFileDurably(const std::string& path);

// Mode bits of an existing file (0600 if it cannot be read).
unsigned FileMode(const std::string& path);

}  // namespace ketcd::noderestore
