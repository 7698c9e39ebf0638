#include "cmd/kubectl-etcd/seal_flags.h"

#include "absl/strings/str_cat.h"
#include "pkg/envelope/key_files.h"
#include "pkg/stream/zstd.h"

namespace ketcd::cmd {
namespace {

std::vector<std::string> Strings(const cxxopts::ParseResult& flags, const char* name) {
  return flags.count(name) ? flags[name].as<std::vector<std::string>>() : std::vector<std::string>();
}

std::string String(const cxxopts::ParseResult& flags, const char* name) {
  return flags.count(name) ? flags[name].as<std::string>() : std::string();
}

}  // namespace

void AddSealFlags(cxxopts::Options& options) {
  options.add_options()
      ("compress", "Compress the snapshot: zstd (FILE must end in .zst; the zstd tool reads it) or none",
       cxxopts::value<std::string>()->default_value("none"))
      ("compress-level", "zstd level, 1 (fastest) to 19", cxxopts::value<int>()->default_value("3"))
      ("encrypt-to", "Encrypt with age to this X25519 recipient (age1...; repeat for several); FILE must end "
       "in .age (.zst.age with --compress zstd)", cxxopts::value<std::vector<std::string>>())
      ("encrypt-to-file", "Encrypt with age to the recipients in FILE (one age1... per line, # comments)",
       cxxopts::value<std::vector<std::string>>())
      ("passphrase-file", "Encrypt with age to the passphrase in FILE (scrypt; `age -d` asks for it)",
       cxxopts::value<std::string>());
}

absl::StatusOr<envelope::SealOptions> SealFlags(const cxxopts::ParseResult& flags) {
  envelope::SealOptions seal;
  const std::string compress = flags["compress"].as<std::string>();
  if (compress != "zstd" && compress != "none") {
    return absl::InvalidArgumentError(absl::StrCat("--compress \"", compress, "\": want zstd or none"));
  }
  seal.zstd = compress == "zstd";
  seal.zstd_options.level = flags["compress-level"].as<int>();
  seal.zstd_options.workers = stream::DefaultZstdWorkers();
  if (seal.zstd_options.level < 1 || seal.zstd_options.level > 19) {
    return absl::InvalidArgumentError("--compress-level: want 1 to 19");
  }
  KETCD_ASSIGN_OR_RETURN(seal.recipients,
                         envelope::LoadRecipients(Strings(flags, "encrypt-to"), Strings(flags, "encrypt-to-file"),
                                                  String(flags, "passphrase-file")));
  return seal;
}

void AddUnsealFlags(cxxopts::Options& options) {
  options.add_options()
      ("identity", "Decrypt an age-encrypted snapshot with the AGE-SECRET-KEY-1... keys in FILE (repeatable)",
       cxxopts::value<std::vector<std::string>>())
      ("passphrase-file", "Decrypt an age-encrypted snapshot with the passphrase in FILE",
       cxxopts::value<std::string>());
}

absl::StatusOr<envelope::UnsealOptions> UnsealFlags(const cxxopts::ParseResult& flags) {
  envelope::UnsealOptions o;
  KETCD_ASSIGN_OR_RETURN(o.identities,
                         envelope::LoadIdentities(Strings(flags, "identity"), String(flags, "passphrase-file")));
  return o;
}

}  // namespace ketcd::cmd
