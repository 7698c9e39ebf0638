// libFuzzer target: what a kubeconfig exec credential plugin prints on stdout (an
// ExecCredential in JSON), read into the credentials of the connection.
#include <cstddef>
#include <cstdint>
#include <string>

#include "pkg/kubeclient/kubeconfig.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ketcd::kubeclient;
  const std::string output(reinterpret_cast<const char*>(data), size);
  for (const char* version : {"client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"}) {
    RestConfig cfg;
    cfg.exec = ExecConfig{};
    cfg.exec->api_version = version;
    (void)ParseExecCredential(output, "plugin", &cfg);
  }
  return 0;
}
