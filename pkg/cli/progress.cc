#include "pkg/cli/progress.h"

#include <unistd.h>

#include <cstdio>

#include "pkg/base/format.h"

namespace ketcd::cli {

bool IsTerminal(int fd) { return ::isatty(fd) == 1; }

Progress::Progress(std::ostream& err, bool enabled, std::string label)
    : err_(err), enabled_(enabled), label_(std::move(label)), start_(std::chrono::steady_clock::now()) {}

Progress::~Progress() { Finish(); }

void Progress::Update(uint64_t done, uint64_t total) {
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  if (drawn_ && now - last_draw_ < std::chrono::milliseconds(100) && done != total) return;
  last_draw_ = now;
  Draw(done, total);
}

void Progress::Draw(uint64_t done, uint64_t total) {
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  double rate = secs > 0.05 ? static_cast<double>(done) / secs : 0;
  std::string line = label_ + " ";
  if (total > 0) {
    constexpr int kWidth = 28;
    double frac = std::min(1.0, static_cast<double>(done) / static_cast<double>(total));
    int filled = static_cast<int>(frac * kWidth);
    char pct[8];
    std::snprintf(pct, sizeof pct, "%3d%% ", static_cast<int>(frac * 100));
    line += pct;
    line += "[" + std::string(filled, '=') + (filled < kWidth ? ">" : "") +
            std::string(kWidth - filled - (filled < kWidth ? 1 : 0), ' ') + "] ";
    line += HumanizeIec(static_cast<double>(done)) + " / " + HumanizeIec(static_cast<double>(total));
  } else {
    line += HumanizeIec(static_cast<double>(done));
  }
  if (rate > 0) {
    line += "  " + HumanizeIec(rate) + "/s";
    if (total > done) {
      char eta[32];
      std::snprintf(eta, sizeof eta, "  ETA %.0fs", static_cast<double>(total - done) / rate);
      line += eta;
    }
  }
  err_ << "\r\033[K" << line << std::flush;
  drawn_ = true;
}

void Progress::Finish() {
  if (enabled_ && drawn_) {
    err_ << "\r\033[K" << std::flush;
    drawn_ = false;
  }
}

}  // namespace ketcd::cli
