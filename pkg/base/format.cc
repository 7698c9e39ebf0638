#include "pkg/base/format.h"

#include <cmath>
#include <cstdio>
#include <ctime>

namespace ketcd {

std::string HumanizeBytes(uint64_t n) {
  static const char* kSuffix[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
  char buf[32];
  if (n < 10) {
    std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(n));
    return buf;
  }
  int e = 0;
  for (uint64_t x = n; x >= 1000; x /= 1000) e++;
  double val = std::floor(static_cast<double>(n) / std::pow(1000.0, e) * 10 + 0.5) / 10;
  std::snprintf(buf, sizeof buf, val < 10 ? "%.1f %s" : "%.0f %s", val, kSuffix[e]);
  return buf;
}

std::string HumanizeIec(double n) {
  static const char* kSuffix[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  int e = 0;
  while (n >= 1024 && e < 5) {
    n /= 1024;
    e++;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, e == 0 ? "%.0f %s" : "%.1f %s", n, kSuffix[e]);
  return buf;
}

std::string IdHex(uint64_t id) {
  char buf[20];
  std::snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(id));
  return buf;
}

namespace {
std::string FormatUtc(int64_t t, const char* fmt) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, fmt, &tm);
  return buf;
}
}  // namespace

std::string UtcRfc3339(int64_t t) { return FormatUtc(t, "%Y-%m-%dT%H:%M:%SZ"); }
std::string UtcCompact(int64_t t) { return FormatUtc(t, "%Y%m%dT%H%M%SZ"); }

}  // namespace ketcd
