#pragma once
// A one-line progress bar on stderr for long work (snapshot transfer, restore):
// percent, bytes, rate and ETA. Drawn only when stderr is a terminal; otherwise silent.

#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>

namespace ketcd::cli {

class Progress {
 public:
  Progress(std::ostream& err, bool enabled, std::string label);
  ~Progress();
  // `total` 0 means unknown.
  void Update(uint64_t done, uint64_t total);
  // Clears the line so that following messages start clean.
  void Finish();

 private:
  void Draw(uint64_t done, uint64_t total);

  std::ostream& err_;
  bool enabled_;
  std::string label_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_{};
  bool drawn_ = false;
};

// True when the stream is attached to a terminal (stderr's fd 2, stdout's fd 1).
bool IsTerminal(int fd);

}  // namespace ketcd::cli
