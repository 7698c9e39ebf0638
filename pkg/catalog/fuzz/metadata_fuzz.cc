// libFuzzer target: arbitrary bytes as a FILE.json beside a snapshot. ParseMetadata must
// accept or reject them with a status; an accepted sha256 is 64 hex digits. A crash, a
// sanitizer report or an exception is a bug.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "pkg/catalog/metadata.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto m = ketcd::catalog::ParseMetadata(std::string_view(reinterpret_cast<const char*>(data), size));
  if (m.ok() && !m->sha256.empty() && m->sha256.size() != 64) std::abort();
  return 0;
}
