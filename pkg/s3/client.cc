// Client over libcurl: one easy handle per request, SigV4 headers, retries with backoff.
#include "pkg/s3/client.h"

#include <curl/curl.h>
#include <openssl/evp.h>

#include <atomic>
#include <cstring>
#include <ctime>
#include <memory>
#include <mutex>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "pkg/base/interrupt.h"
#include "pkg/s3/sigv4.h"
#include "pkg/s3/xml.h"

namespace ketcd::s3 {
namespace {

using CurlPtr = std::unique_ptr<CURL, void (*)(CURL*)>;
using SlistPtr = std::unique_ptr<curl_slist, void (*)(curl_slist*)>;

std::atomic<int64_t> g_max_send_speed{0};
constexpr size_t kMaxErrorBody = 1 << 20;

struct Transfer {
  std::string_view upload;
  size_t upload_pos = 0;
  Client::Response response;
  const Client::BodyFn* stream = nullptr;
  absl::Status stream_status;
  bool delivered = false;
  bool interruptible = true;
  bool too_big = false;
  CURL* handle = nullptr;
};

size_t ReadBody(char* buf, size_t size, size_t n, void* p) {
  auto* t = static_cast<Transfer*>(p);
  size_t len = std::min(size * n, t->upload.size() - t->upload_pos);
  std::memcpy(buf, t->upload.data() + t->upload_pos, len);
  t->upload_pos += len;
  return len;
}

size_t WriteBody(char* data, size_t size, size_t n, void* p) {
  auto* t = static_cast<Transfer*>(p);
  long code = 0;
  curl_easy_getinfo(t->handle, CURLINFO_RESPONSE_CODE, &code);
  if (t->stream != nullptr && *t->stream && code >= 200 && code <= 299) {
    t->delivered = true;
    t->stream_status = (*t->stream)(data, size * n);
    return t->stream_status.ok() ? size * n : 0;
  }
  const size_t limit = code >= 200 && code <= 299 ? kMaxXmlBytes : kMaxErrorBody;
  if (t->response.body.size() + size * n > limit) {
    t->too_big = true;
    return 0;
  }
  t->response.body.append(data, size * n);
  return size * n;
}

size_t Header(char* data, size_t size, size_t n, void* p) {
  auto* t = static_cast<Transfer*>(p);
  absl::string_view line(data, size * n);
  if (absl::StartsWith(line, "HTTP/")) t->response.headers.clear();  // a new response (after 100 Continue)
  size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    t->response.headers[absl::AsciiStrToLower(line.substr(0, colon))] =
        std::string(absl::StripAsciiWhitespace(line.substr(colon + 1)));
  }
  return size * n;
}

int Progress(void* p, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* t = static_cast<Transfer*>(p);
  return t->interruptible && Interrupted() ? 1 : 0;
}

// scheme://host[:port] split.
std::pair<std::string, std::string> SplitEndpoint(const std::string& endpoint) {
  size_t s = endpoint.find("://");
  std::string scheme = endpoint.substr(0, s);
  std::string authority = endpoint.substr(s + 3);
  authority = authority.substr(0, authority.find('/'));
  return {scheme, authority};
}

bool RetryableCode(const std::string& code, long http) {
  return http >= 500 || http == 429 || code == "SlowDown" || code == "RequestTimeout" || code == "InternalError";
}

}  // namespace

std::string ContentMd5(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_md5(), nullptr);
  return absl::Base64Escape(absl::string_view(reinterpret_cast<char*>(md), len));
}

void SetMaxSendSpeedForTests(int64_t bytes_per_second) { g_max_send_speed = bytes_per_second; }

const char* LockModeName(LockMode m) {
  switch (m) {
    case LockMode::kGovernance:
      return "GOVERNANCE";
    case LockMode::kCompliance:
      return "COMPLIANCE";
    case LockMode::kNone:
      break;
  }
  return "";
}

std::string Rfc3339(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::map<std::string, std::string> SseCustomerHeaders(const SseCustomerKey& key) {
  if (key.key.empty()) return {};
  return {{"x-amz-server-side-encryption-customer-algorithm", "AES256"},
          {"x-amz-server-side-encryption-customer-key", absl::Base64Escape(key.key)},
          {"x-amz-server-side-encryption-customer-key-md5", ContentMd5(key.key)}};
}

std::map<std::string, std::string> PutHeaders(const PutOptions& opts) {
  std::map<std::string, std::string> h = SseCustomerHeaders(opts.sse_c);
  if (opts.lock_mode != LockMode::kNone) {
    h["x-amz-object-lock-mode"] = LockModeName(opts.lock_mode);
    h["x-amz-object-lock-retain-until-date"] = Rfc3339(opts.retain_until);
  }
  if (opts.sse == Sse::kAes256) h["x-amz-server-side-encryption"] = "AES256";
  if (opts.sse == Sse::kKms) {
    h["x-amz-server-side-encryption"] = "aws:kms";
    if (!opts.kms_key_id.empty()) h["x-amz-server-side-encryption-aws-kms-key-id"] = opts.kms_key_id;
  }
  if (!opts.content_type.empty()) h["content-type"] = opts.content_type;
  return h;
}

Client::Client(Config config) : Client(std::move(config), Options()) {}

Client::Client(Config config, Options options) : config_(std::move(config)), options_(std::move(options)) {
  static std::once_flag init;
  std::call_once(init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (!options_.now) options_.now = [] { return static_cast<int64_t>(::time(nullptr)); };
  if (!options_.sleep) {
    options_.sleep = [](std::chrono::milliseconds d) {
      for (auto left = d; left.count() > 0 && !Interrupted(); left -= std::chrono::milliseconds(50)) {
        std::this_thread::sleep_for(std::min(left, std::chrono::milliseconds(50)));
      }
    };
  }
}

Client::Prepared Client::Prepare(const Request& req, int64_t now) const {
  auto [scheme, authority] = SplitEndpoint(config_.endpoint);
  std::string path;
  std::string host = authority;
  if (!req.bucket.empty() && UsePathStyle(config_, req.bucket)) {
    path = absl::StrCat("/", UriEncode(req.bucket, false), "/", UriEncode(req.key, true));
  } else {
    if (!req.bucket.empty()) host = absl::StrCat(req.bucket, ".", authority);
    path = absl::StrCat("/", UriEncode(req.key, true));
  }
  Prepared p;
  std::string query = CanonicalQuery(req.query);
  p.url = absl::StrCat(scheme, "://", host, path, query.empty() ? "" : "?", query);
  p.headers = req.headers;
  p.headers["host"] = host;
  p.headers["x-amz-date"] = AmzDate(now);
  p.headers["x-amz-content-sha256"] = Sha256Hex(req.body);
  if (!config_.credentials.session_token.empty()) {
    p.headers["x-amz-security-token"] = config_.credentials.session_token;
  }
  SigningInput in;
  in.method = req.method;
  in.encoded_path = path;
  in.query = req.query;
  in.headers = p.headers;
  in.payload_sha256_hex = p.headers["x-amz-content-sha256"];
  in.region = config_.region;
  in.amz_date = p.headers["x-amz-date"];
  p.headers["authorization"] =
      Sign(in, {config_.credentials.access_key_id, config_.credentials.secret_access_key}).authorization;
  return p;
}

std::string Client::Describe(const Request& req) const {
  return absl::StrCat("S3 ", req.what, " s3://", req.bucket, req.key.empty() ? "" : "/", req.key, " at ",
                      config_.endpoint);
}

absl::StatusOr<Client::Response> Client::Perform(const Request& req, const BodyFn& stream_body) const {
  std::chrono::milliseconds backoff = options_.first_backoff;
  absl::Status last;
  for (int attempt = 1;; attempt++) {
    bool retryable = false, delivered = false;
    absl::StatusOr<Response> r = PerformOnce(req, stream_body, &retryable, &delivered);
    if (r.ok() || !retryable || delivered || attempt >= options_.attempts) {
      if (!r.ok() && retryable && attempt > 1) {
        return absl::Status(r.status().code(), absl::StrCat(r.status().message(), " (after ", attempt, " attempts)"));
      }
      return r;
    }
    if (req.interruptible && Interrupted()) return absl::CancelledError("interrupted");
    options_.sleep(backoff);
    if (req.interruptible && Interrupted()) return absl::CancelledError("interrupted");
    backoff *= 2;
  }
}

absl::StatusOr<Client::Response> Client::PerformOnce(const Request& req, const BodyFn& stream_body, bool* retryable,
                                                     bool* delivered) const {
  CurlPtr curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return absl::InternalError("curl_easy_init failed");
  CURL* h = curl.get();
  Prepared p = Prepare(req, options_.now());
  Transfer t;
  t.upload = req.body;
  t.stream = &stream_body;
  t.interruptible = req.interruptible;
  t.handle = h;
  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(h, CURLOPT_URL, p.url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https,http");
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_USERAGENT, "kubectl-etcd/" KETCD_VERSION);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, static_cast<long>(options_.connect_timeout.count()));
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, static_cast<long>(options_.stall_timeout.count()));
  if (!config_.ca_bundle.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, config_.ca_bundle.c_str());
  if (int64_t limit = g_max_send_speed.load(); limit > 0) {
    curl_easy_setopt(h, CURLOPT_MAX_SEND_SPEED_LARGE, static_cast<curl_off_t>(limit));
  }
  if (req.method == "PUT" || req.method == "POST") {
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, ReadBody);
    curl_easy_setopt(h, CURLOPT_READDATA, &t);
    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req.method.c_str());
  } else if (req.method == "HEAD") {
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  } else if (req.method != "GET") {
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req.method.c_str());
  }
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, WriteBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, Header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, Progress);
  curl_easy_setopt(h, CURLOPT_XFERINFODATA, &t);
  curl_slist* list = curl_slist_append(nullptr, "Expect:");  // no 100-continue round trip
  for (const auto& [k, v] : p.headers) list = curl_slist_append(list, absl::StrCat(k, ": ", v).c_str());
  SlistPtr headers(list, curl_slist_free_all);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());

  const std::string what = Describe(req);
  CURLcode rc = curl_easy_perform(h);
  *delivered = t.delivered;
  if (rc != CURLE_OK) {
    if (rc == CURLE_ABORTED_BY_CALLBACK) return absl::CancelledError("interrupted");
    if (rc == CURLE_WRITE_ERROR && !t.stream_status.ok()) return t.stream_status;
    if (t.too_big) return absl::UnavailableError(absl::StrCat(what, ": the reply is too large"));
    *retryable = true;
    return absl::UnavailableError(absl::StrCat(what, ": ", errbuf[0] ? errbuf : curl_easy_strerror(rc)));
  }
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &t.response.http_status);
  const long code = t.response.http_status;
  if (code >= 200 && code <= 299) return std::move(t.response);

  absl::StatusOr<ErrorReply> err = ParseErrorReply(t.response.body);
  std::string s3code = err.ok() ? err->code : "";
  *retryable = RetryableCode(s3code, code);
  std::string detail;
  if (err.ok()) {
    detail = absl::StrCat(err->code, ": ", err->message);
  } else if (req.method == "HEAD" && code == 404) {
    detail = "not found";
    s3code = "NotFound";
  } else {
    detail = absl::StrCat("HTTP ", code, t.response.body.empty() ? "" : ": ",
                          t.response.body.substr(0, std::min<size_t>(t.response.body.size(), 200)));
  }
  absl::StatusCode status = CodeForS3Error(s3code, code);
  if (status == absl::StatusCode::kUnknown) {
    // A request S3 will not take as it is (InvalidRequest, a lock header on a bucket without
    // Object Lock...): the arguments' fault; anything else unexpected: the server's.
    status = code == 400 ? absl::StatusCode::kInvalidArgument
             : code < 500 ? absl::StatusCode::kFailedPrecondition
                          : absl::StatusCode::kUnavailable;
  }
  std::string hint;
  if (status == absl::StatusCode::kUnauthenticated) {
    hint = absl::StrCat(" (access key ", config_.credentials.access_key_id, " from ", config_.credentials.source,
                        ", region ", config_.region, ")");
  } else if (s3code == "NoSuchBucket") {
    hint = absl::StrCat(" (bucket \"", req.bucket, "\" does not exist at ", config_.endpoint, ")");
  } else if (s3code == "PermanentRedirect" || s3code == "AuthorizationHeaderMalformed" || code == 301) {
    hint = " (the bucket is in another region: set AWS_REGION or --s3-region)";
  }
  return absl::Status(status, absl::StrCat(what, ": ", detail, hint));
}

}  // namespace ketcd::s3
