#include "pkg/fsutil/file.h"

#include <gtest/gtest.h>

#include <cerrno>

namespace ketcd::fsutil {
namespace {

// A local file we may not read or write is a local problem (exit 1), not "cannot talk to
// etcd" (exit 3, kept for etcd's and the API server's own PermissionDenied).
TEST(ErrnoErrorTest, PermissionOnALocalFileIsNotAnEtcdError) {
  for (int err : {EACCES, EPERM}) {
    absl::Status s = ErrnoError("open", "/etc/kubernetes/pki/etcd/ca.crt", err);
    EXPECT_EQ(ExitCodeFor(s), kExitError) << s;
    EXPECT_EQ(ErrnoOf(s), err);
  }
  EXPECT_EQ(ExitCodeFor(ErrnoError("open", "x", ENOENT)), kExitNotFound);
  EXPECT_EQ(ExitCodeFor(ErrnoError("create", "x", EEXIST)), kExitRefused);
  EXPECT_EQ(ErrnoOf(absl::InternalError("no errno")), 0);
}

}  // namespace
}  // namespace ketcd::fsutil
