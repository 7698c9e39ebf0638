// libFuzzer target: the etcd pod list the API server returns (kube-system pods labelled
// component=etcd), read into members, endpoints and versions as `discover` does.
#include <cstddef>
#include <cstdint>

#include <nlohmann/json.hpp>

#include "pkg/discovery/cluster_pods.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ketcd::discovery;
  nlohmann::json list = nlohmann::json::parse(data, data + size, nullptr, false);
  if (list.is_discarded()) return 0;
  (void)ParseEtcdPods(list, "cp1", {"10.0.0.11"});
  return 0;
}
