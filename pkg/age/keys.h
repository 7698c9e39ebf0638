#pragma once
// Recipients (who a file is encrypted to) and identities (what opens it): X25519 keys in
// their Bech32 forms ("age1...", "AGE-SECRET-KEY-1...") and scrypt passphrases, and the
// stanzas they wrap and unwrap the file key with. Errors never repeat a secret.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pkg/age/header.h"
#include "pkg/base/status.h"

namespace ketcd::age {

inline constexpr size_t kFileKeySize = 16;
inline constexpr int kScryptLogN = 18;     // what `age -p` writes
inline constexpr int kMaxScryptLogN = 22;  // the most a file may ask for (about 4 GiB, seconds)

struct Recipient {
  enum class Type { kX25519, kScrypt } type = Type::kX25519;
  std::string key;  // X25519: 32-byte public key; scrypt: the passphrase
  int log_n = kScryptLogN;
};

struct Identity {
  enum class Type { kX25519, kScrypt } type = Type::kX25519;
  std::string key;  // X25519: 32-byte secret scalar; scrypt: the passphrase
};

// "age1..." (InvalidArgument otherwise; plugin and SSH recipients are not supported).
absl::StatusOr<Recipient> ParseRecipient(std::string_view s);
// One recipient per line; blank lines and lines starting with '#' are skipped.
absl::StatusOr<std::vector<Recipient>> ParseRecipientsFile(std::string_view text, std::string_view name);
// "AGE-SECRET-KEY-1..." lines of an identity file (as age-keygen writes); blank lines and
// '#' comments skipped.
absl::StatusOr<std::vector<Identity>> ParseIdentityFile(std::string_view text, std::string_view name);
Recipient PassphraseRecipient(std::string passphrase);
Identity PassphraseIdentity(std::string passphrase);

// The Bech32 forms, for key generation in tests.
std::string EncodeRecipient(std::string_view public_key);
std::string EncodeIdentity(std::string_view secret_key);
absl::StatusOr<std::string> PublicKeyOf(const Identity& id);

// A stanza wrapping `file_key` for `r`.
absl::StatusOr<Stanza> Wrap(const Recipient& r, std::string_view file_key);
// The file key if `id` opens one of `stanzas`, nullopt when none is addressed to it;
// InvalidArgument for a stanza of its type that is malformed (a bad file, not a wrong key).
absl::StatusOr<std::optional<std::string>> Unwrap(const Identity& id, const std::vector<Stanza>& stanzas);

}  // namespace ketcd::age
