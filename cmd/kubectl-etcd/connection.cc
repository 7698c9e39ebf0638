#include "cmd/kubectl-etcd/connection.h"

#include <cstdlib>
#include <tuple>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "pkg/fsutil/file.h"

namespace ketcd::cmd {

void AddConnectionFlags(cxxopts::Options& options) {
  // clang-format off
  options.add_options("Connection")
      ("endpoints", "etcd client URLs, comma-separated (default: discovered on this host)",
       cxxopts::value<std::string>())
      ("cacert", "CA bundle that signed the etcd server certificate", cxxopts::value<std::string>())
      ("cert", "Client certificate", cxxopts::value<std::string>())
      ("key", "Client private key", cxxopts::value<std::string>())
      ("user", "etcd user name, or name:password", cxxopts::value<std::string>())
      ("password", "etcd password (with --user; visible to other local users: prefer --password-file or "
                   "$ETCDCTL_PASSWORD)", cxxopts::value<std::string>())
      ("password-file", "File holding the etcd password (with --user; one trailing newline is ignored)",
       cxxopts::value<std::string>())
      ("insecure-skip-tls-verify", "Do not verify the server certificate (never the default)")
      ("manifest", "etcd static-pod manifest to read the connection from", cxxopts::value<std::string>())
      ("host-root", "Prefix for every host path (e.g. /host in a debug pod)",
       cxxopts::value<std::string>()->default_value("/"))
      ("dial-timeout", "Seconds to wait for a connection", cxxopts::value<double>()->default_value("5"));
  // clang-format on
}

namespace {

// --user NAME[:PASSWORD]; the password from --password, --password-file, the NAME:PASSWORD
// form, or $ETCDCTL_PASSWORD (etcdctl's variable), first found wins.
absl::Status ApplyCredentials(const cxxopts::ParseResult& flags, etcdclient::ConnectionConfig* config) {
  auto str = [&](const char* name) { return flags.count(name) ? flags[name].as<std::string>() : std::string(); };
  if (flags.count("password") && flags.count("password-file")) {
    return absl::InvalidArgumentError("--password and --password-file cannot be given together");
  }
  std::string user = str("user");
  std::optional<std::string> password;
  if (size_t colon = user.find(':'); colon != std::string::npos) {
    password = user.substr(colon + 1);
    user.resize(colon);
  }
  const char* given = flags.count("password") ? "--password" : flags.count("password-file") ? "--password-file" : "";
  if (flags.count("password")) password = str("password");
  if (flags.count("password-file")) {
    auto text = fsutil::ReadFile(str("password-file"));
    if (!text.ok()) {
      return absl::Status(text.status().code(), absl::StrCat("--password-file: ", text.status().message()));
    }
    absl::string_view p = *text;
    if (absl::EndsWith(p, "\n")) {
      p.remove_suffix(1);
      if (absl::EndsWith(p, "\r")) p.remove_suffix(1);
    }
    password = std::string(p);
  }
  if (user.empty() && (*given != '\0' || (password && !password->empty()))) {
    return absl::InvalidArgumentError(absl::StrCat(*given != '\0' ? given : "--password", " needs --user"));
  }
  const char* env = std::getenv("ETCDCTL_PASSWORD");
  if (!password && !user.empty() && env != nullptr) password = env;
  config->user = user;
  config->password = password.value_or("");
  return absl::OkStatus();
}

}  // namespace

std::string HostRoot(const cxxopts::ParseResult& flags) { return flags["host-root"].as<std::string>(); }

discovery::Options DiscoveryOptions(const cxxopts::ParseResult& flags) {
  auto str = [&](const char* name) { return flags.count(name) ? flags[name].as<std::string>() : std::string(); };
  discovery::Options opts;
  opts.host_root = HostRoot(flags);
  if (flags.count("manifest")) opts.manifest = discovery::UnderRoot(opts.host_root, str("manifest"));
  opts.kubeconfig = str("kubeconfig");
  opts.context = str("context");
  return opts;
}

absl::StatusOr<Connection> ResolveConnection(const cxxopts::ParseResult& flags) {
  std::optional<discovery::EtcdTarget> target;
  if (!flags.count("endpoints")) {
    KETCD_ASSIGN_OR_RETURN(target, discovery::Discover(DiscoveryOptions(flags)));
  }
  return ConnectionFrom(flags, std::move(target));
}

absl::StatusOr<Connection> ConnectionFrom(const cxxopts::ParseResult& flags,
                                          std::optional<discovery::EtcdTarget> target) {
  Connection c;
  auto str = [&](const char* name) { return flags.count(name) ? flags[name].as<std::string>() : std::string(); };
  std::string endpoints = str("endpoints");
  if (target) {
    if (endpoints.empty()) {
      endpoints = absl::StrJoin(target->endpoints, ",");
    } else {
      target->endpoints = absl::StrSplit(endpoints, ',', absl::SkipWhitespace());
      target->origin["endpoints"] = "--endpoints flag";
    }
    // Explicit flags win; the target shows the values in effect and says so.
    for (auto [flag, field, value] : {std::tuple{"cacert", "ca_file", &target->ca_file},
                                      {"cert", "cert_file", &target->cert_file},
                                      {"key", "key_file", &target->key_file}}) {
      if (!flags.count(flag)) continue;
      *value = str(flag);
      target->origin[field] = absl::StrCat("--", flag, " flag");
    }
    c.config.tls.ca_file = target->ca_file;
    c.config.tls.cert_file = target->cert_file;
    c.config.tls.key_file = target->key_file;
    c.discovered = std::move(target);
  }
  if (endpoints.empty()) return absl::InvalidArgumentError("no etcd endpoints: pass --endpoints");
  if (flags.count("cacert")) c.config.tls.ca_file = str("cacert");
  if (flags.count("cert")) c.config.tls.cert_file = str("cert");
  if (flags.count("key")) c.config.tls.key_file = str("key");
  c.config.tls.insecure_skip_verify = flags.count("insecure-skip-tls-verify") > 0;
  bool default_tls = !c.config.tls.ca_file.empty() || !c.config.tls.cert_file.empty();
  KETCD_ASSIGN_OR_RETURN(c.config.endpoints, etcdclient::ParseEndpoints(endpoints, default_tls));

  KETCD_RETURN_IF_ERROR(ApplyCredentials(flags, &c.config));
  double dial = flags["dial-timeout"].as<double>();
  if (dial <= 0) return absl::InvalidArgumentError("--dial-timeout must be positive");
  c.config.dial_timeout = std::chrono::milliseconds(static_cast<int64_t>(dial * 1000));
  return c;
}

}  // namespace ketcd::cmd
