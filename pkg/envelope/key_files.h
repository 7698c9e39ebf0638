#pragma once
// The keys of the --encrypt-to, --encrypt-to-file, --identity and --passphrase-file flags.
// Errors name the file and line, never a key or passphrase.

#include <string>
#include <vector>

#include "pkg/age/keys.h"
#include "pkg/base/status.h"

namespace ketcd::envelope {

// The passphrase in `path`: its content with one trailing newline (\n or \r\n) removed.
absl::StatusOr<std::string> ReadPassphraseFile(const std::string& path);

// age1... keys given directly and in files (one per line, '#' comments), and a passphrase
// from `passphrase_file` ("" = none), which cannot be combined with keys.
absl::StatusOr<std::vector<age::Recipient>> LoadRecipients(const std::vector<std::string>& keys,
                                                           const std::vector<std::string>& key_files,
                                                           const std::string& passphrase_file);

// AGE-SECRET-KEY-1... lines of `identity_files`, and a passphrase from `passphrase_file`.
absl::StatusOr<std::vector<age::Identity>> LoadIdentities(const std::vector<std::string>& identity_files,
                                                          const std::string& passphrase_file);

}  // namespace ketcd::envelope
