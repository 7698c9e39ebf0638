#include "pkg/atrest/config.h"

#include <openssl/crypto.h>
#include <yaml-cpp/yaml.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "pkg/base/status.h"
#include "pkg/fsutil/file.h"

namespace ketcd::atrest {
namespace {

std::string Str(const YAML::Node& n) { return n && n.IsScalar() ? n.as<std::string>() : ""; }

// k8s.io/apimachinery schema.ParseGroupResource: "resource[.group]", split at the first dot.
GroupResource ParseGroupResource(const std::string& s) {
  size_t dot = s.find('.');
  if (dot == std::string::npos) return {"", s};
  return {s.substr(dot + 1), s.substr(0, dot)};
}

absl::StatusOr<std::vector<NamedKey>> ParseKeys(const YAML::Node& n, const std::string& where) {
  if (!n["keys"] || !n["keys"].IsSequence() || n["keys"].size() == 0) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": no keys"));
  }
  std::vector<NamedKey> keys;
  for (const YAML::Node& k : n["keys"]) {
    NamedKey key;
    key.name = Str(k["name"]);
    if (key.name.empty()) return absl::InvalidArgumentError(absl::StrCat(where, ": a key without a name"));
    std::string bytes;
    if (!absl::Base64Unescape(Str(k["secret"]), &bytes) || bytes.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": the secret of key \"", key.name, "\" is not base64 of a key"));
    }
    key.secret = SecretBytes(std::move(bytes));
    keys.push_back(std::move(key));
  }
  return keys;
}

// The one provider a list item configures.
absl::StatusOr<ProviderConfig> ParseProvider(const YAML::Node& n, const std::string& where) {
  if (!n.IsMap() || n.size() != 1) {
    return absl::InvalidArgumentError(absl::StrCat(where,
                                                   ": expected exactly one of aescbc, aesgcm, secretbox, "
                                                   "kms, identity"));
  }
  // Copies: the pair lives in the iterator, a temporary here.
  const YAML::const_iterator only = n.begin();
  const std::string type = only->first.as<std::string>();
  const YAML::Node body = only->second;
  ProviderConfig p;
  std::string at = absl::StrCat(where, ".", type);
  if (type == "identity") return p;
  if (type == "kms") {
    p.provider = Provider::kKms;
    p.kms_name = Str(body["name"]);
    p.kms_api_version = Str(body["apiVersion"]).empty() ? "v1" : Str(body["apiVersion"]);
    if (p.kms_name.empty()) return absl::InvalidArgumentError(absl::StrCat(at, ": no name"));
    return p;
  }
  size_t want_size = 0;  // 0: 16, 24 or 32 bytes
  if (type == "aescbc") {
    p.provider = Provider::kAesCbc;
  } else if (type == "aesgcm") {
    p.provider = Provider::kAesGcm;
  } else if (type == "secretbox") {
    p.provider = Provider::kSecretbox;
    want_size = 32;
  } else {
    return absl::InvalidArgumentError(absl::StrCat(where, ": unknown provider \"", type, "\""));
  }
  KETCD_ASSIGN_OR_RETURN(p.keys, ParseKeys(body, at));
  for (const NamedKey& k : p.keys) {
    size_t n_bytes = k.secret.size();
    bool ok = want_size ? n_bytes == want_size : (n_bytes == 16 || n_bytes == 24 || n_bytes == 32);
    if (!ok) {
      return absl::InvalidArgumentError(absl::StrCat(at, ": key \"", k.name, "\" is ", n_bytes, " bytes; ", type,
                                                     want_size ? " takes 32" : " takes 16, 24 or 32"));
    }
  }
  return p;
}

absl::StatusOr<std::vector<ResourceRule>> ParseRules(const YAML::Node& root) {
  const YAML::Node& resources = root["resources"];
  if (!resources || !resources.IsSequence()) return absl::InvalidArgumentError("no \"resources\" list");
  std::vector<ResourceRule> rules;
  for (size_t i = 0; i < resources.size(); i++) {
    const YAML::Node& r = resources[i];
    std::string where = absl::StrCat("resources[", i, "]");
    ResourceRule rule;
    if (!r.IsMap() || !r["resources"] || !r["resources"].IsSequence()) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": no \"resources\" list"));
    }
    for (const YAML::Node& name : r["resources"]) rule.resources.push_back(ParseGroupResource(Str(name)));
    if (!r["providers"] || !r["providers"].IsSequence() || r["providers"].size() == 0) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": no \"providers\" list"));
    }
    for (size_t j = 0; j < r["providers"].size(); j++) {
      KETCD_ASSIGN_OR_RETURN(ProviderConfig p,
                             ParseProvider(r["providers"][j], absl::StrCat(where, ".providers[", j, "]")));
      rule.providers.push_back(std::move(p));
    }
    rules.push_back(std::move(rule));
  }
  return rules;
}

}  // namespace

const char* ProviderName(Provider p) {
  switch (p) {
    case Provider::kIdentity:
      return "identity";
    case Provider::kAesCbc:
      return "aescbc";
    case Provider::kAesGcm:
      return "aesgcm";
    case Provider::kSecretbox:
      return "secretbox";
    case Provider::kKms:
      return "kms";
  }
  return "identity";
}

SecretBytes& SecretBytes::operator=(const SecretBytes& other) {
  if (this != &other) {
    Wipe();
    bytes_ = other.bytes_;
  }
  return *this;
}

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    Wipe();
    bytes_ = std::move(other.bytes_);
    other.Wipe();
  }
  return *this;
}

void SecretBytes::Wipe() {
  if (!bytes_.empty()) OPENSSL_cleanse(bytes_.data(), bytes_.size());
  bytes_.clear();
}

absl::StatusOr<EncryptionConfig> EncryptionConfig::Parse(std::string_view text) {
  EncryptionConfig c;
  try {
    YAML::Node root = YAML::Load(std::string(text));
    if (!root.IsMap()) return absl::InvalidArgumentError("not a YAML or JSON object");
    std::string api_version = Str(root["apiVersion"]), kind = Str(root["kind"]);
    bool current = api_version == "apiserver.config.k8s.io/v1" && kind == "EncryptionConfiguration";
    bool legacy = api_version == "v1" && (kind == "EncryptionConfig" || kind == "EncryptionConfiguration");
    if (!current && !legacy) {
      return absl::InvalidArgumentError(absl::StrCat("apiVersion \"", api_version, "\" kind \"", kind,
                                                     "\" is not an EncryptionConfiguration "
                                                     "(apiserver.config.k8s.io/v1)"));
    }
    KETCD_ASSIGN_OR_RETURN(c.rules_, ParseRules(root));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("not valid YAML: ", e.what()));
  }
  return c;
}

absl::StatusOr<EncryptionConfig> EncryptionConfig::Load(const std::string& path) {
  auto text = fsutil::ReadFile(path);
  if (!text.ok()) return text.status();
  auto c = Parse(*text);
  if (!c.ok())
    return absl::Status(c.status().code(), absl::StrCat("encryption config \"", path, "\": ", c.status().message()));
  return c;
}

std::vector<const ProviderConfig*> EncryptionConfig::ProvidersFor(std::string_view group,
                                                                  std::string_view resource) const {
  for (const GroupResource& want : {GroupResource{std::string(group), std::string(resource)},
                                    GroupResource{std::string(group), "*"}, GroupResource{"*", "*"}}) {
    std::vector<const ProviderConfig*> out;
    for (const ResourceRule& rule : rules_) {
      for (const GroupResource& gr : rule.resources) {
        if (gr.group != want.group || gr.resource != want.resource) continue;
        for (const ProviderConfig& p : rule.providers) out.push_back(&p);
      }
    }
    if (!out.empty()) return out;
  }
  return {};
}

std::vector<const ProviderConfig*> EncryptionConfig::AllProviders() const {
  std::vector<const ProviderConfig*> out;
  for (const ResourceRule& rule : rules_) {
    for (const ProviderConfig& p : rule.providers) out.push_back(&p);
  }
  return out;
}

}  // namespace ketcd::atrest
