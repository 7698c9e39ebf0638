#pragma once
// Streaming SHA-256 (OpenSSL EVP), the trailer etcd appends to every snapshot.

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace ketcd {

using Sha256Digest = std::array<uint8_t, 32>;

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(const void* data, size_t n);
  void Update(std::string_view s) { Update(s.data(), s.size()); }
  Sha256Digest Final();
  // The digest of everything so far followed by `suffix`, leaving this hash untouched:
  // SHA-256(image || trailer) and SHA-256(image) from a single pass over the image.
  Sha256Digest DigestWithSuffix(const void* suffix, size_t n) const;

 private:
  struct Ctx;
  std::unique_ptr<Ctx> ctx_;
};

std::string DigestHex(const Sha256Digest& d);

}  // namespace ketcd
