#pragma once
// AWS Signature Version 4 for header-signed requests (the Authorization header), as S3
// checks it: the canonical request, the string to sign, the signing key derived from the
// secret by HMAC-SHA256 over date, region, service and "aws4_request", and the signature.
// Pure functions of their arguments (no clock, no I/O): the caller gives x-amz-date.
// README.md says why this is not libcurl's CURLOPT_AWS_SIGV4.

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ketcd::s3 {

struct SigningCredentials {
  std::string access_key_id;
  std::string secret_access_key;
};

struct SigningInput {
  std::string method;  // "GET", "PUT", ...
  // The path as sent, already percent-encoded (UriEncodePath); S3 signs it as it is,
  // without normalising "." or "//".
  std::string encoded_path;
  // Query parameters, raw (not encoded); sorted and encoded here. A parameter without a
  // value ("?uploads") has "".
  std::vector<std::pair<std::string, std::string>> query;
  // Every header to sign, host and x-amz-date included; names in any case.
  std::map<std::string, std::string> headers;
  std::string payload_sha256_hex;  // of the body, or "UNSIGNED-PAYLOAD"
  std::string region;
  std::string service = "s3";
  std::string amz_date;  // "20150830T123600Z": the x-amz-date header's value
};

struct Signature {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signed_headers;  // "host;x-amz-date"
  std::string signature;       // hex
  std::string authorization;   // the Authorization header's value
};

Signature Sign(const SigningInput& in, const SigningCredentials& creds);

// RFC 3986 percent-encoding as SigV4 wants it: everything but A-Z a-z 0-9 - . _ ~ as %XX
// (upper-case hex); '/' kept when `keep_slash`.
std::string UriEncode(std::string_view s, bool keep_slash);
// The canonical query string: parameters encoded, sorted by name then value, joined with '&'.
std::string CanonicalQuery(const std::vector<std::pair<std::string, std::string>>& query);

std::string Sha256Hex(std::string_view data);
// "YYYYMMDDTHHMMSSZ" of a unix time.
std::string AmzDate(int64_t unix_seconds);

}  // namespace ketcd::s3
