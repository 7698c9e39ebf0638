#include "cmd/kubectl-etcd/connection.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace ketcd::cmd {
namespace {

absl::StatusOr<Connection> Resolve(std::vector<std::string> args) {
  cxxopts::Options options("t");
  AddConnectionFlags(options);
  args.insert(args.begin(), {"t", "--endpoints", "http://127.0.0.1:2379"});
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  auto parsed = options.parse(static_cast<int>(argv.size()), argv.data());
  return ConnectionFrom(parsed, std::nullopt);
}

std::string WriteTemp(const std::string& text) {
  std::string path = ::testing::TempDir() + "/password_" + std::to_string(::getpid());
  std::ofstream(path, std::ios::trunc) << text;
  return path;
}

class PasswordTest : public ::testing::Test {
 protected:
  void SetUp() override { ::unsetenv("ETCDCTL_PASSWORD"); }
  void TearDown() override { ::unsetenv("ETCDCTL_PASSWORD"); }
};

TEST_F(PasswordTest, FromFileWithoutItsNewline) {
  auto c = Resolve({"--user", "root", "--password-file", WriteTemp("s3cret pass\r\n")});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->config.user, "root");
  EXPECT_EQ(c->config.password, "s3cret pass");
}

TEST_F(PasswordTest, FromTheEnvironmentWhenNoFlagGivesOne) {
  ::setenv("ETCDCTL_PASSWORD", "from-env", 1);
  auto c = Resolve({"--user", "root"});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->config.password, "from-env");
  c = Resolve({"--user", "root", "--password", "flag"});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->config.password, "flag");
  c = Resolve({"--user", "root:colon"});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->config.password, "colon");
  c = Resolve({});  // no user: no authentication, whatever the environment says
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->config.password, "");
}

TEST_F(PasswordTest, Conflicts) {
  EXPECT_EQ(Resolve({"--user", "u", "--password", "a", "--password-file", WriteTemp("b")}).status().code(),
            absl::StatusCode::kInvalidArgument);
  auto c = Resolve({"--password-file", WriteTemp("b")});
  EXPECT_EQ(c.status().message(), "--password-file needs --user");
  c = Resolve({"--password", "b"});
  EXPECT_EQ(c.status().message(), "--password needs --user");
  c = Resolve({"--user", "u", "--password-file", "/nonexistent/pw"});
  EXPECT_EQ(c.status().code(), absl::StatusCode::kNotFound) << c.status();
}

TEST(RunCatchingExceptionsTest, AnEscapedExceptionIsExitCodeOne) {
  std::ostringstream err;
  EXPECT_EQ(RunCatchingExceptions([] { return 6; }, err), 6);
  EXPECT_EQ(err.str(), "");
  EXPECT_EQ(RunCatchingExceptions([]() -> int { throw std::out_of_range("stoll"); }, err), 1);
  EXPECT_EQ(err.str(), "error: internal error: stoll\n");
}

}  // namespace
}  // namespace ketcd::cmd
