#include "cmd/kubectl-etcd/objects_flags.h"

#include "absl/strings/str_cat.h"
#include "cmd/kubectl-etcd/seal_flags.h"
#include "pkg/discovery/apiserver_flags.h"
#include "pkg/fsutil/file.h"

namespace ketcd::cmd {

void AddObjectsFlags(cxxopts::Options& options) {
  // clang-format off
  options.add_options()
      ("encryption-config", "The kube-apiserver's EncryptionConfiguration, to decrypt values encrypted at rest "
                            "(default: its --encryption-provider-config on this host, when readable)",
       cxxopts::value<std::string>())
      ("host-root", "Prefix for every host path (e.g. /host in a debug pod)",
       cxxopts::value<std::string>()->default_value("/"));
  // clang-format on
  AddUnsealFlags(options);
}

absl::StatusOr<OpenedSnapshot> OpenSnapshot(const std::string& file, const cxxopts::ParseResult& flags) {
  OpenedSnapshot s;
  KETCD_ASSIGN_OR_RETURN(envelope::UnsealOptions unseal, UnsealFlags(flags));
  KETCD_ASSIGN_OR_RETURN(s.plain, envelope::Unseal(file, unseal));
  KETCD_ASSIGN_OR_RETURN(s.db, bbolt::Db::Open(s.plain->path()));
  return s;
}

absl::StatusOr<std::optional<atrest::EncryptionConfig>> LoadEncryption(const cxxopts::ParseResult& flags,
                                                                       std::ostream& err) {
  if (flags.count("encryption-config")) {
    std::string path = flags["encryption-config"].as<std::string>();
    auto c = atrest::EncryptionConfig::Load(path);
    if (!c.ok()) {
      return absl::Status(c.status().code() == absl::StatusCode::kNotFound ? absl::StatusCode::kNotFound
                                                                           : absl::StatusCode::kInvalidArgument,
                          absl::StrCat("--encryption-config: ", c.status().message()));
    }
    return std::optional<atrest::EncryptionConfig>(std::move(*c));
  }
  std::optional<discovery::EncryptionConfigRef> ref =
      discovery::FindEncryptionConfig(flags["host-root"].as<std::string>());
  if (!ref || !fsutil::PathExists(ref->path)) return std::nullopt;
  auto c = atrest::EncryptionConfig::Load(ref->path);
  if (!c.ok()) {
    err << "note: the kube-apiserver (" << ref->manifest << ") encrypts with " << ref->path
        << ", which cannot be used (" << c.status().message()
        << "): encrypted values stay undecoded; pass --encryption-config\n";
    return std::nullopt;
  }
  err << "note: decrypting with " << ref->path << " (--encryption-provider-config of " << ref->manifest << ")\n";
  return std::optional<atrest::EncryptionConfig>(std::move(*c));
}

}  // namespace ketcd::cmd
