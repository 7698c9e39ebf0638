// libFuzzer target: the restore's edit of etcd's data dir in a systemd unit, drop-in,
// environment file or etcd config file, for each way discovery names the setting.
#include <cstddef>
#include <cstdint>
#include <string>

#include "pkg/noderestore/systemd_patch.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ketcd::noderestore;
  const std::string text(reinterpret_cast<const char*>(data), size);
  for (const char* key : {"--data-dir", "ETCD_DATA_DIR", "data-dir", "--wal-dir", "ETCD_WAL_DIR", "wal-dir"}) {
    (void)PatchDataDirSetting(text, key, "/var/lib/etcd-restored-20260101T000000Z");
  }
  return 0;
}
