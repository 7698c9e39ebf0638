// libFuzzer target: an etcd systemd unit read as systemd reads it, with its drop-in,
// environment file and etcd config file, up to the etcd target it defines. Input parts,
// separated by "\n----\n": etcd.service, a drop-in (etcd.service.d/10-x.conf),
// /etc/default/etcd and /etc/etcd/etcd.conf.yml. Empty parts are not written.
#include <cstddef>
#include <cstdint>

#include "pkg/discovery/fuzz/fuzz_root.h"
#include "pkg/discovery/systemd_unit.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ketcd::discovery;
  auto parts = fuzz::SplitParts(std::string_view(reinterpret_cast<const char*>(data), size), 4);
  fuzz::FuzzRoot& root = fuzz::FuzzRoot::Get();
  const char* const paths[] = {"/etc/systemd/system/etcd.service", "/etc/systemd/system/etcd.service.d/10-x.conf",
                               "/etc/default/etcd", "/etc/etcd/etcd.conf.yml"};
  for (size_t i = 0; i < parts.size(); i++) {
    if (parts[i].empty()) {
      root.Remove(paths[i]);
    } else {
      root.Write(paths[i], parts[i]);
    }
  }
  (void)SplitCommandLine(parts[0]);
  auto unit = LoadSystemdUnit(root.path(), "etcd.service", "node1");
  if (unit.ok() && unit->has_value()) (void)FromSystemdUnit(**unit, root.path());
  return 0;
}
