#include "pkg/etcdclient/tls_probe.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>

namespace ketcd::etcdclient {
namespace {

// A stopped etcd (SIGSTOP): its listening socket's backlog accepts connections, nothing
// ever answers. The probe (no diagnosis to give) returns by its deadline; it once read
// forever when a connection completed with no time left.
TEST(ProbeEndpoint, AListenerThatNeverAnswersEndsAtTheDeadline) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 64), 0);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  Endpoint ep{"http", "127.0.0.1", ntohs(addr.sin_port)};

  std::promise<absl::Status> done;
  std::future<absl::Status> result = done.get_future();
  std::thread([ep, p = std::move(done)]() mutable {
    p.set_value(ProbeEndpoint(ep, TlsFiles(), std::chrono::milliseconds(300)));
  }).detach();  // detached: a probe that hangs must fail the test, not hang it
  auto start = std::chrono::steady_clock::now();
  ASSERT_EQ(result.wait_for(std::chrono::seconds(10)), std::future_status::ready) << "the probe never returned";
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  EXPECT_TRUE(result.get().ok());  // nothing to say about such a listener
  ::close(fd);
}

}  // namespace
}  // namespace ketcd::etcdclient
