#include "pkg/restore/etcd_format.h"

namespace ketcd::restore {

std::string_view FormatName(EtcdFormat f) {
  switch (f) {
    case EtcdFormat::k34:
      return "3.4";
    case EtcdFormat::k35:
      return "3.5";
    case EtcdFormat::k36:
      return "3.6";
    case EtcdFormat::k37:
      return "3.7";
  }
  return "?";
}

std::optional<EtcdFormat> ParseFormat(std::string_view s) {
  if (!s.empty() && (s[0] == 'v' || s[0] == 'V')) s.remove_prefix(1);
  if (s.size() < 3 || s.substr(0, 2) != "3.") return std::nullopt;
  std::string_view rest = s.substr(2);
  size_t dot = rest.find('.');
  std::string_view minor = rest.substr(0, dot);
  if (dot != std::string_view::npos) {
    std::string_view patch = rest.substr(dot + 1);
    if (patch.empty()) return std::nullopt;
    for (char c : patch) {
      if (c < '0' || c > '9') return std::nullopt;
    }
  }
  if (minor == "4") return EtcdFormat::k34;
  if (minor == "5") return EtcdFormat::k35;
  if (minor == "6") return EtcdFormat::k36;
  if (minor == "7") return EtcdFormat::k37;
  return std::nullopt;
}

}  // namespace ketcd::restore
