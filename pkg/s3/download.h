#pragma once
// An object downloaded into a private directory (mode 0700, mkdtemp under `temp_parent`)
// as `object` (0600), for readers that need a file (bbolt wants random access). The
// directory goes with the Downloaded object, on success and on every error.

#include <memory>
#include <string>

#include "pkg/s3/client.h"
#include "pkg/s3/url.h"

namespace ketcd::s3 {

class Downloaded {
 public:
  ~Downloaded();
  Downloaded(const Downloaded&) = delete;
  Downloaded& operator=(const Downloaded&) = delete;
  const std::string& path() const { return path_; }
  const ObjectInfo& info() const { return info_; }

 private:
  friend absl::StatusOr<std::unique_ptr<Downloaded>> Download(const Client&, const ObjectUrl&, const SseCustomerKey&,
                                                              const std::string&);
  Downloaded() = default;
  std::string dir_, path_;
  ObjectInfo info_;
};

// `temp_parent` "" = $TMPDIR or /tmp. Fails (Cancelled) on Ctrl-C; DataLoss when fewer bytes
// arrive than the object's length.
absl::StatusOr<std::unique_ptr<Downloaded>> Download(const Client& client, const ObjectUrl& url,
                                                     const SseCustomerKey& sse_c, const std::string& temp_parent);

}  // namespace ketcd::s3
