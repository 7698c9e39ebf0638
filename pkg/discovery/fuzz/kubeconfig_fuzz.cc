// libFuzzer target: a kubeconfig file loaded and its current context resolved, as
// `discover` does before asking the API server.
#include <cstddef>
#include <cstdint>

#include "pkg/discovery/fuzz/fuzz_root.h"
#include "pkg/kubeclient/kubeconfig.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ketcd::discovery;
  fuzz::FuzzRoot& root = fuzz::FuzzRoot::Get();
  ketcd::kubeclient::KubeconfigOptions o;
  o.explicit_path = root.Write("/kube/config", std::string_view(reinterpret_cast<const char*>(data), size));
  o.env_kubeconfig = "";
  o.home = root.path() + "/nohome";
  o.host_root = root.path() + "/noroot";
  (void)ketcd::kubeclient::LoadKubeconfig(o);
  return 0;
}
