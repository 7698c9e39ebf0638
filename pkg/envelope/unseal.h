#pragma once
// Reading a snapshot file that may be compressed (zstd), encrypted (age), or both (zstd
// inside age, as seal.h writes it): told apart by
// their first bytes, not by the file name. bbolt needs random access, so a sealed file is
// decoded into `snapshot.db` in a private directory (mode 0700, made with mkdtemp under
// `temp_parent`), which the Unsealed object removes when it goes, on success and on every
// error. A plain file is used where it is, untouched.

#include <memory>
#include <string>

#include "pkg/age/keys.h"
#include "pkg/base/status.h"
#include "pkg/stream/stream.h"

namespace ketcd::envelope {

struct UnsealOptions {
  std::string temp_parent;  // where the private directory goes; "" = $TMPDIR or /tmp
  std::vector<age::Identity> identities;  // X25519 keys and passphrases for age files
};

class Unsealed {
 public:
  ~Unsealed();
  Unsealed(const Unsealed&) = delete;
  Unsealed& operator=(const Unsealed&) = delete;

  // The plain snapshot: the input itself, or the decoded copy.
  const std::string& path() const { return path_; }
  bool compressed() const { return compressed_; }
  bool encrypted() const { return encrypted_; }
  // The private directory, "" for a plain input.
  const std::string& temp_dir() const { return temp_dir_; }

 private:
  friend absl::StatusOr<std::unique_ptr<Unsealed>> Unseal(const std::string&, const UnsealOptions&);
  Unsealed() = default;
  std::string path_, temp_dir_;
  bool compressed_ = false, encrypted_ = false;
};

// What `path` is, from its first bytes (kPlain for anything but a regular file).
absl::StatusOr<stream::Format> SniffFile(const std::string& path);

// DataLoss for a damaged or truncated file; InvalidArgument for an age file that no
// identity opens (or when none was given). Anything that is
// not a regular file is passed through as it is (the bbolt reader refuses it). Polls
// Interrupted() (Cancelled).
absl::StatusOr<std::unique_ptr<Unsealed>> Unseal(const std::string& path, const UnsealOptions& o);

}  // namespace ketcd::envelope
