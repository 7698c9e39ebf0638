#pragma once
// Where S3 is and who we are, resolved the way the AWS CLI does, from flags, environment
// variables and the shared files, first found wins:
//   profile      --profile, AWS_PROFILE, "default"
//   credentials  AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN), unless
//                --profile was given; then the profile in the shared credentials file
//                (AWS_SHARED_CREDENTIALS_FILE, ~/.aws/credentials: [NAME]), then in the config
//                file (AWS_CONFIG_FILE, ~/.aws/config: [default] or [profile NAME])
//   region       --s3-region, AWS_REGION, AWS_DEFAULT_REGION, `region` of the profile, us-east-1
//   endpoint     --s3-endpoint, AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, `endpoint_url` of the
//                profile, else https://s3.REGION.amazonaws.com
//   CA bundle    --s3-ca-bundle, AWS_CA_BUNDLE, `ca_bundle` of the profile, else the system's
//   addressing   --s3-addressing path|virtual, else path-style for an IP address or localhost
//                endpoint (and for a bucket name that is not a DNS label), virtual-host otherwise
// Proxies: libcurl reads https_proxy, http_proxy and no_proxy itself. Secrets never appear in
// messages; `source` says where the credentials came from.
// The environment and the files come through Environment, so tests give their own.

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "pkg/base/status.h"

namespace ketcd::s3 {

enum class Addressing { kAuto, kPath, kVirtual };

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // temporary credentials: sent as x-amz-security-token
  std::string source;         // "environment", "shared credentials file /root/.aws/credentials, profile x"
};

struct Config {
  std::string endpoint;  // scheme://host[:port], no trailing slash
  std::string region;
  Addressing addressing = Addressing::kAuto;
  std::string ca_bundle;  // "" = the system's trust store
  std::string profile;
  Credentials credentials;
};

struct ConfigFlags {
  std::string endpoint = "";
  std::string region = "";
  std::string ca_bundle = "";
  std::string profile = "";
  std::string addressing = "";  // "", "path" or "virtual"
};

struct Environment {
  std::function<std::optional<std::string>(const std::string& name)> getenv;
  // The file's content; nullopt when it does not exist.
  std::function<absl::StatusOr<std::optional<std::string>>(const std::string& path)> read_file;
  static Environment Real();
};

absl::StatusOr<Config> ResolveConfig(const ConfigFlags& flags, const Environment& env);

// Path-style requests ("https://host/bucket/key") for `bucket` under `config`?
bool UsePathStyle(const Config& config, const std::string& bucket);

// The keys of one section of an AWS shared file (INI: "[name]", "key = value", '#' and ';'
// comments; indented sub-keys of a nested setting are skipped). nullopt when the section
// is not there.
std::optional<std::map<std::string, std::string>> IniSection(const std::string& text, const std::string& section);

}  // namespace ketcd::s3
