#include "pkg/age/crypto.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <cstdlib>
#include <cstring>
#include <memory>

#include "absl/strings/str_cat.h"

namespace ketcd::age {
namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
struct KdfFree {
  void operator()(EVP_KDF_CTX* p) const { EVP_KDF_CTX_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

const unsigned char* U(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

absl::StatusOr<std::string> Kdf(const char* name, OSSL_PARAM* params, size_t out_len) {
  EVP_KDF* kdf = EVP_KDF_fetch(nullptr, name, nullptr);
  if (kdf == nullptr) return absl::InternalError(absl::StrCat("OpenSSL has no ", name));
  std::unique_ptr<EVP_KDF_CTX, KdfFree> ctx(EVP_KDF_CTX_new(kdf));
  EVP_KDF_free(kdf);
  std::string out(out_len, '\0');
  if (!ctx || EVP_KDF_derive(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), out_len, params) != 1) {
    return absl::InternalError(absl::StrCat(name, " failed"));
  }
  return out;
}

}  // namespace

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) std::abort();
  return out;
}

absl::StatusOr<std::string> X25519(std::string_view scalar, std::string_view point) {
  if (scalar.size() != 32 || point.size() != 32) return absl::InternalError("X25519: wrong key size");
  Pkey priv(EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, U(scalar), 32));
  Pkey peer(EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nullptr, U(point), 32));
  if (!priv || !peer) return absl::InternalError("X25519: bad key");
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> ctx(EVP_PKEY_CTX_new(priv.get(), nullptr));
  std::string out(32, '\0');
  size_t len = out.size();
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 || EVP_PKEY_derive_set_peer(ctx.get(), peer.get()) != 1 ||
      EVP_PKEY_derive(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len) != 1 || len != 32) {
    return absl::InternalError("X25519 failed");
  }
  static const std::string kZero(32, '\0');
  if (CRYPTO_memcmp(out.data(), kZero.data(), 32) == 0) return absl::InternalError("X25519: all-zero result");
  return out;
}

absl::StatusOr<std::string> X25519Base(std::string_view scalar) {
  if (scalar.size() != 32) return absl::InternalError("X25519: wrong key size");
  Pkey priv(EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, U(scalar), 32));
  std::string out(32, '\0');
  size_t len = out.size();
  if (!priv || EVP_PKEY_get_raw_public_key(priv.get(), reinterpret_cast<unsigned char*>(out.data()), &len) != 1) {
    return absl::InternalError("X25519: cannot compute the public key");
  }
  return out;
}

std::string HkdfSha256(std::string_view ikm, std::string_view salt, std::string_view info) {
  char digest[] = "SHA256";
  OSSL_PARAM params[5];
  int i = 0;
  params[i++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0);
  params[i++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<char*>(ikm.data()), ikm.size());
  // An absent salt is HKDF's zero-length salt (RFC 5869: HashLen zero bytes).
  if (!salt.empty()) {
    params[i++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<char*>(salt.data()), salt.size());
  }
  params[i++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, const_cast<char*>(info.data()), info.size());
  params[i] = OSSL_PARAM_construct_end();
  auto out = Kdf("HKDF", params, 32);
  if (!out.ok()) std::abort();  // HKDF-SHA256 is in every OpenSSL 3 default provider
  return *out;
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  std::string out(32, '\0');
  unsigned int len = 32;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), U(data), data.size(),
           reinterpret_cast<unsigned char*>(out.data()), &len) == nullptr) {
    std::abort();
  }
  return out;
}

absl::StatusOr<std::string> Scrypt(std::string_view passphrase, std::string_view salt, int log_n) {
  uint64_t n = uint64_t{1} << log_n;
  uint32_t r = 8, p = 1;
  uint64_t maxmem = 128 * uint64_t{r} * n + (uint64_t{64} << 20);
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD, const_cast<char*>(passphrase.data()),
                                        passphrase.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<char*>(salt.data()), salt.size()),
      OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n),
      OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r),
      OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p),
      OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM, &maxmem),
      OSSL_PARAM_construct_end(),
  };
  return Kdf("SCRYPT", params, 32);
}

ChaChaPoly::ChaChaPoly(std::string_view key) : ctx_(EVP_CIPHER_CTX_new()) {
  if (ctx_ == nullptr || key.size() != 32) std::abort();
  std::memcpy(key_, key.data(), 32);
}

ChaChaPoly::~ChaChaPoly() {
  OPENSSL_cleanse(key_, sizeof key_);
  EVP_CIPHER_CTX_free(static_cast<EVP_CIPHER_CTX*>(ctx_));
}

void ChaChaPoly::Seal(const unsigned char nonce[12], const void* in, size_t n, unsigned char* out) {
  auto* ctx = static_cast<EVP_CIPHER_CTX*>(ctx_);
  int len = 0;
  if (EVP_EncryptInit_ex(ctx, EVP_chacha20_poly1305(), nullptr, key_, nonce) != 1 ||
      (n > 0 && EVP_EncryptUpdate(ctx, out, &len, static_cast<const unsigned char*>(in), static_cast<int>(n)) != 1) ||
      EVP_EncryptFinal_ex(ctx, out + len, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, kTagSize, out + n) != 1) {
    std::abort();
  }
}

bool ChaChaPoly::Open(const unsigned char nonce[12], const void* in, size_t n, unsigned char* out) {
  if (n < kTagSize) return false;
  auto* ctx = static_cast<EVP_CIPHER_CTX*>(ctx_);
  const auto* p = static_cast<const unsigned char*>(in);
  const size_t body = n - kTagSize;
  int len = 0;
  if (EVP_DecryptInit_ex(ctx, EVP_chacha20_poly1305(), nullptr, key_, nonce) != 1) return false;
  if (body > 0 && EVP_DecryptUpdate(ctx, out, &len, p, static_cast<int>(body)) != 1) return false;
  if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, kTagSize, const_cast<unsigned char*>(p + body)) != 1) {
    return false;
  }
  unsigned char end[16];
  return EVP_DecryptFinal_ex(ctx, end, &len) == 1;
}

std::string SealZeroNonce(std::string_view key, std::string_view plain) {
  static constexpr unsigned char kNonce[12] = {};
  ChaChaPoly c(key);
  std::string out(plain.size() + kTagSize, '\0');
  c.Seal(kNonce, plain.data(), plain.size(), reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

std::optional<std::string> OpenZeroNonce(std::string_view key, std::string_view sealed) {
  static constexpr unsigned char kNonce[12] = {};
  if (sealed.size() < kTagSize) return std::nullopt;
  ChaChaPoly c(key);
  std::string out(sealed.size() - kTagSize, '\0');
  if (!c.Open(kNonce, sealed.data(), sealed.size(), reinterpret_cast<unsigned char*>(out.data()))) {
    return std::nullopt;
  }
  return out;
}

}  // namespace ketcd::age
