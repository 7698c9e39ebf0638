#include "pkg/s3/download.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "pkg/fsutil/file.h"

namespace ketcd::s3 {

Downloaded::~Downloaded() {
  if (!dir_.empty()) (void)fsutil::RemoveAll(dir_);
}

absl::StatusOr<std::unique_ptr<Downloaded>> Download(const Client& client, const ObjectUrl& url,
                                                     const SseCustomerKey& sse_c, const std::string& temp_parent) {
  if (url.IsPrefix()) {
    return absl::InvalidArgumentError(absl::StrCat(url.String(), " names a prefix, not an object"));
  }
  std::string parent = temp_parent;
  if (parent.empty()) {
    const char* env = std::getenv("TMPDIR");
    parent = env != nullptr && env[0] != '\0' ? env : "/tmp";
  }
  std::unique_ptr<Downloaded> d(new Downloaded());
  std::string dir = fsutil::JoinPath(parent, ".kubectl-etcd-s3-XXXXXX");
  if (::mkdtemp(dir.data()) == nullptr) return fsutil::ErrnoError("create directory", dir, errno);
  d->dir_ = dir;
  d->path_ = fsutil::JoinPath(dir, "object");
  int fd = ::open(d->path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return fsutil::ErrnoError("create", d->path_, errno);
  absl::Cleanup close_fd = [fd] { ::close(fd); };
  uint64_t received = 0;
  const std::string& path = d->path_;
  KETCD_ASSIGN_OR_RETURN(d->info_, client.GetObject(url.bucket, url.key,
                                                    [&](const char* p, size_t n) {
                                                      received += n;
                                                      return fsutil::WriteAll(fd, p, n, path);
                                                    },
                                                    sse_c));
  if (d->info_.headers.count("content-length") && received != d->info_.size) {
    return absl::DataLossError(absl::StrCat(url.String(), ": ", received, " bytes arrived of ", d->info_.size));
  }
  d->info_.size = received;
  return d;
}

}  // namespace ketcd::s3
