#include "pkg/age/header.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace ketcd::age {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr size_t kColumns = 64;

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

absl::Status Malformed(std::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("malformed age header: ", std::string(what)));
}

// The next line of `in` from `*pos` without its LF; OutOfRange when there is no LF yet.
absl::StatusOr<std::string_view> NextLine(std::string_view in, size_t* pos) {
  size_t lf = in.find('\n', *pos);
  if (lf == std::string_view::npos) return absl::OutOfRangeError("header incomplete");
  std::string_view line = in.substr(*pos, lf - *pos);
  *pos = lf + 1;
  return line;
}

absl::StatusOr<Stanza> ParseStanza(std::string_view in, std::string_view arg_line, size_t* pos) {
  Stanza s;
  std::string_view rest = arg_line.substr(3);
  for (absl::string_view arg : absl::StrSplit(absl::string_view(rest.data(), rest.size()), ' ')) {
    if (arg.empty()) return Malformed("empty stanza argument");
    for (char c : arg) {
      if (c < 33 || c > 126) return Malformed("invalid character in a stanza argument");
    }
    s.args.emplace_back(arg.data(), arg.size());
  }
  std::string text;
  for (;;) {
    KETCD_ASSIGN_OR_RETURN(std::string_view line, NextLine(in, pos));
    if (line.size() > kColumns) return Malformed("stanza body line longer than 64 columns");
    text.append(line);
    if (line.size() < kColumns) break;
  }
  auto body = Base64Decode(text);
  if (!body.ok()) return Malformed("stanza body is not canonical base64");
  s.body = std::move(*body);
  return s;
}

}  // namespace

std::string Base64Encode(std::string_view bytes) {
  std::string out;
  size_t i = 0;
  auto b = [&](size_t k) { return static_cast<unsigned char>(bytes[k]); };
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t v = (b(i) << 16) | (b(i + 1) << 8) | b(i + 2);
    for (int s = 18; s >= 0; s -= 6) out.push_back(kAlphabet[(v >> s) & 63]);
  }
  if (bytes.size() - i == 1) {
    uint32_t v = b(i) << 16;
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
  } else if (bytes.size() - i == 2) {
    uint32_t v = (b(i) << 16) | (b(i + 1) << 8);
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
  }
  return out;
}

absl::StatusOr<std::string> Base64Decode(std::string_view text) {
  if (text.size() % 4 == 1) return absl::InvalidArgumentError("base64: bad length");
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int v = Base64Value(c);
    if (v < 0) return absl::InvalidArgumentError("base64: invalid character");
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  if ((acc & ((1u << bits) - 1)) != 0) return absl::InvalidArgumentError("base64: not canonical");
  return out;
}

absl::StatusOr<Header> ParseHeader(std::string_view in) {
  if (in.size() < kVersionLine.size()) {
    if (kVersionLine.substr(0, in.size()) == in) return absl::OutOfRangeError("header incomplete");
    return Malformed("not an age file");
  }
  if (in.substr(0, kVersionLine.size()) != kVersionLine) {
    if (in.substr(0, 19) == "age-encryption.org/") return Malformed("unsupported version (only v1 is)");
    return Malformed("not an age file");
  }
  Header h;
  size_t pos = kVersionLine.size();
  for (;;) {
    const size_t line_start = pos;
    KETCD_ASSIGN_OR_RETURN(std::string_view line, NextLine(in, &pos));
    if (line.substr(0, 3) == "-> ") {
      KETCD_ASSIGN_OR_RETURN(Stanza s, ParseStanza(in, line, &pos));
      h.stanzas.push_back(std::move(s));
      continue;
    }
    if (line.substr(0, 3) != "---") return Malformed("expected a stanza or the MAC line");
    if (h.stanzas.empty()) return Malformed("no recipient stanza");
    if (line.size() != 4 + 43 || line[3] != ' ') return Malformed("bad MAC line");
    auto mac = Base64Decode(line.substr(4));
    if (!mac.ok() || mac->size() != 32) return Malformed("MAC is not canonical base64");
    h.mac = std::move(*mac);
    h.mac_input = line_start + 3;
    h.size = pos;
    return h;
  }
}

std::string EncodeHeaderWithoutMac(const std::vector<Stanza>& stanzas) {
  std::string out(kVersionLine);
  for (const Stanza& s : stanzas) {
    absl::StrAppend(&out, "-> ", absl::StrJoin(s.args, " "), "\n");
    const std::string b64 = Base64Encode(s.body);
    size_t i = 0;
    for (; i + kColumns <= b64.size(); i += kColumns) out.append(b64, i, kColumns).append("\n");
    out.append(b64, i).append("\n");  // shorter than 64, maybe empty
  }
  out += "---";
  return out;
}

}  // namespace ketcd::age
