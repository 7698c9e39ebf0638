#include "cmd/kubectl-etcd/s3_flags.h"

#include <ctime>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "pkg/fsutil/file.h"
#include "pkg/s3/url.h"

namespace ketcd::cmd {
namespace {

std::string Str(const cxxopts::ParseResult& flags, const char* name) {
  return flags.count(name) ? flags[name].as<std::string>() : std::string();
}

absl::StatusOr<int64_t> ParseUtc(const std::string& v) {
  std::tm tm{};
  const char* end = ::strptime(v.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  if (end == nullptr || *end != '\0') {
    tm = {};
    end = ::strptime(v.c_str(), "%Y-%m-%d", &tm);
  }
  if (end == nullptr || *end != '\0') {
    return absl::InvalidArgumentError(absl::StrCat("--s3-object-lock-retain-until \"", v,
                                                   "\": want a duration (30d, 12h) or a UTC time "
                                                   "(2030-01-31T00:00:00Z or 2030-01-31)"));
  }
  return static_cast<int64_t>(::timegm(&tm));
}

}  // namespace

void AddS3Flags(cxxopts::Options& options) {
  // clang-format off
  options.add_options("S3 (for s3://BUCKET/KEY)")
      ("s3-endpoint", "S3 endpoint URL (default: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the profile's endpoint_url, "
       "else AWS for the region)", cxxopts::value<std::string>())
      ("s3-region", "S3 region (default: AWS_REGION, AWS_DEFAULT_REGION, the profile's region, us-east-1)",
       cxxopts::value<std::string>())
      ("s3-addressing", "path or virtual (default: path for an IP address or localhost endpoint, virtual otherwise)",
       cxxopts::value<std::string>())
      ("s3-ca-bundle", "CA certificates (PEM) to trust for the S3 endpoint (default: AWS_CA_BUNDLE, the system's)",
       cxxopts::value<std::string>())
      ("profile", "AWS profile of ~/.aws/credentials and ~/.aws/config (default: AWS_PROFILE, default)",
       cxxopts::value<std::string>())
      ("s3-sse-c-key-file", "Server-side encryption with this customer key (SSE-C): a file with 32 bytes, raw or "
       "base64", cxxopts::value<std::string>());
  // clang-format on
}

void AddS3UploadFlags(cxxopts::Options& options) {
  // clang-format off
  options.add_options("S3 (for s3://BUCKET/KEY)")
      ("s3-object-lock-mode", "Object Lock retention: GOVERNANCE or COMPLIANCE (the bucket must have Object Lock)",
       cxxopts::value<std::string>())
      ("s3-object-lock-retain-until", "Retain until this UTC time (2030-01-31T00:00:00Z) or for this long (30d, "
       "12h)", cxxopts::value<std::string>())
      ("s3-sse", "Server-side encryption: AES256 or aws:kms", cxxopts::value<std::string>())
      ("s3-sse-kms-key-id", "KMS key for --s3-sse aws:kms (default: the account's S3 key)",
       cxxopts::value<std::string>())
      ("s3-part-size", "Size of each uploaded part in MiB (5 to 5120); two parts upload while the next fills, "
       "so memory use is about three parts",
       cxxopts::value<int>()->default_value("8"));
  // clang-format on
}

absl::StatusOr<std::unique_ptr<s3::Client>> S3ClientFromFlags(const cxxopts::ParseResult& flags) {
  s3::ConfigFlags f;
  f.endpoint = Str(flags, "s3-endpoint");
  f.region = Str(flags, "s3-region");
  f.addressing = Str(flags, "s3-addressing");
  f.ca_bundle = Str(flags, "s3-ca-bundle");
  f.profile = Str(flags, "profile");
  KETCD_ASSIGN_OR_RETURN(s3::Config config, s3::ResolveConfig(f, s3::Environment::Real()));
  return std::make_unique<s3::Client>(std::move(config));
}

absl::StatusOr<s3::SseCustomerKey> SseCustomerKeyFromFlags(const cxxopts::ParseResult& flags) {
  s3::SseCustomerKey k;
  const std::string path = Str(flags, "s3-sse-c-key-file");
  if (path.empty()) return k;
  KETCD_ASSIGN_OR_RETURN(std::string text, fsutil::ReadFile(path));
  if (text.size() == 32) {
    k.key = std::move(text);
    return k;
  }
  std::string decoded;
  if (absl::Base64Unescape(absl::StripAsciiWhitespace(text), &decoded) && decoded.size() == 32) {
    k.key = std::move(decoded);
    return k;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("--s3-sse-c-key-file ", path, ": want a 256-bit key, 32 raw bytes or their base64 (44 characters)"));
}

absl::StatusOr<int64_t> ParseRetainUntil(const std::string& value, int64_t now) {
  if (value.size() >= 2) {
    const char unit = value.back();
    int64_t n = 0;
    if (absl::SimpleAtoi(value.substr(0, value.size() - 1), &n) && n > 0) {
      switch (unit) {
        case 'd':
          return now + n * 86400;
        case 'h':
          return now + n * 3600;
        case 'm':
          return now + n * 60;
        default:
          break;
      }
    }
  }
  KETCD_ASSIGN_OR_RETURN(int64_t t, ParseUtc(value));
  if (t <= now) return absl::InvalidArgumentError(absl::StrCat("--s3-object-lock-retain-until ", value, " is past"));
  return t;
}

absl::StatusOr<backup::S3Target> S3TargetFromFlags(const cxxopts::ParseResult& flags, int64_t now) {
  backup::S3Target t;
  KETCD_ASSIGN_OR_RETURN(t.put.sse_c, SseCustomerKeyFromFlags(flags));
  const std::string mode = absl::AsciiStrToUpper(Str(flags, "s3-object-lock-mode"));
  const std::string until = Str(flags, "s3-object-lock-retain-until");
  if (mode.empty() != until.empty()) {
    return absl::InvalidArgumentError("--s3-object-lock-mode and --s3-object-lock-retain-until go together");
  }
  if (mode == "GOVERNANCE") {
    t.put.lock_mode = s3::LockMode::kGovernance;
  } else if (mode == "COMPLIANCE") {
    t.put.lock_mode = s3::LockMode::kCompliance;
  } else if (!mode.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("--s3-object-lock-mode \"", mode, "\": want GOVERNANCE or COMPLIANCE"));
  }
  if (!until.empty()) {
    KETCD_ASSIGN_OR_RETURN(t.put.retain_until, ParseRetainUntil(until, now));
  }
  const std::string sse = Str(flags, "s3-sse");
  if (sse == "AES256") {
    t.put.sse = s3::Sse::kAes256;
  } else if (sse == "aws:kms") {
    t.put.sse = s3::Sse::kKms;
  } else if (!sse.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("--s3-sse \"", sse, "\": want AES256 or aws:kms"));
  }
  t.put.kms_key_id = Str(flags, "s3-sse-kms-key-id");
  if (!t.put.kms_key_id.empty() && t.put.sse != s3::Sse::kKms) {
    return absl::InvalidArgumentError("--s3-sse-kms-key-id needs --s3-sse aws:kms");
  }
  if (t.put.sse != s3::Sse::kNone && !t.put.sse_c.key.empty()) {
    return absl::InvalidArgumentError("--s3-sse and --s3-sse-c-key-file exclude each other");
  }
  const int mib = flags["s3-part-size"].as<int>();
  if (mib < 5 || mib > 5120) return absl::InvalidArgumentError("--s3-part-size: want 5 to 5120 (MiB)");
  t.part_size = static_cast<size_t>(mib) << 20;
  return t;
}

absl::StatusOr<std::unique_ptr<s3::Downloaded>> DownloadSnapshot(const cxxopts::ParseResult& flags,
                                                                  const std::string& url,
                                                                  const std::string& temp_parent) {
  KETCD_ASSIGN_OR_RETURN(s3::ObjectUrl u, s3::ParseS3Url(url));
  KETCD_ASSIGN_OR_RETURN(std::unique_ptr<s3::Client> client, S3ClientFromFlags(flags));
  KETCD_ASSIGN_OR_RETURN(s3::SseCustomerKey key, SseCustomerKeyFromFlags(flags));
  return s3::Download(*client, u, key, temp_parent);
}

}  // namespace ketcd::cmd
