// Linked only into kubectl-etcd-test-hooks, the binary the end-to-end tests use where they
// must reach a state a real node reaches by accident: the release binary reads none of
// these variables.
//   KETCD_TEST_FREE_BYTES=N        the free space the restore's preflight sees
//   KETCD_TEST_KILL_AT=STEP        SIGKILL once the journal records STEP as in progress
//   KETCD_TEST_KILL_AT=undo:STEP   SIGKILL once it records STEP's undo action as next
//   KETCD_TEST_S3_SEND_BYTES_PER_SEC=N  S3 uploads no faster than N bytes/s (time to interrupt one)
//   KETCD_TEST_S3_RUNNING_UPLOAD_SECONDS=N  prune takes multipart uploads younger than N seconds
//                                           (not a day) for running backups
#include <signal.h>

#include <cstdlib>
#include <string>

#include "pkg/catalog/s3_store.h"
#include "pkg/noderestore/journal.h"
#include "pkg/noderestore/preflight.h"
#include "pkg/noderestore/steps.h"
#include "pkg/s3/client.h"

namespace ketcd::noderestore {
namespace {

void KillAtStep(const Journal& j) {
  const char* at = std::getenv("KETCD_TEST_KILL_AT");
  if (at == nullptr) return;
  std::string want = at;
  std::string now;
  if (j.phase == Phase::kRunning) {
    now = j.step;
  } else if ((j.phase == Phase::kRollingBack || j.phase == Phase::kUndoing) && j.undo_next >= 0 &&
             j.undo_next < static_cast<int>(Steps().size())) {
    now = std::string("undo:") + Steps()[j.undo_next].key;
  }
  if (now == want) ::raise(SIGKILL);
}

struct Install {
  Install() {
    if (const char* v = std::getenv("KETCD_TEST_FREE_BYTES"); v != nullptr && *v != '\0') {
      OverrideFreeBytes(std::strtoull(v, nullptr, 10));
    }
    SetJournalSavedHook(KillAtStep);
    if (const char* v = std::getenv("KETCD_TEST_S3_SEND_BYTES_PER_SEC"); v != nullptr && *v != '\0') {
      s3::SetMaxSendSpeedForTests(std::strtoll(v, nullptr, 10));
    }
    if (const char* v = std::getenv("KETCD_TEST_S3_RUNNING_UPLOAD_SECONDS"); v != nullptr && *v != '\0') {
      catalog::SetRunningUploadSecondsForTests(std::strtoll(v, nullptr, 10));
    }
  }
} install;

}  // namespace
}  // namespace ketcd::noderestore
