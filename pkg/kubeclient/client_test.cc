// Client::Request against a one-request HTTP server in the test process: method, path,
// body, headers and credentials on the wire, and the mapping of replies to Status codes.
// TLS and client certificates are covered against an HTTPS server by discovery's
// apiserver_test.cc.
#include "pkg/kubeclient/client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "absl/strings/str_cat.h"
#include "pkg/fsutil/test_dir.h"

namespace ketcd::kubeclient {
namespace {

using ::testing::HasSubstr;

// Accepts one connection on 127.0.0.1, keeps the request it reads and sends `reply`.
class OneShotServer {
 public:
  OneShotServer(int code, const std::string& body) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&a), len), 0);
    EXPECT_EQ(::listen(fd_, 1), 0);
    EXPECT_EQ(::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len), 0);
    port_ = ntohs(a.sin_port);
    std::string reply =
        absl::StrCat("HTTP/1.1 ", code, " X\r\nContent-Type: application/json\r\nContent-Length: ", body.size(),
                     "\r\nConnection: close\r\n\r\n", body);
    thread_ = std::thread([this, reply] { Serve(reply); });
  }
  ~OneShotServer() {
    thread_.join();
    ::close(fd_);
  }
  std::string url() const { return absl::StrCat("http://127.0.0.1:", port_); }
  // The request as received; valid once the client has its reply.
  const std::string& request() const { return request_; }

 private:
  void Serve(const std::string& reply) {
    int c = ::accept(fd_, nullptr, nullptr);
    if (c < 0) return;
    char buf[4096];
    while (true) {
      size_t head = request_.find("\r\n\r\n");
      if (head != std::string::npos) {
        size_t cl = request_.find("Content-Length: ");
        size_t want = cl == std::string::npos ? 0 : std::stoul(request_.substr(cl + 16));
        if (request_.size() >= head + 4 + want) break;
      }
      ssize_t n = ::read(c, buf, sizeof buf);
      if (n <= 0) break;
      request_.append(buf, static_cast<size_t>(n));
    }
    (void)!::write(c, reply.data(), reply.size());
    ::close(c);
  }
  int fd_ = -1;
  int port_ = 0;
  std::string request_;
  std::thread thread_;
};

RestConfig Config(const std::string& server) {
  RestConfig rc;
  rc.server = server + "/";
  rc.context = "ctx";
  rc.user_name = "admin";
  rc.auth_method = "bearer token";
  rc.token = "s3cret";
  return rc;
}

TEST(ClientTest, PutSendsMethodPathBodyAndCredentials) {
  OneShotServer srv(200, R"({"kind":"ConfigMap"})");
  auto c = Client::Create(Config(srv.url()), 5);
  ASSERT_TRUE(c.ok()) << c.status();
  auto got = c->Request("PUT", "/api/v1/namespaces/kube-system/configmaps/x", R"({"data":{}})");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ((*got)["kind"], "ConfigMap");
  const std::string& req = srv.request();
  EXPECT_THAT(req, ::testing::StartsWith("PUT /api/v1/namespaces/kube-system/configmaps/x HTTP/1.1\r\n"));
  EXPECT_THAT(req, HasSubstr("Authorization: Bearer s3cret\r\n"));
  EXPECT_THAT(req, HasSubstr("Content-Type: application/json\r\n"));
  EXPECT_THAT(req, HasSubstr("Accept: application/json\r\n"));
  EXPECT_THAT(req, HasSubstr("User-Agent: kubectl-etcd/"));
  EXPECT_THAT(req, ::testing::EndsWith("\r\n\r\n{\"data\":{}}"));
}

TEST(ClientTest, GetWithBasicAuthSendsNoBody) {
  OneShotServer srv(200, "{}");
  RestConfig rc = Config(srv.url());
  rc.token.clear();
  rc.username = "u";
  rc.password = "p";
  auto c = Client::Create(rc, 5);
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_TRUE(c->Get("/api/v1/pods?labelSelector=a").ok());
  EXPECT_THAT(srv.request(), ::testing::StartsWith("GET /api/v1/pods?labelSelector=a HTTP/1.1\r\n"));
  EXPECT_THAT(srv.request(), HasSubstr("Authorization: Basic dTpw\r\n"));
  EXPECT_THAT(srv.request(), ::testing::Not(HasSubstr("Content-Type")));
}

TEST(ClientTest, ErrorRepliesKeepTheServersMessageAndTheContext) {
  OneShotServer srv(409, R"({"kind":"Status","message":"the object has been modified","code":409})");
  auto c = Client::Create(Config(srv.url()), 5);
  ASSERT_TRUE(c.ok()) << c.status();
  auto got = c->Request("PUT", "/api/v1/x", "{}");
  EXPECT_EQ(got.status().code(), absl::StatusCode::kAborted) << got.status();
  EXPECT_EQ(std::string(got.status().message()),
            absl::StrCat("API server ", srv.url(), "/: PUT /api/v1/x: HTTP 409: the object has been modified",
                         " (context ctx, user admin, bearer token)"));
}

TEST(ClientTest, ReplyThatIsNotJson) {
  OneShotServer srv(200, "<html>");
  auto c = Client::Create(Config(srv.url()), 5);
  ASSERT_TRUE(c.ok()) << c.status();
  auto got = c->Get("/healthz");
  EXPECT_EQ(got.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(got.status().message()), HasSubstr("reply is not JSON"));
}

TEST(ClientTest, HttpStatusCodes) {
  EXPECT_EQ(CodeForHttpStatus(401), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(CodeForHttpStatus(403), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(CodeForHttpStatus(404), absl::StatusCode::kNotFound);
  EXPECT_EQ(CodeForHttpStatus(409), absl::StatusCode::kAborted);
  EXPECT_EQ(CodeForHttpStatus(500), absl::StatusCode::kUnavailable);
  EXPECT_EQ(CodeForHttpStatus(302), absl::StatusCode::kUnavailable);
}

// A kubeconfig's server is fetched over HTTPS or HTTP only: file:// would read (and the
// error message would quote) a local file.
TEST(ClientTest, OnlyHttpAndHttpsServersAreFetched) {
  fsutil::TestDir dir;
  dir.Write("/srv/api/v1/pods", "SECRET-FILE-CONTENT");
  RestConfig rc;
  rc.server = "file://" + dir.path() + "/srv";
  rc.context = "c";
  auto api = Client::Create(rc, 5);
  ASSERT_TRUE(api.ok()) << api.status();
  auto got = api->Get("/api/v1/pods");
  ASSERT_FALSE(got.ok());
  EXPECT_THAT(std::string(got.status().message()), ::testing::Not(HasSubstr("SECRET-FILE-CONTENT")));
  EXPECT_EQ(got.status().code(), absl::StatusCode::kUnavailable) << got.status();
}

}  // namespace
}  // namespace ketcd::kubeclient
