// Local checks of the TLS files given with --cacert, --cert and --key.
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstdio>
#include <memory>

#include "absl/strings/str_cat.h"
#include "pkg/etcdclient/client.h"
#include "pkg/fsutil/file.h"

namespace ketcd::etcdclient {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};

absl::StatusOr<std::string> ReadTlsFile(const std::string& path, const std::string& pem, absl::string_view role) {
  if (!pem.empty()) return pem;
  auto data = fsutil::ReadFile(path);
  if (!data.ok()) {
    std::string why = std::string(data.status().message());
    const int err = fsutil::ErrnoOf(data.status());
    if (err == EACCES || err == EPERM) {  // a local file: exit 1, not 3 (etcd refused us)
      return absl::InternalError(absl::StrCat(role, " \"", path,
                                              "\" is not readable: run as root on the control-plane node"));
    }
    return absl::NotFoundError(absl::StrCat(role, " \"", path, "\" cannot be read: ", why));
  }
  return data;
}

std::string Asn1Time(const ASN1_TIME* t) {
  BIO* b = BIO_new(BIO_s_mem());
  ASN1_TIME_print(b, t);
  char* p = nullptr;
  long n = BIO_get_mem_data(b, &p);
  std::string s(p, static_cast<size_t>(n));
  BIO_free(b);
  return s;
}

absl::StatusOr<std::unique_ptr<X509, X509Free>> ParseCert(const std::string& pem, const std::string& path,
                                                           absl::string_view role) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  std::unique_ptr<X509, X509Free> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  ERR_clear_error();
  if (!cert) {
    return absl::InvalidArgumentError(absl::StrCat(role, " \"", path, "\" holds no PEM certificate"));
  }
  return cert;
}

}  // namespace

absl::StatusOr<std::string> TlsMaterial(const std::string& pem, const std::string& file) {
  if (!pem.empty()) return pem;
  return fsutil::ReadFile(file);
}

absl::Status CheckTlsFiles(const TlsFiles& tls) {
  if (!tls.ca_file.empty() || !tls.ca_pem.empty()) {
    KETCD_ASSIGN_OR_RETURN(std::string pem, ReadTlsFile(tls.ca_file, tls.ca_pem, "CA file"));
    KETCD_RETURN_IF_ERROR(ParseCert(pem, tls.ca_file, "CA file").status());
  }
  if (tls.cert_file.empty() != tls.key_file.empty()) {
    return absl::InvalidArgumentError("--cert and --key go together: give both or neither");
  }
  if (tls.cert_file.empty()) return absl::OkStatus();
  KETCD_ASSIGN_OR_RETURN(std::string cert_pem, ReadTlsFile(tls.cert_file, tls.cert_pem, "client certificate"));
  KETCD_ASSIGN_OR_RETURN(std::string key_pem, ReadTlsFile(tls.key_file, tls.key_pem, "client key"));
  KETCD_ASSIGN_OR_RETURN(auto cert, ParseCert(cert_pem, tls.cert_file, "client certificate"));
  std::unique_ptr<BIO, BioFree> kbio(BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size())));
  std::unique_ptr<EVP_PKEY, PkeyFree> key(PEM_read_bio_PrivateKey(kbio.get(), nullptr, nullptr, nullptr));
  ERR_clear_error();
  if (!key) {
    return absl::InvalidArgumentError(absl::StrCat("client key \"", tls.key_file, "\" holds no PEM private key"));
  }
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    ERR_clear_error();
    return absl::InvalidArgumentError(absl::StrCat("client key \"", tls.key_file,
                                                   "\" does not belong to client certificate \"", tls.cert_file, "\""));
  }
  if (X509_cmp_current_time(X509_get0_notAfter(cert.get())) < 0) {
    return absl::FailedPreconditionError(absl::StrCat("client certificate \"", tls.cert_file, "\" expired on ",
                                                      Asn1Time(X509_get0_notAfter(cert.get())),
                                                      "; renew it (kubeadm: kubeadm certs renew etcd-healthcheck-client)"));
  }
  if (X509_cmp_current_time(X509_get0_notBefore(cert.get())) > 0) {
    return absl::FailedPreconditionError(absl::StrCat("client certificate \"", tls.cert_file,
                                                      "\" is not valid before ",
                                                      Asn1Time(X509_get0_notBefore(cert.get())),
                                                      "; check this machine's clock"));
  }
  return absl::OkStatus();
}

}  // namespace ketcd::etcdclient
