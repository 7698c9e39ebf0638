#include "pkg/stream/stream.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "pkg/fsutil/file.h"

namespace ketcd::stream {

absl::StatusOr<size_t> FdReader::Read(void* data, size_t n) {
  for (;;) {
    ssize_t got = ::read(fd_, data, n);
    if (got >= 0) return static_cast<size_t>(got);
    if (errno != EINTR) return fsutil::ErrnoError("read", name_, errno);
  }
}

absl::StatusOr<size_t> PrefixReader::Read(void* data, size_t n) {
  if (pos_ < prefix_.size()) {
    size_t k = std::min(n, prefix_.size() - pos_);
    std::memcpy(data, prefix_.data() + pos_, k);
    pos_ += k;
    return k;
  }
  return rest_->Read(data, n);
}

absl::StatusOr<size_t> ReadFull(Reader& r, void* data, size_t n) {
  size_t done = 0;
  while (done < n) {
    KETCD_ASSIGN_OR_RETURN(size_t got, r.Read(static_cast<char*>(data) + done, n - done));
    if (got == 0) break;
    done += got;
  }
  return done;
}

const char* FormatName(Format f) {
  switch (f) {
    case Format::kZstd:
      return "zstd";
    case Format::kAge:
      return "age";
    case Format::kPlain:
      break;
  }
  return "none";
}

Format Sniff(std::string_view head) {
  static constexpr std::string_view kZstdMagic("\x28\xb5\x2f\xfd", 4);
  static constexpr std::string_view kAgeMagic("age-encryption.org/v1\n");
  if (head.substr(0, kZstdMagic.size()) == kZstdMagic) return Format::kZstd;
  if (head.substr(0, kAgeMagic.size()) == kAgeMagic) return Format::kAge;
  return Format::kPlain;
}

}  // namespace ketcd::stream
