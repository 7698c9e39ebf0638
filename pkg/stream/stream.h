#pragma once
// Byte streams with absl::Status errors: the pieces a snapshot passes through on its way
// to or from a file (zstd.h here, pkg/age), chained writer to writer and reader to reader.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "pkg/base/status.h"

namespace ketcd::stream {

class Writer {
 public:
  virtual ~Writer() = default;
  virtual absl::Status Write(const void* data, size_t n) = 0;
  // Writes whatever the format puts at the end. Write may not be called after.
  virtual absl::Status Close() = 0;
};

class Reader {
 public:
  virtual ~Reader() = default;
  // Up to `n` bytes; 0 only at the end of the stream.
  virtual absl::StatusOr<size_t> Read(void* data, size_t n) = 0;
};

// A Writer over two functions (Close: `close` when given).
class FnWriter : public Writer {
 public:
  using WriteFn = std::function<absl::Status(const void*, size_t)>;
  using CloseFn = std::function<absl::Status()>;
  explicit FnWriter(WriteFn write, CloseFn close = {}) : write_(std::move(write)), close_(std::move(close)) {}
  absl::Status Write(const void* data, size_t n) override { return write_(data, n); }
  absl::Status Close() override { return close_ ? close_() : absl::OkStatus(); }

 private:
  WriteFn write_;
  CloseFn close_;
};

// Reads a file descriptor it does not own; `name` is for errors.
class FdReader : public Reader {
 public:
  FdReader(int fd, std::string name) : fd_(fd), name_(std::move(name)) {}
  absl::StatusOr<size_t> Read(void* data, size_t n) override;

 private:
  int fd_;
  std::string name_;
};

// Serves `prefix` (bytes already read from `rest` to look at them) before `rest`.
class PrefixReader : public Reader {
 public:
  PrefixReader(std::string prefix, Reader* rest) : prefix_(std::move(prefix)), rest_(rest) {}
  absl::StatusOr<size_t> Read(void* data, size_t n) override;

 private:
  std::string prefix_;
  size_t pos_ = 0;
  Reader* rest_;
};

// Reads until `n` bytes or the end; returns how many were read.
absl::StatusOr<size_t> ReadFull(Reader& r, void* data, size_t n);

// What a snapshot file is, from its first bytes.
enum class Format { kPlain, kZstd, kAge };
const char* FormatName(Format f);  // "none", "zstd", "age"
// Enough bytes to tell the formats apart.
inline constexpr size_t kSniffBytes = 22;
// zstd frames (magic 28 B5 2F FD), age files ("age-encryption.org/v1\n"); anything else is plain.
Format Sniff(std::string_view head);

}  // namespace ketcd::stream
