#pragma once
// The kube-apiserver's encryption at rest configuration (--encryption-provider-config):
// which providers and keys encrypt which resources. Format: README.md.
//
//   KETCD_ASSIGN_OR_RETURN(EncryptionConfig c, EncryptionConfig::Load("/etc/kubernetes/enc.yaml"));
//   for (const ProviderConfig* p : c.ProvidersFor("", "secrets")) ...

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace ketcd::atrest {

enum class Provider { kIdentity, kAesCbc, kAesGcm, kSecretbox, kKms };
// The provider's name in the configuration and in the stored prefix: "aescbc", "kms"...
const char* ProviderName(Provider p);

// Key bytes, wiped when released. Never printed: errors name keys, not their secrets.
class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(std::string bytes) : bytes_(std::move(bytes)) {}
  SecretBytes(const SecretBytes& other) = default;
  SecretBytes(SecretBytes&& other) noexcept : bytes_(std::move(other.bytes_)) { other.Wipe(); }
  SecretBytes& operator=(const SecretBytes& other);
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  ~SecretBytes() { Wipe(); }
  std::string_view view() const { return bytes_; }
  size_t size() const { return bytes_.size(); }

 private:
  void Wipe();
  std::string bytes_;
};

struct NamedKey {
  std::string name;
  SecretBytes secret;  // decoded from base64
};

struct ProviderConfig {
  Provider provider = Provider::kIdentity;
  std::vector<NamedKey> keys;   // aescbc, aesgcm, secretbox
  std::string kms_name;         // kms
  std::string kms_api_version;  // kms: "v1" (the default) or "v2"
};

// A "resource" of the configuration: "secrets", "deployments.apps", "*.apps", "*.", "*.*".
struct GroupResource {
  std::string group;     // "" for the core group; "*" for any
  std::string resource;  // "*" for any
};

struct ResourceRule {
  std::vector<GroupResource> resources;
  std::vector<ProviderConfig> providers;  // in the order the file lists them
};

class EncryptionConfig {
 public:
  // apiVersion apiserver.config.k8s.io/v1 kind EncryptionConfiguration, or the older
  // apiVersion v1 kind EncryptionConfig. InvalidArgument naming what is wrong (never a
  // secret's value).
  static absl::StatusOr<EncryptionConfig> Parse(std::string_view text);
  // Parse of a file; NotFound when it is missing, errors prefixed with the path.
  static absl::StatusOr<EncryptionConfig> Load(const std::string& path);

  // The providers the API server uses for a resource, in its order: those of every rule
  // naming the resource exactly, else of "*.group", else of "*.*". Empty: not encrypted.
  std::vector<const ProviderConfig*> ProvidersFor(std::string_view group, std::string_view resource) const;
  // Every provider of the file, rule by rule.
  std::vector<const ProviderConfig*> AllProviders() const;
  const std::vector<ResourceRule>& rules() const { return rules_; }

 private:
  std::vector<ResourceRule> rules_;
};

}  // namespace ketcd::atrest
