// libFuzzer target: arbitrary bytes as an age file. The header parser must accept or reject
// them; an accepted header re-encodes to the bytes its MAC covers; decryption with a fixed
// X25519 identity and a passphrase must end in data or an error status. A crash, a sanitizer
// report or an exception is a bug.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "pkg/age/age.h"
#include "pkg/age/header.h"

namespace {

class BytesReader : public ketcd::stream::Reader {
 public:
  BytesReader(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  absl::StatusOr<size_t> Read(void* out, size_t n) override {
    size_t k = std::min(n, size_ - pos_);
    if (k > 0) std::memcpy(out, data_ + pos_, k);
    pos_ += k;
    return k;
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ketcd::age;
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  auto h = ParseHeader(in);
  if (h.ok() && EncodeHeaderWithoutMac(h->stanzas) != in.substr(0, h->mac_input)) std::abort();

  // The identity of the seed files (testdata/testkit), so that seeds get past the header.
  static const auto* ids = new std::vector<Identity>{
      *ParseIdentityFile("AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0", "fuzz"),
  };
  std::vector<Identity> all = *ids;
  // The passphrase only for cheap work factors: 2^22 is allowed, and takes 4 GiB and seconds.
  bool cheap = true;
  for (const Stanza& s : h.ok() ? h->stanzas : std::vector<Stanza>()) {
    if (s.args[0] == "scrypt" && (s.args.size() != 3 || s.args[2].size() != 1)) cheap = false;
  }
  if (cheap) all.push_back(PassphraseIdentity("password"));
  BytesReader r(data, size);
  auto dec = NewDecryptReader(&r, all, "fuzz");
  if (!dec.ok()) return 0;
  char buf[8192];
  for (;;) {
    auto n = (*dec)->Read(buf, sizeof buf);
    if (!n.ok() || *n == 0) return 0;
  }
}
