// ketcd_bench_drain: receives etcd's Maintenance.Snapshot stream and discards it:
// the floor for `kubectl etcd backup` in `make bench`.
//   ketcd_bench_drain --endpoint URL [--cacert F --cert F --key F]
#include <cstdio>
#include <string>

#include "pkg/etcdclient/client.h"

int main(int argc, char** argv) {
  ketcd::etcdclient::ConnectionConfig cfg;
  std::string endpoint;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string f = argv[i], v = argv[i + 1];
    if (f == "--endpoint") endpoint = v;
    else if (f == "--cacert") cfg.tls.ca_file = v;
    else if (f == "--cert") cfg.tls.cert_file = v;
    else if (f == "--key") cfg.tls.key_file = v;
  }
  auto ep = ketcd::etcdclient::ParseEndpoint(endpoint, !cfg.tls.ca_file.empty());
  if (!ep.ok()) return 2;
  cfg.endpoints = {*ep};
  auto client = ketcd::etcdclient::Client::Connect(cfg, *ep);
  if (!client.ok()) return 1;
  unsigned long long bytes = 0;
  auto s = (*client)->Snapshot(
      [&](etcdserverpb::SnapshotResponse& m) {
        bytes += m.blob().size();
        return absl::OkStatus();
      },
      std::chrono::seconds(60));
  if (!s.ok()) {
    std::fprintf(stderr, "drain: %s\n", std::string(s.message()).c_str());
    return 1;
  }
  std::printf("%llu\n", bytes);
  return 0;
}
