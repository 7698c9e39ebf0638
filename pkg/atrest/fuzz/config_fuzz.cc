// libFuzzer target: an --encryption-config file. A configuration or an error status must come
// out; a crash, a sanitizer report or an exception is a bug. Seeds: corpus/atrest_config_fuzz.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "pkg/atrest/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto c = ketcd::atrest::EncryptionConfig::Parse(std::string_view(reinterpret_cast<const char*>(data), size));
  if (c.ok()) {
    (void)c->ProvidersFor("", "secrets");
    (void)c->ProvidersFor("apps", "deployments");
  }
  return 0;
}
