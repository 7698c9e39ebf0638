#include "pkg/remote/process.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ketcd::remote {
namespace {

using ::testing::HasSubstr;

TEST(SystemProcesses, RunCollectsOutputAndExitCode) {
  auto p = SystemProcesses();
  auto r = p->Run({"/bin/sh", "-c", "echo out; echo err >&2; exit 3"}, std::chrono::seconds(10));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->exit_code, 3);
  EXPECT_EQ(r->out, "out\n");
  EXPECT_EQ(r->err, "err\n");
}

TEST(SystemProcesses, RunStopsAtTheTimeout) {
  auto p = SystemProcesses();
  auto r = p->Run({"/bin/sh", "-c", "sleep 30"}, std::chrono::milliseconds(300));
  EXPECT_TRUE(absl::IsDeadlineExceeded(r.status())) << r.status();
}

TEST(SystemProcesses, MissingProgramIsNotFound) {
  auto p = SystemProcesses();
  auto r = p->Run({"/nonexistent/kubectl"}, std::chrono::seconds(1));
  EXPECT_TRUE(absl::IsNotFound(r.status())) << r.status();
  EXPECT_FALSE(p->Start({"/nonexistent/kubectl"}).ok());
}

TEST(SystemProcesses, ChildLinesThenEnd) {
  auto p = SystemProcesses();
  auto c = p->Start({"/bin/sh", "-c", "echo one; echo two; echo bad >&2"});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(*(*c)->ReadLine(std::chrono::seconds(5)), "one");
  EXPECT_EQ(*(*c)->ReadLine(std::chrono::seconds(5)), "two");
  auto end = (*c)->ReadLine(std::chrono::seconds(5));
  EXPECT_TRUE(absl::IsUnavailable(end.status())) << end.status();
  EXPECT_THAT(end.status().message(), HasSubstr("bad"));
}

TEST(SystemProcesses, StopEndsALongChild) {
  auto p = SystemProcesses();
  auto c = p->Start({"/bin/sh", "-c", "echo ready; exec sleep 60"});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(*(*c)->ReadLine(std::chrono::seconds(5)), "ready");
  EXPECT_TRUE(absl::IsDeadlineExceeded((*c)->ReadLine(std::chrono::milliseconds(200)).status()));
  EXPECT_TRUE((*c)->Running());
  (*c)->Stop();
  EXPECT_FALSE((*c)->Running());
}

}  // namespace
}  // namespace ketcd::remote
