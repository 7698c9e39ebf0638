#include "pkg/bbolt/sigbus_guard.h"

#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <mutex>

namespace ketcd::bbolt::sigbus {
namespace {

// begin: 0 free, 1 being filled in, else the first byte of the mapping.
struct Slot {
  std::atomic<uintptr_t> begin{0};
  std::atomic<uintptr_t> end{0};
  std::atomic<bool> faulted{false};
};
static_assert(std::atomic<uintptr_t>::is_always_lock_free && std::atomic<bool>::is_always_lock_free,
              "the signal handler needs lock-free atomics");

Slot g_slots[kMaxMappings];
uintptr_t g_page_size = 4096;
struct sigaction g_previous;

// Maps zeros over the faulting page of a registered mapping. False when `addr` is in none.
bool PatchFault(uintptr_t addr) {
  for (Slot& s : g_slots) {
    const uintptr_t b = s.begin.load(std::memory_order_acquire);
    if (b <= 1 || addr < b || addr >= s.end.load(std::memory_order_acquire)) continue;
    void* page = reinterpret_cast<void*>(addr & ~(g_page_size - 1));
    // mmap is a plain system call here; POSIX does not list it as async-signal-safe but it
    // takes no user-space lock.
    if (::mmap(page, g_page_size, PROT_READ, MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED) {
      return false;
    }
    s.faulted.store(true, std::memory_order_release);
    return true;
  }
  return false;
}

extern "C" void OnSigbus(int sig, siginfo_t* info, void*) {
  // si_code > 0: raised by the kernel for a memory access (not sent with kill()).
  if (info != nullptr && info->si_code > 0 && PatchFault(reinterpret_cast<uintptr_t>(info->si_addr))) return;
  // Not ours: back to the previous disposition. A fault repeats on return and gets it; a
  // signal sent by another process is sent again (it stays pending until we return).
  ::sigaction(SIGBUS, &g_previous, nullptr);
  if (info == nullptr || info->si_code <= 0) ::raise(sig);
}

void Install() {
  g_page_size = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
  struct sigaction sa {};
  sa.sa_sigaction = OnSigbus;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_SIGINFO | SA_RESTART;
  ::sigaction(SIGBUS, &sa, &g_previous);
}

}  // namespace

int Register(const void* begin, uint64_t size) {
  static std::once_flag once;
  std::call_once(once, Install);
  const uintptr_t b = reinterpret_cast<uintptr_t>(begin);
  for (int i = 0; i < kMaxMappings; i++) {
    uintptr_t expected = 0;
    if (!g_slots[i].begin.compare_exchange_strong(expected, 1, std::memory_order_acq_rel)) continue;
    g_slots[i].end.store(b + size, std::memory_order_relaxed);
    g_slots[i].faulted.store(false, std::memory_order_relaxed);
    g_slots[i].begin.store(b, std::memory_order_release);
    return i;
  }
  return -1;
}

void Unregister(int slot) {
  if (slot >= 0 && slot < kMaxMappings) g_slots[slot].begin.store(0, std::memory_order_release);
}

bool Faulted(int slot) {
  return slot >= 0 && slot < kMaxMappings && g_slots[slot].faulted.load(std::memory_order_acquire);
}

}  // namespace ketcd::bbolt::sigbus
