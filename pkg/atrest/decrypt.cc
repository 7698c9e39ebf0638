#include "pkg/atrest/decrypt.h"

#include <openssl/evp.h>
#include <sodium.h>

#include <memory>

#include "absl/strings/str_cat.h"
#include "pkg/k8sobjects/envelope.h"

namespace ketcd::atrest {
namespace {

constexpr size_t kAesBlock = 16;
constexpr size_t kGcmNonce = 12;  // crypto/cipher.NewGCM's standard nonce
constexpr size_t kGcmTag = 16;
constexpr size_t kSecretboxNonce = 24;

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

const EVP_CIPHER* AesCipher(size_t key_size, bool gcm) {
  switch (key_size) {
    case 16:
      return gcm ? EVP_aes_128_gcm() : EVP_aes_128_cbc();
    case 24:
      return gcm ? EVP_aes_192_gcm() : EVP_aes_192_cbc();
    case 32:
      return gcm ? EVP_aes_256_gcm() : EVP_aes_256_cbc();
    default:
      return nullptr;
  }
}

const uint8_t* U8(std::string_view s) { return reinterpret_cast<const uint8_t*>(s.data()); }

// IV (16 bytes) then the ciphertext, PKCS#7-padded (k8s.io/apiserver encrypt/aes cbc).
absl::StatusOr<std::string> OpenCbc(std::string_view key, std::string_view data) {
  if (data.size() < kAesBlock) return absl::DataLossError("aescbc: shorter than its IV");
  std::string_view iv = data.substr(0, kAesBlock), body = data.substr(kAesBlock);
  if (body.empty() || body.size() % kAesBlock != 0) {
    return absl::DataLossError("aescbc: ciphertext is not a whole number of blocks");
  }
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  std::string out(body.size(), '\0');
  int n = 0;
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), AesCipher(key.size(), false), nullptr, U8(key), U8(iv)) != 1 ||
      EVP_CIPHER_CTX_set_padding(ctx.get(), 0) != 1 ||
      EVP_DecryptUpdate(ctx.get(), reinterpret_cast<uint8_t*>(out.data()), &n, U8(body),
                        static_cast<int>(body.size())) != 1) {
    return absl::InternalError("aescbc: OpenSSL could not decrypt");
  }
  // PKCS#7, checked as the API server checks it.
  uint8_t pad = static_cast<uint8_t>(out.back());
  if (pad == 0 || pad > out.size()) return absl::DataLossError("aescbc: bad padding (wrong key or damaged value)");
  for (size_t i = out.size() - pad; i < out.size(); i++) {
    if (static_cast<uint8_t>(out[i]) != pad) {
      return absl::DataLossError("aescbc: bad padding (wrong key or damaged value)");
    }
  }
  out.resize(out.size() - pad);
  return out;
}

// Nonce (12 bytes), ciphertext, tag (16 bytes); the etcd key is the additional data.
absl::StatusOr<std::string> OpenGcm(std::string_view key, std::string_view data, std::string_view aad) {
  if (data.size() < kGcmNonce + kGcmTag) return absl::DataLossError("aesgcm: shorter than its nonce and tag");
  std::string_view nonce = data.substr(0, kGcmNonce);
  std::string_view body = data.substr(kGcmNonce, data.size() - kGcmNonce - kGcmTag);
  std::string tag(data.substr(data.size() - kGcmTag));
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  std::string out(body.size(), '\0');
  int n = 0;
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), AesCipher(key.size(), true), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(kGcmNonce), nullptr) != 1 ||
      EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, U8(key), U8(nonce)) != 1 ||
      (!aad.empty() && EVP_DecryptUpdate(ctx.get(), nullptr, &n, U8(aad), static_cast<int>(aad.size())) != 1) ||
      EVP_DecryptUpdate(ctx.get(), reinterpret_cast<uint8_t*>(out.data()), &n, U8(body),
                        static_cast<int>(body.size())) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kGcmTag), tag.data()) != 1) {
    return absl::InternalError("aesgcm: OpenSSL could not decrypt");
  }
  int last = 0;
  if (EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<uint8_t*>(out.data()) + n, &last) != 1) {
    return absl::DataLossError("aesgcm: authentication failed (wrong key, or the value was moved or damaged)");
  }
  return out;
}

// Nonce (24 bytes), then NaCl secretbox (Poly1305 tag, XSalsa20 ciphertext).
absl::StatusOr<std::string> OpenSecretbox(std::string_view key, std::string_view data) {
  if (data.size() < kSecretboxNonce + crypto_secretbox_MACBYTES) {
    return absl::DataLossError("secretbox: shorter than its nonce and tag");
  }
  if (sodium_init() < 0) return absl::InternalError("libsodium could not start");
  std::string_view nonce = data.substr(0, kSecretboxNonce), box = data.substr(kSecretboxNonce);
  std::string out(box.size() - crypto_secretbox_MACBYTES, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<uint8_t*>(out.data()), U8(box), box.size(), U8(nonce), U8(key)) !=
      0) {
    return absl::DataLossError("secretbox: authentication failed (wrong key or damaged value)");
  }
  return out;
}

const NamedKey* FindKey(const std::vector<const ProviderConfig*>& providers, Provider want, std::string_view name) {
  for (const ProviderConfig* p : providers) {
    if (p->provider != want) continue;
    for (const NamedKey& k : p->keys) {
      if (k.name == name) return &k;
    }
  }
  return nullptr;
}

}  // namespace

absl::StatusOr<std::string> OpenPayload(Provider provider, std::string_view key, std::string_view payload,
                                        std::string_view authenticated_data) {
  switch (provider) {
    case Provider::kAesCbc:
      if (AesCipher(key.size(), false) == nullptr) return absl::InvalidArgumentError("AES key of a bad size");
      return OpenCbc(key, payload);
    case Provider::kAesGcm:
      if (AesCipher(key.size(), true) == nullptr) return absl::InvalidArgumentError("AES key of a bad size");
      return OpenGcm(key, payload, authenticated_data);
    case Provider::kSecretbox:
      if (key.size() != crypto_secretbox_KEYBYTES) return absl::InvalidArgumentError("secretbox key is not 32 bytes");
      return OpenSecretbox(key, payload);
    case Provider::kKms:
      return absl::UnimplementedError("kms: the key is held by the KMS plugin");
    case Provider::kIdentity:
      break;
  }
  return std::string(payload);
}

absl::StatusOr<std::string> Decrypt(const EncryptionConfig& config, std::string_view group, std::string_view resource,
                                    std::string_view etcd_key, std::string_view value) {
  auto env = k8sobjects::ParseEnvelope(value);
  if (!env.ok()) return absl::InvalidArgumentError(env.status().message());
  if (env->encoding != k8sobjects::Encoding::kEncrypted) return absl::InvalidArgumentError("not an encrypted value");
  std::string what = absl::StrCat(std::string(env->provider), " key \"", std::string(env->key_name), "\"");
  Provider provider;
  if (env->provider == "aescbc" && env->provider_version == "v1") {
    provider = Provider::kAesCbc;
  } else if (env->provider == "aesgcm" && env->provider_version == "v1") {
    provider = Provider::kAesGcm;
  } else if (env->provider == "secretbox" && env->provider_version == "v1") {
    provider = Provider::kSecretbox;
  } else if (env->provider == "kms") {
    return absl::UnimplementedError(absl::StrCat("encrypted by KMS ", std::string(env->provider_version), " plugin \"",
                                                 std::string(env->key_name), "\": only the plugin can decrypt it"));
  } else {
    return absl::UnimplementedError(absl::StrCat("unknown encryption provider \"", std::string(env->provider), "\" ",
                                                 std::string(env->provider_version)));
  }
  const NamedKey* key = FindKey(config.ProvidersFor(group, resource), provider, env->key_name);
  if (key == nullptr) key = FindKey(config.AllProviders(), provider, env->key_name);
  if (key == nullptr) return absl::NotFoundError(absl::StrCat(what, " is not in the encryption config"));
  auto plain = OpenPayload(provider, key->secret.view(), env->ciphertext, etcd_key);
  if (!plain.ok()) return absl::Status(plain.status().code(), absl::StrCat(what, ": ", plain.status().message()));
  return plain;
}

}  // namespace ketcd::atrest
