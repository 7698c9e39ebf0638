// libFuzzer target: the restore's edit of a static-pod manifest. Finds the etcd data
// volume and points its hostPath at a new directory, keeping every other byte; the edit
// must succeed or return an error status, never crash or throw.
#include <cstddef>
#include <cstdint>
#include <string>

#include "pkg/noderestore/manifest_patch.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ketcd::noderestore;
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto volume = FindDataVolume(text, "etcd.yaml");
  if (volume.ok()) {
    auto patched = PatchHostPath(text, volume->volume_name, "/var/lib/etcd-restored-20260101T000000Z");
    if (patched.ok()) (void)LineDiff(text, *patched);
  }
  (void)ReplaceScalar(text, {"spec", "volumes", "0", "hostPath", "path"}, "new: value # \"quoted\"");
  return 0;
}
