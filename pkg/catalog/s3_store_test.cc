#include "pkg/catalog/s3_store.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <functional>
#include <mutex>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "pkg/catalog/catalog.h"

namespace ketcd::catalog {
namespace {

// An HTTP server on 127.0.0.1 that answers each request (one per connection) with what
// `handler` returns for "METHOD /path?query" and its headers, and records the requests.
// Signatures are not checked: this is about what the store asks and how it reads replies.
class FakeS3 {
 public:
  struct Reply {
    int status = 200;
    std::string body;
  };
  using Handler = std::function<Reply(const std::string& request_line, const std::string& headers)>;

  explicit FakeS3(Handler handler) : handler_(std::move(handler)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), len) != 0 || ::listen(fd_, 16) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
      ADD_FAILURE() << "cannot listen on 127.0.0.1";
      return;
    }
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~FakeS3() {
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    if (thread_.joinable()) thread_.join();
  }
  std::string endpoint() const { return absl::StrCat("http://127.0.0.1:", port_); }
  std::vector<std::string> Requests() {
    std::lock_guard<std::mutex> l(mu_);
    return requests_;
  }

 private:
  void Serve() {
    for (;;) {
      int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) return;
      std::string in;
      char buf[4096];
      while (in.find("\r\n\r\n") == std::string::npos) {
        ssize_t n = ::read(c, buf, sizeof buf);
        if (n <= 0) break;
        in.append(buf, static_cast<size_t>(n));
      }
      std::string line = in.substr(0, in.find("\r\n"));
      line = line.substr(0, line.rfind(' '));  // no " HTTP/1.1"
      {
        std::lock_guard<std::mutex> l(mu_);
        requests_.push_back(line);
      }
      Reply r = handler_(line, in);
      std::string out = absl::StrCat("HTTP/1.1 ", r.status, " X\r\nContent-Length: ", r.body.size(),
                                     "\r\nConnection: close\r\n\r\n", r.body);
      for (size_t off = 0; off < out.size();) {
        ssize_t n = ::write(c, out.data() + off, out.size() - off);
        if (n <= 0) break;
        off += static_cast<size_t>(n);
      }
      ::close(c);
    }
  }

  Handler handler_;
  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::vector<std::string> requests_;
};

std::shared_ptr<const s3::Client> ClientFor(const FakeS3& fake) {
  s3::Config c;
  c.endpoint = fake.endpoint();
  c.region = "us-east-1";
  c.credentials = {"AKID", "SECRET", "", "test"};
  s3::Client::Options o;
  o.attempts = 1;
  return std::make_shared<s3::Client>(c, o);
}

std::string Contents(const std::string& key, uint64_t size, const std::string& modified) {
  return absl::StrCat("<Contents><Key>", key, "</Key><LastModified>", modified, "</LastModified><Size>", size,
                      "</Size></Contents>");
}

std::string ListResult(const std::string& inner, const std::string& next_token = "") {
  return absl::StrCat("<ListBucketResult><IsTruncated>", next_token.empty() ? "false" : "true", "</IsTruncated>",
                      next_token.empty() ? "" : "<NextContinuationToken>" + next_token + "</NextContinuationToken>",
                      inner, "</ListBucketResult>");
}

std::string NoUploads() {
  return "<ListMultipartUploadsResult><IsTruncated>false</IsTruncated></ListMultipartUploadsResult>";
}

TEST(S3StoreTest, ParsesS3TimesAndNamesUnderThePrefix) {
  EXPECT_EQ(*ParseS3Time("2026-03-14T02:00:00.000Z"), 1773453600);
  EXPECT_EQ(*ParseS3Time("2026-03-14T02:00:00Z"), 1773453600);
  EXPECT_FALSE(ParseS3Time("Sat, 14 Mar 2026 02:00:00 GMT").ok());
  EXPECT_FALSE(ParseS3Time("").ok());

  EXPECT_EQ(RelativeName("etcd/", "etcd/a.db", false), "a.db");
  EXPECT_EQ(RelativeName("etcd/", "etcd/", false), "");
  EXPECT_EQ(RelativeName("etcd/", "etcd/sub/", true), "");
  EXPECT_EQ(RelativeName("etcd/", "etcd/sub/a.db", false), "");
  EXPECT_EQ(RelativeName("etcd/", "etcd/sub/a.db", true), "sub/a.db");
  EXPECT_EQ(RelativeName("etcd/", "other/a.db", true), "");
  EXPECT_EQ(RelativeName("", "a.db", false), "a.db");
}

// Two pages joined by the continuation token, the delimiter, times from LastModified, an
// old upload listed as KEY.part.
TEST(S3StoreTest, ListPagesThroughTokensAndShowsUploads) {
  FakeS3 fake([](const std::string& line, const std::string&) -> FakeS3::Reply {
    if (absl::StrContains(line, "uploads")) {
      return {200,
              "<ListMultipartUploadsResult><IsTruncated>false</IsTruncated><Upload><Key>etcd/k.db</Key>"
              "<UploadId>U1</UploadId><Initiated>2026-03-10T00:00:00.000Z</Initiated></Upload>"
              "</ListMultipartUploadsResult>"};
    }
    if (absl::StrContains(line, "continuation-token=T%2F2")) {
      return {200, ListResult(Contents("etcd/b.db", 7, "2026-03-12T00:00:00.000Z"))};
    }
    return {200, ListResult(Contents("etcd/", 0, "2026-03-01T00:00:00.000Z") +
                                Contents("etcd/a.db", 5, "2026-03-11T00:00:00.000Z"),
                            "T/2")};
  });
  S3Store store(ClientFor(fake), {"bkt", "etcd/"}, {});
  auto list = store.List();
  ASSERT_TRUE(list.ok()) << list.status();
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ((*list)[0].name, "a.db");
  EXPECT_EQ((*list)[0].size, 5u);
  EXPECT_EQ((*list)[0].modified, 1773187200);
  EXPECT_EQ((*list)[1].name, "b.db");
  EXPECT_EQ((*list)[2].name, "k.db.part");
  EXPECT_EQ((*list)[2].modified, 1773100800);
  auto reqs = fake.Requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[0], "GET /bkt/?delimiter=%2F&list-type=2&prefix=etcd%2F");
  EXPECT_EQ(reqs[1], "GET /bkt/?continuation-token=T%2F2&delimiter=%2F&list-type=2&prefix=etcd%2F");
}

// ReadSmall asks for a range and stops a server that sends the whole object anyway; an
// empty object is not asked for.
TEST(S3StoreTest, ReadSmallAsksForARangeAndStopsEarly) {
  std::string last_headers;
  FakeS3 fake([&](const std::string& line, const std::string& headers) -> FakeS3::Reply {
    if (absl::StrContains(line, "uploads")) return {200, NoUploads()};
    if (absl::StrContains(line, "list-type")) {
      return {200, ListResult(Contents("p/big.db", 1 << 20, "2026-03-11T00:00:00Z") +
                              Contents("p/empty.db", 0, "2026-03-11T00:00:00Z"))};
    }
    last_headers = headers;
    return {200, std::string(1 << 20, 'x')};  // ignores the range
  });
  S3Store store(ClientFor(fake), {"bkt", "p/"}, {});
  ASSERT_TRUE(store.List().ok());
  auto head = store.ReadSmall("big.db", 10);
  ASSERT_TRUE(head.ok()) << head.status();
  EXPECT_EQ(*head, std::string(10, 'x'));
  EXPECT_TRUE(absl::StrContains(last_headers, "range: bytes=0-9")) << last_headers;
  size_t before = fake.Requests().size();
  EXPECT_EQ(*store.ReadSmall("empty.db", 10), "");
  EXPECT_EQ(fake.Requests().size(), before);
}

// A missing key is removed already; a missing bucket is NotFound (exit 6), bad credentials
// Unauthenticated (exit 3).
TEST(S3StoreTest, ErrorsMapAsTheClientsDo) {
  FakeS3 fake([](const std::string& line, const std::string&) -> FakeS3::Reply {
    if (absl::StartsWith(line, "DELETE")) return {404, "<Error><Code>NoSuchKey</Code><Message>no</Message></Error>"};
    if (absl::StrContains(line, "/nobucket/")) {
      return {404, "<Error><Code>NoSuchBucket</Code><Message>no</Message></Error>"};
    }
    return {403, "<Error><Code>SignatureDoesNotMatch</Code><Message>bad</Message></Error>"};
  });
  S3Store store(ClientFor(fake), {"bkt", "p/"}, {});
  EXPECT_TRUE(store.Remove("gone.db").ok());
  EXPECT_TRUE(absl::IsUnauthenticated(store.List().status())) << store.List().status();
  S3Store missing(ClientFor(fake), {"nobucket", ""}, {});
  EXPECT_TRUE(absl::IsNotFound(missing.List().status()));
}

// An upload younger than the window may be a running backup: busy, not aborted; an older
// one is aborted; listing uploads refused is a warning, not a failure.
TEST(S3StoreTest, RemovingKeyPartAbortsOnlyOldUploads) {
  FakeS3 fake([](const std::string& line, const std::string&) -> FakeS3::Reply {
    if (absl::StartsWith(line, "DELETE")) return {204, ""};
    if (absl::StrContains(line, "uploads")) {
      return {200,
              "<ListMultipartUploadsResult><IsTruncated>false</IsTruncated>"
              "<Upload><Key>a.db</Key><UploadId>OLD</UploadId><Initiated>2026-03-10T00:00:00Z</Initiated></Upload>"
              "<Upload><Key>b.db</Key><UploadId>NEW</UploadId><Initiated>2026-03-10T23:00:00Z</Initiated></Upload>"
              "</ListMultipartUploadsResult>"};
    }
    return {200, ListResult("")};
  });
  S3StoreOptions o;
  o.now = [] { return int64_t{1773187200}; };  // 2026-03-11T00:00:00Z
  o.running_upload_seconds = 3 * 3600;
  S3Store store(ClientFor(fake), {"bkt", ""}, o);
  ASSERT_TRUE(store.List().ok());
  EXPECT_TRUE(store.Remove("a.db.part").ok());
  EXPECT_TRUE(absl::IsAlreadyExists(store.Remove("b.db.part")));
  auto reqs = fake.Requests();
  EXPECT_EQ(reqs.back(), "DELETE /bkt/a.db?uploadId=OLD");

  auto catalog = LoadCatalog(store);
  ASSERT_TRUE(catalog.ok());
  ASSERT_EQ(catalog->size(), 2u);
  EXPECT_EQ((*catalog)[0].state, State::kIncomplete);

  FakeS3 refused([](const std::string& line, const std::string&) -> FakeS3::Reply {
    if (absl::StrContains(line, "uploads"))
      return {403, "<Error><Code>AccessDenied</Code><Message>no</Message></Error>"};
    return {200, ListResult(Contents("a.db", 3, "2026-03-11T00:00:00Z"))};
  });
  std::string warned;
  S3Store quiet(ClientFor(refused), {"bkt", ""}, {.warn = [&](const std::string& m) { warned = m; }});
  auto list = quiet.List();
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_EQ(list->size(), 1u);
  EXPECT_TRUE(absl::StrContains(warned, "AccessDenied")) << warned;
}

}  // namespace
}  // namespace ketcd::catalog
