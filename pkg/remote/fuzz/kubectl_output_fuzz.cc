// libFuzzer target: what kubectl children print, read as the remote path reads it (the
// "=== PATH" file dump of kubectl exec, the "Forwarding from" line, exec errors).
#include <cstddef>
#include <cstdint>
#include <string>

#include "pkg/remote/credentials.h"
#include "pkg/remote/kubectl.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ketcd::remote;
  std::string text(reinterpret_cast<const char*>(data), size);
  auto dump = ParseFileDump(text);
  if (dump.ok()) (void)CredentialsFromDump(*dump, "/ca.crt", {{"/c.crt", "/c.key"}}, "cp1");
  (void)ParseForwardingLine(text);
  (void)ClassifyExecFailure(1, text);
  return 0;
}
