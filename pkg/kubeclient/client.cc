// Client::Request over libcurl. Credentials stay in memory: PEM blobs for the CA and the
// client certificate (CURLOPT_*_BLOB, curl >= 7.71/7.77).
#include "pkg/kubeclient/client.h"

#include <curl/curl.h>

#include <algorithm>
#include <memory>
#include <mutex>

#include "absl/strings/str_cat.h"

namespace ketcd::kubeclient {
namespace {

using CurlPtr = std::unique_ptr<CURL, void (*)(CURL*)>;
using SlistPtr = std::unique_ptr<curl_slist, void (*)(curl_slist*)>;

size_t Append(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

curl_blob Blob(const std::string& s) { return curl_blob{const_cast<char*>(s.data()), s.size(), CURL_BLOB_COPY}; }

// The server's Status message, if the body is a metav1.Status; else the start of the body.
std::string StatusMessage(const std::string& body) {
  nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  auto str = [&](const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  if (j.is_object() && str("kind") == "Status") return str("message");
  return body.size() > 200 ? body.substr(0, 200) : body;
}

// Headers and credentials: bearer token, else basic auth; CA and client certificate.
// The returned list must outlive the transfer.
SlistPtr SetAuth(CURL* h, const RestConfig& config, bool has_body) {
  curl_slist* headers = curl_slist_append(nullptr, "Accept: application/json");
  if (has_body) headers = curl_slist_append(headers, "Content-Type: application/json");
  if (!config.token.empty()) {
    headers = curl_slist_append(headers, ("Authorization: Bearer " + config.token).c_str());
  } else if (!config.username.empty()) {
    curl_easy_setopt(h, CURLOPT_USERNAME, config.username.c_str());
    curl_easy_setopt(h, CURLOPT_PASSWORD, config.password.c_str());
  }
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  // CURL_BLOB_COPY: libcurl keeps its own copy, the curl_blob itself may go.
  if (!config.ca_pem.empty()) {
    curl_blob ca = Blob(config.ca_pem);
    curl_easy_setopt(h, CURLOPT_CAINFO_BLOB, &ca);
  }
  if (!config.client_cert_pem.empty()) {
    curl_blob crt = Blob(config.client_cert_pem), key = Blob(config.client_key_pem);
    curl_easy_setopt(h, CURLOPT_SSLCERT_BLOB, &crt);
    curl_easy_setopt(h, CURLOPT_SSLCERTTYPE, "PEM");
    curl_easy_setopt(h, CURLOPT_SSLKEY_BLOB, &key);
    curl_easy_setopt(h, CURLOPT_SSLKEYTYPE, "PEM");
  }
  if (config.insecure_skip_tls_verify) {
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  return SlistPtr(headers, curl_slist_free_all);
}

// tls-server-name: SNI and the name checked in the certificate. libcurl checks the URL
// host, so the URL carries the expected name and CURLOPT_CONNECT_TO the real address.
// Rewrites *url; the returned list must outlive the transfer.
SlistPtr SetServerName(CURL* h, const std::string& server_name, std::string* url) {
  SlistPtr connect_to(nullptr, curl_slist_free_all);
  if (server_name.empty()) return connect_to;
  std::unique_ptr<CURLU, void (*)(CURLU*)> u(curl_url(), curl_url_cleanup);
  char* host = nullptr;
  char* port = nullptr;
  if (curl_url_set(u.get(), CURLUPART_URL, url->c_str(), 0) == CURLUE_OK &&
      curl_url_get(u.get(), CURLUPART_HOST, &host, 0) == CURLUE_OK) {
    curl_url_get(u.get(), CURLUPART_PORT, &port, CURLU_DEFAULT_PORT);
    const char* p = port ? port : "443";
    connect_to.reset(curl_slist_append(nullptr, absl::StrCat(server_name, ":", p, ":", host, ":", p).c_str()));
    curl_easy_setopt(h, CURLOPT_CONNECT_TO, connect_to.get());
    curl_url_set(u.get(), CURLUPART_HOST, server_name.c_str(), 0);
    char* rewritten = nullptr;
    if (curl_url_get(u.get(), CURLUPART_URL, &rewritten, 0) == CURLUE_OK) {
      *url = rewritten;
      curl_free(rewritten);
    }
  }
  curl_free(host);
  curl_free(port);
  return connect_to;
}

}  // namespace

absl::StatusCode CodeForHttpStatus(long http_status) {
  switch (http_status) {
    case 401:
      return absl::StatusCode::kUnauthenticated;
    case 403:
      return absl::StatusCode::kPermissionDenied;
    case 404:
      return absl::StatusCode::kNotFound;
    case 409:
      return absl::StatusCode::kAborted;
    default:
      return absl::StatusCode::kUnavailable;
  }
}

absl::StatusOr<Client> Client::Create(RestConfig config, long timeout_seconds) {
  static std::once_flag init;
  std::call_once(init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (config.exec) KETCD_RETURN_IF_ERROR(RunExecPlugin(&config));
  return Client(std::move(config), timeout_seconds);
}

absl::StatusOr<nlohmann::json> Client::Request(const std::string& method, const std::string& path,
                                               const std::string& body) const {
  CurlPtr curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return absl::InternalError("curl_easy_init failed");
  CURL* h = curl.get();
  std::string server = config_.server;
  while (!server.empty() && server.back() == '/') server.pop_back();
  std::string url = server + path;
  std::string reply;
  char errbuf[CURL_ERROR_SIZE] = {0};
  // The server comes from a kubeconfig: never file://, scp:// or any other protocol.
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https,http");
  curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "https,http");
  curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method.c_str());
  if (!body.empty()) {
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  }
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, Append);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &reply);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(h, CURLOPT_TIMEOUT, timeout_);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, std::min(timeout_, 10L));
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_USERAGENT, "kubectl-etcd/" KETCD_VERSION);
  SlistPtr headers = SetAuth(h, config_, !body.empty());
  SlistPtr connect_to = SetServerName(h, config_.tls_server_name, &url);
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());

  std::string what = absl::StrCat("API server ", config_.server, ": ", method, " ", path);
  CURLcode rc = curl_easy_perform(h);
  if (rc != CURLE_OK) {
    return absl::UnavailableError(absl::StrCat(what, ": ", errbuf[0] ? errbuf : curl_easy_strerror(rc)));
  }
  long code = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
  if (code < 200 || code > 299) {
    return absl::Status(CodeForHttpStatus(code),
                        absl::StrCat(what, ": HTTP ", code, ": ", StatusMessage(reply), " (context ", config_.context,
                                     ", user ", config_.user_name, ", ", config_.auth_method, ")"));
  }
  nlohmann::json j = nlohmann::json::parse(reply, nullptr, false);
  if (j.is_discarded()) return absl::UnavailableError(absl::StrCat(what, ": reply is not JSON"));
  return j;
}

}  // namespace ketcd::kubeclient
