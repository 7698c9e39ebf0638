#include "pkg/s3/url.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace ketcd::s3 {

bool IsS3Url(std::string_view arg) { return arg.starts_with("s3://"); }

absl::StatusOr<ObjectUrl> ParseS3Url(std::string_view arg) {
  if (!IsS3Url(arg)) return absl::InvalidArgumentError(absl::StrCat("\"", std::string(arg), "\" is not an s3:// URL"));
  std::string_view rest = arg.substr(5);
  size_t slash = rest.find('/');
  ObjectUrl u;
  u.bucket = std::string(rest.substr(0, slash));
  if (slash != std::string_view::npos) u.key = std::string(rest.substr(slash + 1));
  // S3's own rules (3-63 of a-z 0-9 . -), loosened for the upper case and '_' that some
  // S3-compatible servers allow; never a character that would change the request's URL.
  bool ok = u.bucket.size() >= 3 && u.bucket.size() <= 63;
  for (char c : u.bucket) ok = ok && (absl::ascii_isalnum(c) || c == '.' || c == '-' || c == '_');
  if (!ok) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", std::string(arg), "\": the bucket name must be 3 to 63 letters, digits, '.', '-' or '_' (s3://BUCKET/KEY)"));
  }
  if (u.key.find('\0') != std::string::npos || u.key.size() > 1024) {
    return absl::InvalidArgumentError(absl::StrCat("\"", std::string(arg), "\": an S3 key is at most 1024 bytes, without NUL"));
  }
  return u;
}

}  // namespace ketcd::s3
