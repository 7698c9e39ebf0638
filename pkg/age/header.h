#pragma once
// The age v1 header (https://age-encryption.org/v1, "Header"): version line, recipient
// stanzas, MAC line. Parsing is strict as the spec asks: canonical unpadded base64, stanza
// bodies wrapped at 64 columns ending with a shorter line, arguments of visible ASCII.

#include <string>
#include <string_view>
#include <vector>

#include "pkg/base/status.h"

namespace ketcd::age {

inline constexpr std::string_view kVersionLine = "age-encryption.org/v1\n";

struct Stanza {
  std::vector<std::string> args;  // args[0] is the type ("X25519", "scrypt", ...)
  std::string body;               // decoded bytes
};

struct Header {
  std::vector<Stanza> stanzas;
  std::string mac;     // 32 bytes
  size_t mac_input = 0;  // the MAC covers the first mac_input bytes (through "---")
  size_t size = 0;       // header bytes, through the MAC line's LF
};

// Parses the header at the start of `in`. OutOfRange when `in` ends before the header does
// (read more and call again); InvalidArgument for a malformed header.
absl::StatusOr<Header> ParseHeader(std::string_view in);

// The header text for `stanzas` up to and including "---" (what the MAC covers).
std::string EncodeHeaderWithoutMac(const std::vector<Stanza>& stanzas);

// Canonical unpadded standard base64.
std::string Base64Encode(std::string_view bytes);
// Rejects padding, non-alphabet characters and non-canonical trailing bits.
absl::StatusOr<std::string> Base64Decode(std::string_view text);

}  // namespace ketcd::age
