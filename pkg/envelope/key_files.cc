#include "pkg/envelope/key_files.h"

#include "absl/strings/str_cat.h"
#include "pkg/fsutil/file.h"

namespace ketcd::envelope {

absl::StatusOr<std::string> ReadPassphraseFile(const std::string& path) {
  KETCD_ASSIGN_OR_RETURN(std::string text, fsutil::ReadFile(path));
  if (!text.empty() && text.back() == '\n') text.pop_back();
  if (!text.empty() && text.back() == '\r') text.pop_back();
  if (text.empty()) return absl::InvalidArgumentError(absl::StrCat("--passphrase-file \"", path, "\" is empty"));
  return text;
}

absl::StatusOr<std::vector<age::Recipient>> LoadRecipients(const std::vector<std::string>& keys,
                                                           const std::vector<std::string>& key_files,
                                                           const std::string& passphrase_file) {
  std::vector<age::Recipient> out;
  for (const std::string& k : keys) {
    auto r = age::ParseRecipient(k);
    if (!r.ok()) return absl::InvalidArgumentError(absl::StrCat("--encrypt-to: ", r.status().message()));
    out.push_back(std::move(*r));
  }
  for (const std::string& f : key_files) {
    KETCD_ASSIGN_OR_RETURN(std::string text, fsutil::ReadFile(f));
    KETCD_ASSIGN_OR_RETURN(auto rs, age::ParseRecipientsFile(text, absl::StrCat("--encrypt-to-file \"", f, "\"")));
    out.insert(out.end(), rs.begin(), rs.end());
  }
  if (!passphrase_file.empty()) {
    if (!out.empty()) {
      return absl::InvalidArgumentError("--passphrase-file cannot be combined with --encrypt-to or --encrypt-to-file");
    }
    KETCD_ASSIGN_OR_RETURN(std::string pass, ReadPassphraseFile(passphrase_file));
    out.push_back(age::PassphraseRecipient(std::move(pass)));
  }
  return out;
}

absl::StatusOr<std::vector<age::Identity>> LoadIdentities(const std::vector<std::string>& identity_files,
                                                          const std::string& passphrase_file) {
  std::vector<age::Identity> out;
  for (const std::string& f : identity_files) {
    KETCD_ASSIGN_OR_RETURN(std::string text, fsutil::ReadFile(f));
    KETCD_ASSIGN_OR_RETURN(auto ids, age::ParseIdentityFile(text, absl::StrCat("--identity \"", f, "\"")));
    out.insert(out.end(), ids.begin(), ids.end());
  }
  if (!passphrase_file.empty()) {
    KETCD_ASSIGN_OR_RETURN(std::string pass, ReadPassphraseFile(passphrase_file));
    out.push_back(age::PassphraseIdentity(std::move(pass)));
  }
  return out;
}

}  // namespace ketcd::envelope
