#include "pkg/age/bech32.h"

#include <cstdint>
#include <vector>

namespace ketcd::age {
namespace {

constexpr char kCharset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

uint32_t Polymod(const std::vector<uint8_t>& values) {
  static constexpr uint32_t kGen[5] = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
  uint32_t chk = 1;
  for (uint8_t v : values) {
    uint8_t top = static_cast<uint8_t>(chk >> 25);
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (int i = 0; i < 5; i++) {
      if ((top >> i) & 1) chk ^= kGen[i];
    }
  }
  return chk;
}

std::vector<uint8_t> HrpExpand(std::string_view hrp) {
  std::vector<uint8_t> out;
  for (char c : hrp) out.push_back(static_cast<uint8_t>(c) >> 5);
  out.push_back(0);
  for (char c : hrp) out.push_back(static_cast<uint8_t>(c) & 31);
  return out;
}

// Regroups bits; `pad` adds zero bits at the end (8 -> 5), otherwise leftover bits must be
// fewer than `from` and zero (5 -> 8).
bool ConvertBits(const std::vector<uint8_t>& in, int from, int to, bool pad, std::vector<uint8_t>* out) {
  uint32_t acc = 0;
  int bits = 0;
  const uint32_t maxv = (1u << to) - 1;
  for (uint8_t v : in) {
    if ((v >> from) != 0) return false;
    acc = (acc << from) | v;
    bits += from;
    while (bits >= to) {
      bits -= to;
      out->push_back(static_cast<uint8_t>((acc >> bits) & maxv));
    }
  }
  if (pad) {
    if (bits > 0) out->push_back(static_cast<uint8_t>((acc << (to - bits)) & maxv));
  } else if (bits >= from || ((acc << (to - bits)) & maxv) != 0) {
    return false;
  }
  return true;
}

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

std::string Bech32Encode(std::string_view hrp, std::string_view data) {
  std::vector<uint8_t> groups;
  ConvertBits(std::vector<uint8_t>(data.begin(), data.end()), 8, 5, true, &groups);
  std::vector<uint8_t> values = HrpExpand(hrp);
  values.insert(values.end(), groups.begin(), groups.end());
  values.insert(values.end(), 6, 0);
  const uint32_t mod = Polymod(values) ^ 1;
  std::string out(hrp);
  out.push_back('1');
  for (uint8_t g : groups) out.push_back(kCharset[g]);
  for (int i = 0; i < 6; i++) out.push_back(kCharset[(mod >> (5 * (5 - i))) & 31]);
  return out;
}

absl::StatusOr<Bech32> Bech32Decode(std::string_view s) {
  bool lower = false, upper = false;
  for (char c : s) {
    if (c < 33 || c > 126) return absl::InvalidArgumentError("bech32: invalid character");
    lower |= c >= 'a' && c <= 'z';
    upper |= c >= 'A' && c <= 'Z';
  }
  if (lower && upper) return absl::InvalidArgumentError("bech32: mixed case");
  const size_t sep = s.rfind('1');
  if (sep == std::string_view::npos || sep == 0 || sep + 7 > s.size()) {
    return absl::InvalidArgumentError("bech32: no separator or too short");
  }
  Bech32 r;
  for (char c : s.substr(0, sep)) r.hrp.push_back(Lower(c));
  std::vector<uint8_t> values;
  for (char c : s.substr(sep + 1)) {
    const char* p = std::char_traits<char>::find(kCharset, 32, Lower(c));
    if (p == nullptr) return absl::InvalidArgumentError("bech32: invalid data character");
    values.push_back(static_cast<uint8_t>(p - kCharset));
  }
  std::vector<uint8_t> check = HrpExpand(r.hrp);
  check.insert(check.end(), values.begin(), values.end());
  if (Polymod(check) != 1) return absl::InvalidArgumentError("bech32: bad checksum");
  values.resize(values.size() - 6);
  std::vector<uint8_t> bytes;
  if (!ConvertBits(values, 5, 8, false, &bytes)) return absl::InvalidArgumentError("bech32: bad padding");
  r.data.assign(bytes.begin(), bytes.end());
  return r;
}

}  // namespace ketcd::age
