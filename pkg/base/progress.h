#pragma once
// Progress of long work (snapshot transfer, restore): packages report it through a
// ProgressFn; the command decides whether and how to draw it (cli::Progress).

#include <cstdint>
#include <functional>

namespace ketcd {

// `done` out of `total` bytes; `total` 0 means unknown. Called from the working thread.
using ProgressFn = std::function<void(uint64_t done, uint64_t total)>;

}  // namespace ketcd
