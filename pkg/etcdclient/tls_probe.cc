#include "pkg/etcdclient/tls_probe.h"

#include <fcntl.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "pkg/etcdclient/resolve.h"

namespace ketcd::etcdclient {
namespace {

using Clock = std::chrono::steady_clock;

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

int RemainingMs(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left > 0 ? static_cast<int>(left) : 0;
}

// Connects a TCP socket (left in blocking mode with timeouts) or explains why not.
absl::StatusOr<int> Dial(const Endpoint& ep, Clock::time_point deadline) {
  KETCD_ASSIGN_OR_RETURN(AddrInfoList addresses, ResolveTcp(ep));
  int last_err = 0;
  bool timed_out = false;
  for (addrinfo* ai = addresses.get(); ai != nullptr; ai = ai->ai_next) {
    int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
    if (fd < 0) continue;
    if (::connect(fd, ai->ai_addr, ai->ai_addrlen) != 0 && errno != EINPROGRESS) {
      last_err = errno;
      ::close(fd);
      continue;
    }
    pollfd pfd{fd, POLLOUT, 0};
    int n = ::poll(&pfd, 1, RemainingMs(deadline));
    int err = 0;
    socklen_t len = sizeof err;
    if (n == 1) ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    const int left = RemainingMs(deadline);
    if (n == 1 && err == 0 && left == 0) {
      // Connected (a stopped process's backlog accepts) with no time left: a zero timeval
      // would mean no timeout at all, and the read would wait forever.
      ::close(fd);
      timed_out = true;
      break;
    }
    if (n == 1 && err == 0) {
      ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
      timeval tv{left / 1000, (left % 1000) * 1000};
      ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
      return fd;
    }
    if (n == 0) timed_out = true;
    last_err = err;
    ::close(fd);
  }
  if (last_err == ECONNREFUSED) {
    return absl::UnavailableError(absl::StrCat("connection refused by ", ep.HostPort(),
                                               ": nothing listens there (is etcd running? its client port is "
                                               "--listen-client-urls, usually 2379)"));
  }
  if (timed_out) {
    return absl::DeadlineExceededError(absl::StrCat("no answer from ", ep.HostPort(),
                                                    " (wrong address, or a firewall drops the traffic)"));
  }
  return absl::UnavailableError(absl::StrCat("cannot connect to ", ep.HostPort(), ": ", std::strerror(last_err)));
}

// Sends a bare HTTP/1.1 GET and returns the status code (0 if the answer is not HTTP).
template <typename WriteFn, typename ReadFn>
int HttpGet(const Endpoint& ep, const char* path, WriteFn write, ReadFn read) {
  std::string req = absl::StrCat("GET ", path, " HTTP/1.1\r\nHost: ", ep.HostPort(), "\r\nConnection: close\r\n\r\n");
  if (write(req.data(), req.size()) != static_cast<int>(req.size())) return -1;
  char buf[64] = {};
  int n = read(buf, sizeof buf - 1);
  if (n <= 0) return -1;
  absl::string_view head(buf, static_cast<size_t>(n));
  if (!absl::StartsWith(head, "HTTP/1.")) return 0;
  return std::atoi(buf + 9);
}

// Unavailable: exit 3, "cannot talk to etcd" (README, "Exit codes").
absl::Status WrongPortError(const Endpoint& ep, absl::string_view which, absl::string_view flag) {
  return absl::UnavailableError(absl::StrCat(
      ep.HostPort(), " is etcd's ", which, " port (", flag,
      "), not its client port; use the port of --listen-client-urls / --advertise-client-urls (usually 2379)"));
}

struct SslCtxFree {
  void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
struct SslFree {
  void operator()(SSL* s) const { SSL_free(s); }
};

// True when the port completes (or rejects only our certificate in) a TLS handshake.
bool SpeaksTls(const Endpoint& ep, Clock::time_point deadline) {
  auto fd = Dial(ep, deadline);
  if (!fd.ok()) return false;
  Fd owned(*fd);
  std::unique_ptr<SSL_CTX, SslCtxFree> ctx(SSL_CTX_new(TLS_client_method()));
  std::unique_ptr<SSL, SslFree> ssl(SSL_new(ctx.get()));
  SSL_set_fd(ssl.get(), owned.get());
  int rc = SSL_connect(ssl.get());
  bool tls = rc == 1 || SSL_get_error(ssl.get(), rc) == SSL_ERROR_SSL;
  ERR_clear_error();
  return tls;
}

// Asks a plain-HTTP port which etcd listener it is.
absl::Status ClassifyPlainPort(const Endpoint& ep, Clock::time_point deadline, bool wanted_tls) {
  auto get = [&](const char* path) -> int {
    auto fd = Dial(ep, deadline);
    if (!fd.ok()) return -1;
    Fd owned(*fd);
    return HttpGet(
        ep, path, [&](const char* p, size_t n) { return static_cast<int>(::send(owned.get(), p, n, MSG_NOSIGNAL)); },
        [&](char* p, size_t n) { return static_cast<int>(::recv(owned.get(), p, n, 0)); });
  };
  if (get("/members") == 200) return WrongPortError(ep, "peer", "--listen-peer-urls, usually 2380");
  if (get("/metrics") == 200 && get("/v3/maintenance/status") != 200) {
    // The client port also serves /metrics; only the metrics listener lacks the gateway.
    return WrongPortError(ep, "metrics", "--listen-metrics-urls, usually 2381");
  }
  if (!wanted_tls && get("/version") <= 0 && SpeaksTls(ep, deadline)) {
    return absl::UnavailableError(absl::StrCat(ep.HostPort(), " speaks TLS: use https://", ep.HostPort(),
                                                      " with --cacert (and --cert/--key)"));
  }
  if (wanted_tls) {
    return absl::UnavailableError(absl::StrCat(
        ep.HostPort(), " does not speak TLS: use http://", ep.HostPort(), " (or enable TLS on the server)"));
  }
  return absl::OkStatus();
}

std::string SslErrorString() {
  unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "unknown TLS error";
  const char* reason = ERR_reason_error_string(e);
  return reason ? reason : "unknown TLS error";
}

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};

// Every certificate of a PEM bundle held in memory, as trust anchors.
bool AddCaPem(SSL_CTX* ctx, const std::string& pem) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  X509_STORE* store = SSL_CTX_get_cert_store(ctx);
  int added = 0;
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    added += X509_STORE_add_cert(store, cert) == 1 ? 1 : 0;
    X509_free(cert);
  }
  ERR_clear_error();  // the end of the bundle reads as an error
  return added > 0;
}

// A client certificate and key held in memory.
bool UseCertPem(SSL_CTX* ctx, const std::string& cert_pem, const std::string& key_pem) {
  std::unique_ptr<BIO, BioFree> cbio(BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size())));
  X509* cert = PEM_read_bio_X509(cbio.get(), nullptr, nullptr, nullptr);
  if (cert == nullptr) return false;
  const bool cert_ok = SSL_CTX_use_certificate(ctx, cert) == 1;
  X509_free(cert);
  std::unique_ptr<BIO, BioFree> kbio(BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size())));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(kbio.get(), nullptr, nullptr, nullptr);
  if (key == nullptr) return false;
  const bool key_ok = SSL_CTX_use_PrivateKey(ctx, key) == 1;
  EVP_PKEY_free(key);
  return cert_ok && key_ok;
}

absl::Status ClientCertRejected(const Endpoint& ep, const TlsFiles& tls, const std::string& reason) {
  if (tls.cert_file.empty() || absl::StrContains(reason, "certificate required")) {
    return absl::UnauthenticatedError(absl::StrCat(
        ep.HostPort(), " requires a client certificate (etcd runs with --client-cert-auth): pass --cert and --key "
                       "(kubeadm: /etc/kubernetes/pki/etcd/healthcheck-client.crt/.key) [", reason, "]"));
  }
  return absl::UnauthenticatedError(absl::StrCat(
      ep.HostPort(), " rejected the client certificate \"", tls.cert_file, "\" (", reason,
      "): it is not signed by a CA in the server's --trusted-ca-file, or it lacks the clientAuth usage"));
}

absl::Status ProbeTls(const Endpoint& ep, const TlsFiles& tls, Clock::time_point deadline) {
  KETCD_ASSIGN_OR_RETURN(int raw_fd, Dial(ep, deadline));
  Fd fd(raw_fd);
  std::unique_ptr<SSL_CTX, SslCtxFree> ctx(SSL_CTX_new(TLS_client_method()));
  if (!tls.insecure_skip_verify) {
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
    if (!tls.ca_pem.empty()) {
      if (!AddCaPem(ctx.get(), tls.ca_pem)) {
        return absl::InvalidArgumentError(absl::StrCat("CA \"", tls.ca_file, "\": ", SslErrorString()));
      }
    } else if (!tls.ca_file.empty()) {
      if (SSL_CTX_load_verify_locations(ctx.get(), tls.ca_file.c_str(), nullptr) != 1) {
        return absl::InvalidArgumentError(absl::StrCat("CA file \"", tls.ca_file, "\": ", SslErrorString()));
      }
    } else {
      SSL_CTX_set_default_verify_paths(ctx.get());
    }
  }
  if (!tls.cert_pem.empty()) {
    if (!UseCertPem(ctx.get(), tls.cert_pem, tls.key_pem)) {
      return absl::InvalidArgumentError(absl::StrCat("client certificate \"", tls.cert_file, "\" / key \"",
                                                     tls.key_file, "\": ", SslErrorString()));
    }
  } else if (!tls.cert_file.empty()) {
    if (SSL_CTX_use_certificate_chain_file(ctx.get(), tls.cert_file.c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx.get(), tls.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
      return absl::InvalidArgumentError(absl::StrCat("client certificate \"", tls.cert_file, "\" / key \"",
                                                     tls.key_file, "\": ", SslErrorString()));
    }
  }
  std::unique_ptr<SSL, SslFree> ssl(SSL_new(ctx.get()));
  SSL_set_fd(ssl.get(), fd.get());
  SSL_set_tlsext_host_name(ssl.get(), ep.host.c_str());
  if (!tls.insecure_skip_verify) {
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl.get());
    if (X509_VERIFY_PARAM_set1_ip_asc(param, ep.host.c_str()) != 1) {
      X509_VERIFY_PARAM_set1_host(param, ep.host.c_str(), 0);
    }
  }
  ERR_clear_error();
  if (SSL_connect(ssl.get()) != 1) {
    long verify = SSL_get_verify_result(ssl.get());
    std::string reason = SslErrorString();
    if (verify != X509_V_OK) {
      std::string why = X509_verify_cert_error_string(verify);
      if (verify == X509_V_ERR_HOSTNAME_MISMATCH || verify == X509_V_ERR_IP_ADDRESS_MISMATCH) {
        return absl::UnavailableError(absl::StrCat(
            "the server certificate of ", ep.HostPort(), " is not valid for \"", ep.host,
            "\" (", why, "): connect through an address listed in its subject alternative names"));
      }
      return absl::UnavailableError(absl::StrCat(
          "the server certificate of ", ep.HostPort(), " is not trusted by CA file \"",
          tls.ca_file.empty() ? std::string("(system roots)") : tls.ca_file, "\": ", why,
          ". Pass the etcd CA with --cacert (kubeadm: /etc/kubernetes/pki/etcd/ca.crt)"));
    }
    if (absl::StrContains(reason, "wrong version number") || absl::StrContains(reason, "packet length too long") ||
        absl::StrContains(reason, "record layer failure")) {
      return ClassifyPlainPort(ep, deadline, /*wanted_tls=*/true);
    }
    if (absl::StrContains(reason, "alert")) return ClientCertRejected(ep, tls, reason);
    return absl::UnavailableError(absl::StrCat("TLS handshake with ", ep.HostPort(), " failed: ", reason));
  }
  // TLS 1.3 servers reject a client certificate after the handshake: their alert is the
  // first thing to read. Look for it before writing, while the connection is still open.
  pollfd pfd{fd.get(), POLLIN, 0};
  // A server that accepted us sends session tickets instead; peek without blocking.
  if (::poll(&pfd, 1, std::min(1000, RemainingMs(deadline))) == 1) {
    int flags = ::fcntl(fd.get(), F_GETFL);
    ::fcntl(fd.get(), F_SETFL, flags | O_NONBLOCK);
    char c;
    int n = SSL_peek(ssl.get(), &c, 1);
    if (n <= 0 && SSL_get_error(ssl.get(), n) == SSL_ERROR_SSL) {
      std::string reason = SslErrorString();
      if (absl::StrContains(reason, "alert")) return ClientCertRejected(ep, tls, reason);
    }
    ERR_clear_error();
    ::fcntl(fd.get(), F_SETFL, flags);
  }
  auto write = [&](const char* p, size_t n) { return SSL_write(ssl.get(), p, static_cast<int>(n)); };
  auto read = [&](char* p, size_t n) { return SSL_read(ssl.get(), p, static_cast<int>(n)); };
  int code = HttpGet(ep, "/members", write, read);
  if (code < 0) {
    std::string reason = SslErrorString();
    if (absl::StrContains(reason, "alert")) return ClientCertRejected(ep, tls, reason);
    return absl::UnavailableError(absl::StrCat(ep.HostPort(), " closed the TLS connection: ", reason));
  }
  if (code == 200) return WrongPortError(ep, "peer", "--listen-peer-urls, usually 2380");
  return absl::OkStatus();
}

}  // namespace

absl::Status ProbeEndpoint(const Endpoint& ep, const TlsFiles& tls, std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  if (ep.tls()) return ProbeTls(ep, tls, deadline);
  KETCD_ASSIGN_OR_RETURN(int raw_fd, Dial(ep, deadline));
  ::close(raw_fd);
  return ClassifyPlainPort(ep, deadline, /*wanted_tls=*/false);
}

}  // namespace ketcd::etcdclient
