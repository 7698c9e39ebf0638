#pragma once
// Small, durable file-system helpers. Everything that must survive a crash goes
// through FsyncFile/FsyncDir; paths in errors are quoted.

#include <string>
#include <string_view>

#include "pkg/base/status.h"

namespace ketcd::fsutil {

// `what "path": strerror(err)`, with err attached (ErrnoOf). ENOENT is NotFound (exit 6),
// EEXIST/ENOTEMPTY AlreadyExists (5), EINTR Cancelled; anything else, EACCES and EPERM
// included, is Internal (exit 1): a local file that cannot be read or written is not
// PermissionDenied, which means etcd or the API server refused us (exit 3).
absl::Status ErrnoError(const std::string& what, const std::string& path, int err);
// The errno an ErrnoError carries, or 0.
int ErrnoOf(const absl::Status& status);

bool PathExists(const std::string& path);
bool IsDirectory(const std::string& path);
// True when `path` does not exist or is an empty directory.
absl::StatusOr<bool> IsMissingOrEmptyDir(const std::string& path);

absl::StatusOr<std::string> ReadFile(const std::string& path);
absl::StatusOr<uint64_t> FileSize(const std::string& path);

// Writes all of `data` to `fd`, retrying short writes and EINTR.
absl::Status WriteAll(int fd, const void* data, size_t n, const std::string& path_for_errors);

absl::Status FsyncDir(const std::string& dir);
absl::Status MkdirAll(const std::string& dir, unsigned mode);
// Removes a file or a directory tree; missing is fine.
absl::Status RemoveAll(const std::string& path);

std::string Dirname(const std::string& path);
std::string Basename(const std::string& path);
std::string JoinPath(std::string_view a, std::string_view b);

}  // namespace ketcd::fsutil
