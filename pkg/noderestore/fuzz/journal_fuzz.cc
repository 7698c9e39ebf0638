// libFuzzer target: a node restore's journal (state.json) as --resume, --undo and
// --list-runs read it; what parses must write back and parse to the same journal.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "pkg/noderestore/journal.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ketcd::noderestore;
  auto j = JournalFromJson(std::string(reinterpret_cast<const char*>(data), size));
  if (!j.ok()) return 0;
  std::string again = JournalToJson(*j);
  auto back = JournalFromJson(again);
  if (!back.ok() || JournalToJson(*back) != again) std::abort();
  return 0;
}
