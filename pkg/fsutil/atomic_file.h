#pragma once
// A file that appears at its final path complete or not at all: written to
// `<path><suffix>`, fsynced, renamed into place, then the directory is fsynced.
// Until Commit() succeeds the destructor removes the temporary file, so an error,
// an early return or Ctrl-C (handled by unwinding) leaves nothing behind.
//
// The writer holds an flock on the temporary file from creating it until it is renamed or
// removed. A temporary file nobody holds a lock on was left by a run that was killed (or
// lost power) and is replaced; it is not user data, so this needs no `overwrite`. One that is
// locked belongs to a run still writing and is refused.

#include <memory>
#include <string>

#include "pkg/base/status.h"

namespace ketcd::fsutil {

class AtomicFile {
 public:
  struct Options {
    unsigned mode = 0600;
    bool overwrite = false;            // replace an existing file at the final path
    std::string temp_suffix = ".part";
  };

  // Fails with AlreadyExists when the final path exists (and !overwrite) or when another
  // run is writing the temporary file; a stale temporary file is replaced.
  static absl::StatusOr<std::unique_ptr<AtomicFile>> Create(const std::string& path, const Options& opts);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  absl::Status Append(const void* data, size_t n);
  absl::Status Append(std::string_view s) { return Append(s.data(), s.size()); }
  uint64_t size() const { return size_; }
  int fd() const { return fd_; }
  const std::string& path() const { return path_; }
  const std::string& temp_path() const { return temp_path_; }

  // fsync, rename into place (never over an existing file unless overwrite) while still
  // holding the lock, close, fsync the directory.
  absl::Status Commit();

 private:
  AtomicFile(std::string path, std::string temp, int fd, bool overwrite)
      : path_(std::move(path)), temp_path_(std::move(temp)), fd_(fd), overwrite_(overwrite) {}
  void Discard();

  std::string path_;
  std::string temp_path_;
  int fd_;
  bool overwrite_;
  bool committed_ = false;
  uint64_t size_ = 0;
};

// Removes the file at `path` unless a writer holds its flock (an AtomicFile's temporary file
// being written: AlreadyExists then). Missing is fine. A symbolic link is not followed and
// not removed (an error); the name is unlinked only while it still names the file locked (a file put in
// its place meanwhile is left alone).
absl::Status RemoveUnlessLocked(const std::string& path);

// Writes `contents` to `path` through an AtomicFile.
absl::Status WriteFileAtomically(const std::string& path, std::string_view contents,
                                 const AtomicFile::Options& opts);

}  // namespace ketcd::fsutil
