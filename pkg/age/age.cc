#include "pkg/age/age.h"

#include <openssl/crypto.h>

#include "absl/strings/str_cat.h"
#include "pkg/age/crypto.h"

namespace ketcd::age {
namespace {

constexpr size_t kMaxHeader = 1 << 20;
constexpr size_t kReadPiece = 4096;

std::string MacKey(std::string_view file_key) { return HkdfSha256(file_key, "", "header"); }

// Owns the payload step and the reader it reads from.
class DecryptReader : public stream::Reader {
 public:
  DecryptReader(std::unique_ptr<stream::PrefixReader> rest, std::string_view file_key, std::string_view nonce,
                const std::string& name)
      : rest_(std::move(rest)), payload_(rest_.get(), file_key, nonce, name) {}
  absl::StatusOr<size_t> Read(void* data, size_t n) override { return payload_.Read(data, n); }

 private:
  std::unique_ptr<stream::PrefixReader> rest_;
  PayloadReader payload_;
};

std::string Describe(const std::vector<Stanza>& stanzas) {
  size_t x25519 = 0, scrypt = 0;
  for (const Stanza& s : stanzas) {
    x25519 += s.args[0] == "X25519";
    scrypt += s.args[0] == "scrypt";
  }
  if (scrypt > 0) return "a passphrase";
  std::string d = absl::StrCat(x25519, " X25519 recipient", x25519 == 1 ? "" : "s");
  if (stanzas.size() > x25519) absl::StrAppend(&d, " and ", stanzas.size() - x25519, " of other types");
  return d;
}

}  // namespace

absl::StatusOr<std::unique_ptr<stream::Writer>> NewEncryptWriter(stream::Writer* next,
                                                                 const std::vector<Recipient>& recipients) {
  if (recipients.empty()) return absl::InvalidArgumentError("age: no recipient");
  for (const Recipient& r : recipients) {
    if (r.type == Recipient::Type::kScrypt && recipients.size() != 1) {
      return absl::InvalidArgumentError("a passphrase cannot be combined with other recipients");
    }
  }
  const std::string file_key = RandomBytes(kFileKeySize);
  std::vector<Stanza> stanzas;
  for (const Recipient& r : recipients) {
    KETCD_ASSIGN_OR_RETURN(Stanza s, Wrap(r, file_key));
    stanzas.push_back(std::move(s));
  }
  std::string header = EncodeHeaderWithoutMac(stanzas);
  absl::StrAppend(&header, " ", Base64Encode(HmacSha256(MacKey(file_key), header)), "\n");
  const std::string nonce = RandomBytes(kNonceSize);
  header += nonce;
  KETCD_RETURN_IF_ERROR(next->Write(header.data(), header.size()));
  return std::unique_ptr<stream::Writer>(std::make_unique<PayloadWriter>(next, file_key, nonce));
}

absl::StatusOr<std::unique_ptr<stream::Reader>> NewDecryptReader(stream::Reader* src,
                                                                 const std::vector<Identity>& identities,
                                                                 const std::string& name) {
  std::string buf;
  absl::StatusOr<Header> h = absl::OutOfRangeError("");
  while (absl::IsOutOfRange(h.status())) {
    if (buf.size() > kMaxHeader) return absl::DataLossError(absl::StrCat(name, ": the age header is too long"));
    const size_t old = buf.size();
    buf.resize(old + kReadPiece);
    KETCD_ASSIGN_OR_RETURN(size_t got, src->Read(buf.data() + old, kReadPiece));
    buf.resize(old + got);
    if (got == 0) return absl::DataLossError(absl::StrCat(name, ": the age file is truncated inside its header"));
    h = ParseHeader(buf);
  }
  if (!h.ok()) return absl::DataLossError(absl::StrCat(name, ": ", h.status().message()));

  std::optional<std::string> file_key;
  for (const Identity& id : identities) {
    auto key = Unwrap(id, h->stanzas);
    if (!key.ok()) return absl::DataLossError(absl::StrCat(name, ": ", key.status().message()));
    file_key = std::move(*key);
    if (file_key) break;
  }
  if (!file_key) {
    return absl::InvalidArgumentError(absl::StrCat(
        name, ": encrypted with age to ", Describe(h->stanzas), ", and none of the identities ",
        "or passphrases given opens it"));
  }
  const std::string mac = HmacSha256(MacKey(*file_key), std::string_view(buf).substr(0, h->mac_input));
  if (CRYPTO_memcmp(mac.data(), h->mac.data(), mac.size()) != 0) {
    return absl::DataLossError(absl::StrCat(name, ": the age header does not match its MAC (the file was altered)"));
  }
  auto rest = std::make_unique<stream::PrefixReader>(buf.substr(h->size), src);
  std::string nonce(kNonceSize, '\0');
  KETCD_ASSIGN_OR_RETURN(size_t got, stream::ReadFull(*rest, nonce.data(), nonce.size()));
  if (got != kNonceSize) return absl::DataLossError(absl::StrCat(name, ": the age file is truncated (no payload)"));
  return std::unique_ptr<stream::Reader>(std::make_unique<DecryptReader>(std::move(rest), *file_key, nonce, name));
}

}  // namespace ketcd::age
