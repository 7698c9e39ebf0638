#pragma once
// Strings as streams, for the tests of this package and of the packages above it.
// StringReader hands out at most `piece` bytes a call, to exercise short reads.

#include <algorithm>
#include <cstring>
#include <string>

#include "pkg/stream/stream.h"

namespace ketcd::stream::testing {

class StringReader : public Reader {
 public:
  explicit StringReader(std::string s, size_t piece = 1 << 20) : s_(std::move(s)), piece_(piece) {}
  absl::StatusOr<size_t> Read(void* data, size_t n) override {
    size_t k = std::min({n, s_.size() - pos_, piece_});
    std::memcpy(data, s_.data() + pos_, k);
    pos_ += k;
    return k;
  }

 private:
  std::string s_;
  size_t piece_;
  size_t pos_ = 0;
};

class StringWriter : public Writer {
 public:
  absl::Status Write(const void* data, size_t n) override {
    out.append(static_cast<const char*>(data), n);
    return absl::OkStatus();
  }
  absl::Status Close() override {
    closed = true;
    return absl::OkStatus();
  }
  std::string out;
  bool closed = false;
};

// Everything `r` gives until the end or the first error; the error, if any, in *status.
inline std::string ReadAll(Reader& r, absl::Status* status) {
  std::string out, buf(10000, '\0');
  for (;;) {
    auto n = r.Read(buf.data(), buf.size());
    if (!n.ok()) {
      *status = n.status();
      return out;
    }
    if (*n == 0) {
      *status = absl::OkStatus();
      return out;
    }
    out.append(buf.data(), *n);
  }
}

}  // namespace ketcd::stream::testing
