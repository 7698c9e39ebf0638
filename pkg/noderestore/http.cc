#include "pkg/noderestore/http.h"

#include <curl/curl.h>

#include <cctype>
#include <cstdlib>
#include <memory>
#include <mutex>

#include "absl/strings/str_cat.h"

namespace ketcd::noderestore {
namespace {

size_t Append(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

using CurlPtr = std::unique_ptr<CURL, void (*)(CURL*)>;

CurlPtr NewCurl() {
  static std::once_flag init;
  std::call_once(init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  return CurlPtr(curl_easy_init(), curl_easy_cleanup);
}

}  // namespace

long ProbeHttps(const std::string& host, int port, const std::string& path, long timeout_ms) {
  CurlPtr curl = NewCurl();
  if (!curl) return 0;
  CURL* h = curl.get();
  std::string url = absl::StrCat("https://", host, ":", port, path);
  std::string body;
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, Append);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
  if (curl_easy_perform(h) != CURLE_OK) return 0;
  long code = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
  return code;
}

namespace {
size_t Header(char* data, size_t size, size_t n, void* out) {
  std::string line(data, size * n);
  const std::string key = "x-etcd-cluster-id:";
  if (line.size() > key.size()) {
    std::string head = line.substr(0, key.size());
    for (char& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (head == key) {
      std::string v = line.substr(key.size());
      *static_cast<uint64_t*>(out) = std::strtoull(v.c_str(), nullptr, 16);
    }
  }
  return size * n;
}
}  // namespace

uint64_t PeerClusterId(const std::string& peer_url, const std::string& ca_file, const std::string& cert_file,
                       const std::string& key_file, long timeout_ms) {
  CurlPtr curl = NewCurl();
  if (!curl) return 0;
  CURL* h = curl.get();
  std::string url = peer_url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  url += "/members";
  std::string body;
  uint64_t id = 0;
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https,http");  // a peer URL from a manifest
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, Append);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, Header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &id);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  if (!ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, ca_file.c_str());
  if (!cert_file.empty()) {
    curl_easy_setopt(h, CURLOPT_SSLCERT, cert_file.c_str());
    curl_easy_setopt(h, CURLOPT_SSLKEY, key_file.c_str());
  }
  // Peer certificates name the node, not necessarily the address in the URL.
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
  // etcd's peer listener serves the members list over HTTP/1.1 only: offered h2 through
  // ALPN, it answers with a broken stream (3.4) or an empty reply (3.6).
  curl_easy_setopt(h, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
  if (curl_easy_perform(h) != CURLE_OK) return 0;
  return id;
}

}  // namespace ketcd::noderestore
