// OpenStore: a DEST argument as a Store.
#include <sys/stat.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "pkg/catalog/local_dir_store.h"
#include "pkg/catalog/s3_store.h"
#include "pkg/fsutil/file.h"
#include "pkg/s3/url.h"

namespace ketcd::catalog {

absl::StatusOr<std::unique_ptr<Store>> OpenStore(const std::string& dest, const OpenOptions& options) {
  if (s3::IsS3Url(dest)) {
    if (options.s3 == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("\"", dest, "\": S3 destinations are not supported here"));
    }
    KETCD_ASSIGN_OR_RETURN(s3::ObjectUrl url, s3::ParseS3Url(dest));
    if (!url.IsPrefix()) url.key += '/';
    S3StoreOptions o{.recursive = options.recursive, .sse_c = options.sse_c, .warn = options.warn};
    return std::unique_ptr<Store>(new S3Store(options.s3, std::move(url), std::move(o)));
  }
  struct stat st;
  if (::stat(dest.c_str(), &st) != 0) return fsutil::ErrnoError("open directory", dest, errno);
  if (!S_ISDIR(st.st_mode)) {
    return absl::InvalidArgumentError(absl::StrCat("\"", dest, "\" is not a directory"));
  }
  return std::unique_ptr<Store>(new LocalDirStore(dest, options.recursive));
}

}  // namespace ketcd::catalog
