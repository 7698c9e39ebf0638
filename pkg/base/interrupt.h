#pragma once
// Ctrl-C and SIGTERM: long operations poll Interrupted() and unwind with
// absl::CancelledError, so RAII cleanup (temp files, .part files) runs normally.

namespace ketcd {

// Installs SIGINT/SIGTERM/SIGHUP handlers that only set a flag. Idempotent.
void InstallInterruptHandler();
bool Interrupted();
// The signal that set the flag, or 0.
int InterruptSignal();

}  // namespace ketcd
