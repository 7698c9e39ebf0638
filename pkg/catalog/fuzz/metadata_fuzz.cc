// libFuzzer target: arbitrary bytes as a FILE.json beside a snapshot, and as the
// LastModified/Initiated time of an S3 listing. ParseMetadata and ParseS3Time must accept or
// reject them with a status; an accepted sha256 is 64 hex digits. A crash, a sanitizer
// report or an exception is a bug.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "pkg/catalog/metadata.h"
#include "pkg/catalog/s3_store.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto m = ketcd::catalog::ParseMetadata(input);
  (void)ketcd::catalog::ParseS3Time(input);
  if (m.ok() && !m->sha256.empty() && m->sha256.size() != 64) std::abort();
  return 0;
}
