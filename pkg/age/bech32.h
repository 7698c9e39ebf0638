#pragma once
// Bech32 (BIP-173) as age uses it: no length limit, all upper or all lower case, the checksum
// over the lower-case form. Data is converted between 8-bit bytes and 5-bit groups.

#include <string>
#include <string_view>

#include "pkg/base/status.h"

namespace ketcd::age {

struct Bech32 {
  std::string hrp;   // lower case
  std::string data;  // bytes
};

// Lower-case encoding of `data` under `hrp` (which must be lower case ASCII 33-126).
std::string Bech32Encode(std::string_view hrp, std::string_view data);
// InvalidArgument on a bad checksum, mixed case, bad characters or bad padding. Messages
// never repeat the input (it may be a secret key).
absl::StatusOr<Bech32> Bech32Decode(std::string_view s);

}  // namespace ketcd::age
