// ketcd_bench_fill: writes N keys of a given value size into etcd over several
// connections, to build large databases for `make bench`.
//   ketcd_bench_fill --endpoint URL [--cacert F --cert F --key F] --keys N --value-size BYTES
//                    [--prefix P] [--threads T]
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "pkg/etcdclient/client.h"

using ketcd::etcdclient::Client;
using ketcd::etcdclient::ConnectionConfig;

int main(int argc, char** argv) {
  std::string endpoint, prefix = "/registry/bench/";
  ConnectionConfig cfg;
  long keys = 0, value_size = 0;
  int threads = 4;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string f = argv[i], v = argv[i + 1];
    if (f == "--endpoint") endpoint = v;
    else if (f == "--cacert") cfg.tls.ca_file = v;
    else if (f == "--cert") cfg.tls.cert_file = v;
    else if (f == "--key") cfg.tls.key_file = v;
    else if (f == "--keys") keys = std::atol(v.c_str());
    else if (f == "--value-size") value_size = std::atol(v.c_str());
    else if (f == "--prefix") prefix = v;
    else if (f == "--threads") threads = std::atoi(v.c_str());
  }
  auto ep = ketcd::etcdclient::ParseEndpoint(endpoint, !cfg.tls.ca_file.empty());
  if (!ep.ok() || keys <= 0 || value_size <= 0) {
    std::fprintf(stderr, "usage: ketcd_bench_fill --endpoint URL --keys N --value-size BYTES ...\n");
    return 2;
  }
  cfg.endpoints = {*ep};
  std::atomic<long> next{0};
  std::atomic<bool> failed{false};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; t++) {
    workers.emplace_back([&, t] {
      auto client = Client::Connect(cfg, *ep);
      if (!client.ok()) {
        std::fprintf(stderr, "connect: %s\n", std::string(client.status().message()).c_str());
        failed = true;
        return;
      }
      std::string value(static_cast<size_t>(value_size), 'x');
      for (long i = next++; i < keys && !failed; i = next++) {
        // Vary the bytes so the database does not compress to nothing anywhere.
        for (size_t j = 0; j < value.size(); j += 64) value[j] = static_cast<char>('a' + (i + j + t) % 26);
        char key[64];
        std::snprintf(key, sizeof key, "%s%08ld", prefix.c_str(), i);
        auto r = (*client)->Put(key, value);
        if (!r.ok()) {
          std::fprintf(stderr, "put %s: %s\n", key, std::string(r.status().message()).c_str());
          failed = true;
        }
      }
    });
  }
  for (auto& w : workers) w.join();
  return failed ? 1 : 0;
}
