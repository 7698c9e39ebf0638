// libFuzzer target: API server replies the remote path reads: a Node (its image list), the
// helper Pod (its state) and a SelfSubjectAccessReview.
#include <cstddef>
#include <cstdint>

#include <nlohmann/json.hpp>

#include "pkg/remote/access.h"
#include "pkg/remote/helper_pod.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ketcd::remote;
  nlohmann::json j = nlohmann::json::parse(data, data + size, nullptr, false);
  if (j.is_discarded()) return 0;
  (void)ShellImageCandidates(j, "registry.k8s.io/etcd:3.6.8-0");
  (void)HelperPodStatus(j);
  (void)AccessReviewResult(j, Access{"create", "pods", "exec", "kube-system"});
  return 0;
}
