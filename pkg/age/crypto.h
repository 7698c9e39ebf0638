#pragma once
// The primitives age is built from, all from OpenSSL 3: X25519, HKDF-SHA-256, HMAC-SHA-256,
// ChaCha20-Poly1305 and scrypt. Keys are std::string byte strings.

#include <optional>
#include <string>
#include <string_view>

#include "pkg/base/status.h"

namespace ketcd::age {

inline constexpr size_t kTagSize = 16;  // Poly1305

std::string RandomBytes(size_t n);
// X25519(scalar, point); Internal on an OpenSSL failure, which includes the all-zero result
// of a low-order point (the caller reports that as a bad file).
absl::StatusOr<std::string> X25519(std::string_view scalar, std::string_view point);
absl::StatusOr<std::string> X25519Base(std::string_view scalar);
// 32 bytes.
std::string HkdfSha256(std::string_view ikm, std::string_view salt, std::string_view info);
std::string HmacSha256(std::string_view key, std::string_view data);
// Scrypt with r = 8, p = 1, 32 bytes out, N = 2^log_n.
absl::StatusOr<std::string> Scrypt(std::string_view passphrase, std::string_view salt, int log_n);

// ChaCha20-Poly1305 with a reusable context: 32-byte key, 12-byte nonce, no associated data.
class ChaChaPoly {
 public:
  explicit ChaChaPoly(std::string_view key);
  ~ChaChaPoly();
  ChaChaPoly(const ChaChaPoly&) = delete;
  ChaChaPoly& operator=(const ChaChaPoly&) = delete;
  // out gets n + kTagSize bytes.
  void Seal(const unsigned char nonce[12], const void* in, size_t n, unsigned char* out);
  // in has n bytes, tag included; out gets n - kTagSize bytes. False when it does not authenticate.
  bool Open(const unsigned char nonce[12], const void* in, size_t n, unsigned char* out);

 private:
  void* ctx_;
  unsigned char key_[32];
};

// One-shot forms with the all-zero nonce (age's stanza bodies).
std::string SealZeroNonce(std::string_view key, std::string_view plain);
std::optional<std::string> OpenZeroNonce(std::string_view key, std::string_view sealed);

}  // namespace ketcd::age
