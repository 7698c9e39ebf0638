#include "pkg/envelope/unseal.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "pkg/base/interrupt.h"
#include "pkg/fsutil/file.h"
#include "pkg/age/age.h"
#include "pkg/stream/zstd.h"

namespace ketcd::envelope {
namespace {

constexpr size_t kCopyChunk = 1 << 20;

std::string TempParent(const UnsealOptions& o) {
  if (!o.temp_parent.empty()) return o.temp_parent;
  const char* env = std::getenv("TMPDIR");
  return env != nullptr && env[0] != '\0' ? env : "/tmp";
}

absl::Status CopyOut(stream::Reader& r, const std::string& out_path) {
  int fd = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return fsutil::ErrnoError("create", out_path, errno);
  absl::Cleanup close_fd = [fd] { ::close(fd); };
  std::vector<char> buf(kCopyChunk);
  for (;;) {
    if (Interrupted()) return absl::CancelledError("interrupted");
    KETCD_ASSIGN_OR_RETURN(size_t n, stream::ReadFull(r, buf.data(), buf.size()));
    if (n == 0) return absl::OkStatus();
    KETCD_RETURN_IF_ERROR(fsutil::WriteAll(fd, buf.data(), n, out_path));
  }
}

// The first bytes of `r`, and a reader that serves them again followed by the rest.
absl::StatusOr<std::string> Peek(stream::Reader& r) {
  std::string head(stream::kSniffBytes, '\0');
  KETCD_ASSIGN_OR_RETURN(size_t n, stream::ReadFull(r, head.data(), head.size()));
  head.resize(n);
  return head;
}

}  // namespace

absl::StatusOr<stream::Format> SniffFile(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return stream::Format::kPlain;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fsutil::ErrnoError("open", path, errno);
  absl::Cleanup close_fd = [fd] { ::close(fd); };
  stream::FdReader file(fd, path);
  KETCD_ASSIGN_OR_RETURN(std::string head, Peek(file));
  return stream::Sniff(head);
}

Unsealed::~Unsealed() {
  if (!temp_dir_.empty()) (void)fsutil::RemoveAll(temp_dir_);
}

absl::StatusOr<std::unique_ptr<Unsealed>> Unseal(const std::string& path, const UnsealOptions& o) {
  std::unique_ptr<Unsealed> u(new Unsealed());
  u->path_ = path;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return u;  // the bbolt reader says why
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fsutil::ErrnoError("open", path, errno);
  absl::Cleanup close_fd = [fd] { ::close(fd); };
  stream::FdReader file(fd, path);
  KETCD_ASSIGN_OR_RETURN(std::string head, Peek(file));
  stream::Format format = stream::Sniff(head);
  if (format == stream::Format::kPlain) return u;

  std::string dir = fsutil::JoinPath(TempParent(o), ".kubectl-etcd-unseal-XXXXXX");
  if (::mkdtemp(dir.data()) == nullptr) return fsutil::ErrnoError("create directory", dir, errno);
  u->temp_dir_ = dir;  // removed by ~Unsealed from here on, whatever happens
  u->path_ = fsutil::JoinPath(dir, "snapshot.db");

  std::vector<std::unique_ptr<stream::Reader>> layers;
  layers.push_back(std::make_unique<stream::PrefixReader>(head, &file));
  if (format == stream::Format::kAge) {
    if (o.identities.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          path, " is encrypted with age: pass --identity FILE (AGE-SECRET-KEY-1... lines) or --passphrase-file FILE"));
    }
    u->encrypted_ = true;
    KETCD_ASSIGN_OR_RETURN(auto decrypted, age::NewDecryptReader(layers.back().get(), o.identities, path));
    layers.push_back(std::move(decrypted));
    KETCD_ASSIGN_OR_RETURN(std::string inner, Peek(*layers.back()));
    format = stream::Sniff(inner);
    layers.push_back(std::make_unique<stream::PrefixReader>(inner, layers.back().get()));
  }
  if (format == stream::Format::kZstd) {
    u->compressed_ = true;
    layers.push_back(stream::NewZstdReader(layers.back().get(), path));
  }
  KETCD_RETURN_IF_ERROR(CopyOut(*layers.back(), u->path_));
  return u;
}

}  // namespace ketcd::envelope
