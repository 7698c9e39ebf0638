// HTTPS GETs against the Kubernetes API with libcurl. Credentials stay in memory: PEM
// blobs for the CA and client certificate (CURLOPT_*_BLOB, curl >= 7.71/7.77).
#include "pkg/discovery/apiserver_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <memory>
#include <mutex>

#include "absl/strings/str_cat.h"

namespace ketcd::discovery {
namespace {

size_t Append(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

curl_blob Blob(const std::string& s) {
  return curl_blob{const_cast<char*>(s.data()), s.size(), CURL_BLOB_COPY};
}

// The server's Status message, if the body is a metav1.Status.
std::string StatusMessage(const std::string& body) {
  nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  auto str = [&](const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  if (j.is_object() && str("kind") == "Status") return str("message");
  return body.size() > 200 ? body.substr(0, 200) : body;
}

}  // namespace

absl::StatusOr<ApiClient> ApiClient::Create(RestConfig config, long timeout_seconds) {
  static std::once_flag init;
  std::call_once(init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (config.exec) KETCD_RETURN_IF_ERROR(RunExecPlugin(&config));
  return ApiClient(std::move(config), timeout_seconds);
}

absl::StatusOr<nlohmann::json> ApiClient::Get(const std::string& path) const {
  std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return absl::InternalError("curl_easy_init failed");
  CURL* h = curl.get();
  std::string server = config_.server;
  while (!server.empty() && server.back() == '/') server.pop_back();
  std::string url = server + path;
  std::string body;
  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  // The server comes from a kubeconfig: never file://, scp:// or any other protocol.
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https,http");
  curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "https,http");
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, Append);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(h, CURLOPT_TIMEOUT, timeout_);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, std::min(timeout_, 10L));
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_USERAGENT, "kubectl-etcd/" KETCD_VERSION);
  struct curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, "Accept: application/json");
  std::string auth;
  if (!config_.token.empty()) {
    auth = "Authorization: Bearer " + config_.token;
    headers = curl_slist_append(headers, auth.c_str());
  } else if (!config_.username.empty()) {
    curl_easy_setopt(h, CURLOPT_USERNAME, config_.username.c_str());
    curl_easy_setopt(h, CURLOPT_PASSWORD, config_.password.c_str());
  }
  std::unique_ptr<curl_slist, void (*)(curl_slist*)> header_guard(headers, curl_slist_free_all);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  if (!config_.ca_pem.empty()) {
    curl_blob ca = Blob(config_.ca_pem);
    curl_easy_setopt(h, CURLOPT_CAINFO_BLOB, &ca);
  }
  if (!config_.client_cert_pem.empty()) {
    curl_blob crt = Blob(config_.client_cert_pem), key = Blob(config_.client_key_pem);
    curl_easy_setopt(h, CURLOPT_SSLCERT_BLOB, &crt);
    curl_easy_setopt(h, CURLOPT_SSLCERTTYPE, "PEM");
    curl_easy_setopt(h, CURLOPT_SSLKEY_BLOB, &key);
    curl_easy_setopt(h, CURLOPT_SSLKEYTYPE, "PEM");
  }
  if (config_.insecure_skip_tls_verify) {
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  // tls-server-name: SNI and the name checked in the certificate. libcurl checks the URL
  // host, so connect to the real address while the URL carries the expected name.
  struct curl_slist* resolve = nullptr;
  std::unique_ptr<curl_slist, void (*)(curl_slist*)> resolve_guard(nullptr, curl_slist_free_all);
  if (!config_.tls_server_name.empty()) {
    CURLU* u = curl_url();
    char* host = nullptr;
    char* port = nullptr;
    if (curl_url_set(u, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
      curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT);
      std::string connect_to = absl::StrCat(config_.tls_server_name, ":", port ? port : "443", ":", host, ":",
                                            port ? port : "443");
      resolve = curl_slist_append(resolve, connect_to.c_str());
      resolve_guard.reset(resolve);
      curl_easy_setopt(h, CURLOPT_CONNECT_TO, resolve);
      curl_url_set(u, CURLUPART_HOST, config_.tls_server_name.c_str(), 0);
      char* rewritten = nullptr;
      if (curl_url_get(u, CURLUPART_URL, &rewritten, 0) == CURLUE_OK) {
        url = rewritten;
        curl_free(rewritten);
        curl_easy_setopt(h, CURLOPT_URL, url.c_str());
      }
    }
    curl_free(host);
    curl_free(port);
    curl_url_cleanup(u);
  }

  CURLcode rc = curl_easy_perform(h);
  if (rc != CURLE_OK) {
    std::string why = errbuf[0] ? errbuf : curl_easy_strerror(rc);
    return absl::UnavailableError(absl::StrCat("API server ", config_.server, ": GET ", path, ": ", why));
  }
  long code = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
  if (code != 200) {
    std::string msg = absl::StrCat("API server ", config_.server, ": GET ", path, ": HTTP ", code, ": ",
                                   StatusMessage(body), " (context ", config_.context, ", user ",
                                   config_.user_name, ", ", config_.auth_method, ")");
    if (code == 401) return absl::UnauthenticatedError(msg);
    if (code == 403) return absl::PermissionDeniedError(msg);
    if (code == 404) return absl::NotFoundError(msg);
    return absl::UnavailableError(msg);
  }
  nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded()) {
    return absl::UnavailableError(absl::StrCat("API server ", config_.server, ": GET ", path, ": reply is not JSON"));
  }
  return j;
}

}  // namespace ketcd::discovery
