#include "pkg/age/keys.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "pkg/age/bech32.h"
#include "pkg/age/crypto.h"

namespace ketcd::age {
namespace {

constexpr std::string_view kX25519Info = "age-encryption.org/v1/X25519";
constexpr std::string_view kScryptLabel = "age-encryption.org/v1/scrypt";

absl::Status Malformed(std::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("malformed age header: ", std::string(what)));
}

// Lines that are neither blank nor comments, with their 1-based numbers.
std::vector<std::pair<int, std::string_view>> KeyLines(std::string_view text) {
  std::vector<std::pair<int, std::string_view>> lines;
  int n = 0;
  for (absl::string_view piece : absl::StrSplit(absl::string_view(text.data(), text.size()), '\n')) {
    n++;
    piece = absl::StripAsciiWhitespace(piece);
    if (piece.empty() || piece[0] == '#') continue;
    lines.emplace_back(n, std::string_view(piece.data(), piece.size()));
  }
  return lines;
}

absl::StatusOr<std::optional<std::string>> UnwrapX25519(std::string_view secret, const Stanza& s) {
  if (s.args.size() != 2) return Malformed("X25519 stanza with a wrong number of arguments");
  auto share = Base64Decode(s.args[1]);
  if (!share.ok() || share->size() != 32) return Malformed("X25519 share is not 32 bytes of canonical base64");
  if (s.body.size() != kFileKeySize + kTagSize) return Malformed("X25519 stanza body is not 32 bytes");
  auto shared = X25519(secret, *share);
  if (!shared.ok()) return Malformed("X25519 share gives an all-zero secret");
  KETCD_ASSIGN_OR_RETURN(std::string ours, X25519Base(secret));
  std::string key = HkdfSha256(*shared, *share + ours, kX25519Info);
  return OpenZeroNonce(key, s.body);
}

absl::StatusOr<std::optional<std::string>> UnwrapScrypt(std::string_view passphrase, const Stanza& s) {
  if (s.args.size() != 3) return Malformed("scrypt stanza with a wrong number of arguments");
  auto salt = Base64Decode(s.args[1]);
  if (!salt.ok() || salt->size() != 16) return Malformed("scrypt salt is not 16 bytes of canonical base64");
  const std::string& w = s.args[2];
  if (w.empty() || w.size() > 2 || w[0] < '1' || w[0] > '9' || (w.size() == 2 && (w[1] < '0' || w[1] > '9'))) {
    return Malformed("scrypt work factor is not a decimal number");
  }
  const int log_n = std::stoi(w);
  if (log_n > kMaxScryptLogN) {
    return Malformed(absl::StrCat("scrypt work factor 2^", log_n, " is above the limit of 2^", kMaxScryptLogN));
  }
  if (s.body.size() != kFileKeySize + kTagSize) return Malformed("scrypt stanza body is not 32 bytes");
  KETCD_ASSIGN_OR_RETURN(std::string key, Scrypt(passphrase, std::string(kScryptLabel) + *salt, log_n));
  return OpenZeroNonce(key, s.body);
}

}  // namespace

absl::StatusOr<Recipient> ParseRecipient(std::string_view s) {
  if (s.substr(0, 4) == "ssh-") {
    return absl::InvalidArgumentError("SSH recipients are not supported: use an age1... key");
  }
  auto b = Bech32Decode(s);
  if (!b.ok() || b->hrp != "age" || b->data.size() != 32) {
    if (b.ok() && b->hrp.rfind("age1", 0) == 0) {
      return absl::InvalidArgumentError("age plugin and post-quantum recipients are not supported: use an age1... X25519 key");
    }
    return absl::InvalidArgumentError("not an age X25519 recipient (age1... as age-keygen prints)");
  }
  return Recipient{Recipient::Type::kX25519, b->data};
}

absl::StatusOr<std::vector<Recipient>> ParseRecipientsFile(std::string_view text, std::string_view name) {
  std::vector<Recipient> out;
  for (const auto& [n, line] : KeyLines(text)) {
    auto r = ParseRecipient(line);
    if (!r.ok()) return absl::InvalidArgumentError(absl::StrCat(std::string(name), " line ", n, ": ", r.status().message()));
    out.push_back(std::move(*r));
  }
  if (out.empty()) return absl::InvalidArgumentError(absl::StrCat(std::string(name), ": no recipient in the file"));
  return out;
}

absl::StatusOr<std::vector<Identity>> ParseIdentityFile(std::string_view text, std::string_view name) {
  std::vector<Identity> out;
  for (const auto& [n, line] : KeyLines(text)) {
    auto b = Bech32Decode(line);
    if (!b.ok() || b->hrp != "age-secret-key-" || b->data.size() != 32 || absl::AsciiStrToUpper(absl::string_view(line.data(), line.size())) != line) {
      return absl::InvalidArgumentError(absl::StrCat(
          std::string(name), " line ", n, ": not an age X25519 identity (AGE-SECRET-KEY-1... as age-keygen writes)"));
    }
    out.push_back(Identity{Identity::Type::kX25519, b->data});
  }
  if (out.empty()) return absl::InvalidArgumentError(absl::StrCat(std::string(name), ": no identity in the file"));
  return out;
}

Recipient PassphraseRecipient(std::string passphrase) {
  return Recipient{Recipient::Type::kScrypt, std::move(passphrase), kScryptLogN};
}

Identity PassphraseIdentity(std::string passphrase) { return Identity{Identity::Type::kScrypt, std::move(passphrase)}; }

std::string EncodeRecipient(std::string_view public_key) { return Bech32Encode("age", public_key); }

std::string EncodeIdentity(std::string_view secret_key) {
  return absl::AsciiStrToUpper(Bech32Encode("age-secret-key-", secret_key));
}

absl::StatusOr<std::string> PublicKeyOf(const Identity& id) { return X25519Base(id.key); }

absl::StatusOr<Stanza> Wrap(const Recipient& r, std::string_view file_key) {
  Stanza s;
  if (r.type == Recipient::Type::kScrypt) {
    const std::string salt = RandomBytes(16);
    KETCD_ASSIGN_OR_RETURN(std::string key, Scrypt(r.key, std::string(kScryptLabel) + salt, r.log_n));
    s.args = {"scrypt", Base64Encode(salt), std::to_string(r.log_n)};
    s.body = SealZeroNonce(key, file_key);
    return s;
  }
  const std::string ephemeral = RandomBytes(32);
  KETCD_ASSIGN_OR_RETURN(std::string share, X25519Base(ephemeral));
  KETCD_ASSIGN_OR_RETURN(std::string shared, X25519(ephemeral, r.key));
  s.args = {"X25519", Base64Encode(share)};
  s.body = SealZeroNonce(HkdfSha256(shared, share + r.key, kX25519Info), file_key);
  return s;
}

absl::StatusOr<std::optional<std::string>> Unwrap(const Identity& id, const std::vector<Stanza>& stanzas) {
  for (const Stanza& s : stanzas) {
    if (s.args[0] == "scrypt" && stanzas.size() != 1) return Malformed("an scrypt stanza must be the only one");
  }
  for (const Stanza& s : stanzas) {
    std::optional<std::string> key;
    if (id.type == Identity::Type::kX25519 && s.args[0] == "X25519") {
      KETCD_ASSIGN_OR_RETURN(key, UnwrapX25519(id.key, s));
    } else if (id.type == Identity::Type::kScrypt && s.args[0] == "scrypt") {
      KETCD_ASSIGN_OR_RETURN(key, UnwrapScrypt(id.key, s));
    }
    if (key && key->size() != kFileKeySize) return Malformed("wrapped file key is not 16 bytes");
    if (key) return key;
  }
  return std::optional<std::string>();
}

}  // namespace ketcd::age
