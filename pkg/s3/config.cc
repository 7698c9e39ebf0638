#include "pkg/s3/config.h"

#include <arpa/inet.h>

#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "pkg/fsutil/file.h"

namespace ketcd::s3 {
namespace {

std::string Env(const Environment& env, const char* name) {
  std::optional<std::string> v = env.getenv(name);
  return v ? *v : std::string();
}

std::string FirstOf(std::initializer_list<std::string> values) {
  for (const std::string& v : values) {
    if (!v.empty()) return v;
  }
  return "";
}

std::string Home(const Environment& env) {
  std::string home = Env(env, "HOME");
  return home.empty() ? "/root" : home;
}

struct Profile {
  std::map<std::string, std::string> credentials;  // its section of the credentials file
  std::map<std::string, std::string> config;       // and of the config file
  std::string credentials_path, config_path;
  bool found = false;
};

absl::StatusOr<Profile> LoadProfile(const Environment& env, const std::string& name) {
  Profile p;
  p.credentials_path = FirstOf({Env(env, "AWS_SHARED_CREDENTIALS_FILE"), Home(env) + "/.aws/credentials"});
  p.config_path = FirstOf({Env(env, "AWS_CONFIG_FILE"), Home(env) + "/.aws/config"});
  KETCD_ASSIGN_OR_RETURN(std::optional<std::string> creds, env.read_file(p.credentials_path));
  if (creds) {
    if (auto s = IniSection(*creds, name)) {
      p.credentials = std::move(*s);
      p.found = true;
    }
  }
  KETCD_ASSIGN_OR_RETURN(std::optional<std::string> config, env.read_file(p.config_path));
  if (config) {
    auto s = IniSection(*config, name == "default" ? name : "profile " + name);
    if (!s && name == "default") s = IniSection(*config, "profile default");
    if (s) {
      p.config = std::move(*s);
      p.found = true;
    }
  }
  return p;
}

std::string Get(const std::map<std::string, std::string>& m, const std::string& key) {
  auto it = m.find(key);
  return it == m.end() ? "" : it->second;
}

absl::StatusOr<Credentials> ResolveCredentials(const Environment& env, const Profile& p, const std::string& profile,
                                               bool profile_flag) {
  Credentials c;
  std::string id = Env(env, "AWS_ACCESS_KEY_ID"), secret = Env(env, "AWS_SECRET_ACCESS_KEY");
  if (!profile_flag && (!id.empty() || !secret.empty())) {
    if (id.empty() || secret.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(id.empty() ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID",
                                                     " is set but ", id.empty() ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
                                                     " is not"));
    }
    c.access_key_id = id;
    c.secret_access_key = secret;
    c.session_token = Env(env, "AWS_SESSION_TOKEN");
    c.source = "environment (AWS_ACCESS_KEY_ID)";
    return c;
  }
  for (const auto* section : {&p.credentials, &p.config}) {
    std::string sid = Get(*section, "aws_access_key_id"), ssecret = Get(*section, "aws_secret_access_key");
    if (sid.empty() && ssecret.empty()) continue;
    const std::string& path = section == &p.credentials ? p.credentials_path : p.config_path;
    if (sid.empty() || ssecret.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("profile ", profile, " in ", path, " has ",
                                                     sid.empty() ? "aws_secret_access_key" : "aws_access_key_id",
                                                     " without ", sid.empty() ? "aws_access_key_id" : "aws_secret_access_key"));
    }
    c.access_key_id = sid;
    c.secret_access_key = ssecret;
    c.session_token = Get(*section, "aws_session_token");
    c.source = absl::StrCat(path, ", profile ", profile);
    return c;
  }
  if (profile_flag && !p.found) {
    return absl::InvalidArgumentError(absl::StrCat("profile ", profile, " is in neither ", p.credentials_path,
                                                   " nor ", p.config_path));
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "no S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or put aws_access_key_id and "
      "aws_secret_access_key under [", profile, "] in ", p.credentials_path,
      " (profile from --profile or AWS_PROFILE); credentials of instance roles and SSO are not read"));
}

bool IsIpLiteral(absl::string_view host) {
  std::string h(absl::StripSuffix(absl::StripPrefix(host, "["), "]"));
  unsigned char buf[16];
  return inet_pton(AF_INET, h.c_str(), buf) == 1 || inet_pton(AF_INET6, h.c_str(), buf) == 1;
}

// The host of scheme://host[:port][/...].
std::string HostOf(const std::string& endpoint) {
  absl::string_view rest = endpoint;
  size_t scheme = rest.find("://");
  if (scheme != absl::string_view::npos) rest.remove_prefix(scheme + 3);
  rest = rest.substr(0, rest.find('/'));
  if (absl::StartsWith(rest, "[")) return std::string(rest.substr(0, rest.find(']') + 1));
  return std::string(rest.substr(0, rest.rfind(':') == absl::string_view::npos ? rest.size() : rest.rfind(':')));
}

bool DnsCompatibleBucket(const std::string& bucket) {
  if (bucket.size() < 3 || bucket.size() > 63) return false;
  for (char c : bucket) {
    if (!(absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '-')) return false;
  }
  return bucket.front() != '-' && bucket.back() != '-';
}

}  // namespace

std::optional<std::map<std::string, std::string>> IniSection(const std::string& text, const std::string& section) {
  std::optional<std::map<std::string, std::string>> out;
  bool in = false;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    line = absl::StripSuffix(line, "\r");
    const bool indented = !line.empty() && (line[0] == ' ' || line[0] == '\t');
    absl::string_view t = absl::StripAsciiWhitespace(line);
    if (t.empty() || t[0] == '#' || t[0] == ';') continue;
    if (t[0] == '[') {
      if (t.back() != ']') continue;
      absl::string_view name = absl::StripAsciiWhitespace(t.substr(1, t.size() - 2));
      in = name == section;
      if (in && !out) out.emplace();
      continue;
    }
    if (!in || indented) continue;  // sub-keys of a nested setting ("s3 =\n  addressing_style = path")
    size_t eq = t.find('=');
    if (eq == absl::string_view::npos) continue;
    std::string key = absl::AsciiStrToLower(absl::StripAsciiWhitespace(t.substr(0, eq)));
    (*out)[key] = std::string(absl::StripAsciiWhitespace(t.substr(eq + 1)));
  }
  return out;
}

Environment Environment::Real() {
  Environment e;
  e.getenv = [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
  e.read_file = [](const std::string& path) -> absl::StatusOr<std::optional<std::string>> {
    if (!fsutil::PathExists(path)) return std::optional<std::string>();
    KETCD_ASSIGN_OR_RETURN(std::string text, fsutil::ReadFile(path));
    return std::optional<std::string>(std::move(text));
  };
  return e;
}

absl::StatusOr<Config> ResolveConfig(const ConfigFlags& flags, const Environment& env) {
  Config c;
  c.profile = FirstOf({flags.profile, Env(env, "AWS_PROFILE"), "default"});
  KETCD_ASSIGN_OR_RETURN(Profile p, LoadProfile(env, c.profile));
  KETCD_ASSIGN_OR_RETURN(c.credentials, ResolveCredentials(env, p, c.profile, !flags.profile.empty()));
  c.region = FirstOf({flags.region, Env(env, "AWS_REGION"), Env(env, "AWS_DEFAULT_REGION"), Get(p.config, "region"),
                      "us-east-1"});
  c.endpoint = FirstOf({flags.endpoint, Env(env, "AWS_ENDPOINT_URL_S3"), Env(env, "AWS_ENDPOINT_URL"),
                        Get(p.config, "endpoint_url"), absl::StrCat("https://s3.", c.region, ".amazonaws.com")});
  while (absl::EndsWith(c.endpoint, "/")) c.endpoint.pop_back();
  if (!absl::StartsWith(c.endpoint, "https://") && !absl::StartsWith(c.endpoint, "http://")) {
    return absl::InvalidArgumentError(
        absl::StrCat("S3 endpoint \"", c.endpoint, "\": want https://HOST[:PORT] (or http:// for a local test server)"));
  }
  if (HostOf(c.endpoint).empty()) return absl::InvalidArgumentError(absl::StrCat("S3 endpoint \"", c.endpoint, "\" has no host"));
  c.ca_bundle = FirstOf({flags.ca_bundle, Env(env, "AWS_CA_BUNDLE"), Get(p.config, "ca_bundle")});
  if (flags.addressing == "path") {
    c.addressing = Addressing::kPath;
  } else if (flags.addressing == "virtual") {
    c.addressing = Addressing::kVirtual;
  } else if (!flags.addressing.empty() && flags.addressing != "auto") {
    return absl::InvalidArgumentError(absl::StrCat("--s3-addressing \"", flags.addressing, "\": want path or virtual"));
  }
  return c;
}

bool UsePathStyle(const Config& config, const std::string& bucket) {
  if (config.addressing != Addressing::kAuto) return config.addressing == Addressing::kPath;
  std::string host = absl::AsciiStrToLower(HostOf(config.endpoint));
  if (IsIpLiteral(host) || host == "localhost" || absl::EndsWith(host, ".localhost")) return true;
  return !DnsCompatibleBucket(bucket);
}

}  // namespace ketcd::s3
