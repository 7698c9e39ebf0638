// The harness itself: what every child of an end-to-end test gets.
#include <cstdlib>
#include <filesystem>

#include "tests/e2e/harness.h"

namespace ketcd::e2e {
namespace {

// A developer's own cluster must not be reachable from a test: children get a scratch
// HOME (no ~/.kube/config) and no KUBECONFIG, whatever the runner has, unless the test
// passes them.
TEST(HarnessE2e, ChildrenGetAScratchHomeAndNoKubeconfig) {
  ::setenv("KUBECONFIG", "/root/.kube/config", 1);
  CommandResult r = e2e::Run({"/usr/bin/env"});
  ::unsetenv("KUBECONFIG");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r.out = "\n" + r.out;  // every entry starts a line
  EXPECT_EQ(r.out.find("KUBECONFIG="), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\nHOME=" + ScratchHome() + "\n"), std::string::npos) << r.out;
  EXPECT_TRUE(std::filesystem::is_directory(ScratchHome()));
  EXPECT_TRUE(std::filesystem::is_empty(ScratchHome()));
  EXPECT_EQ(ScratchHome().rfind(std::filesystem::temp_directory_path().string(), 0), 0u) << ScratchHome();

  r = e2e::Run({"/usr/bin/env"}, {{"KUBECONFIG", "/x/kubeconfig"}, {"HOME", "/x"}});
  r.out = "\n" + r.out;
  EXPECT_NE(r.out.find("\nKUBECONFIG=/x/kubeconfig\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\nHOME=/x\n"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace ketcd::e2e
