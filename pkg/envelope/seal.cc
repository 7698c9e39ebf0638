#include "pkg/envelope/seal.h"

#include <vector>

#include "pkg/age/age.h"

namespace ketcd::envelope {
namespace {

// Owns the layers; writes go to the outermost.
class Chain : public stream::Writer {
 public:
  void Push(std::unique_ptr<stream::Writer> w) { layers_.push_back(std::move(w)); }
  stream::Writer* head() { return layers_.back().get(); }
  absl::Status Write(const void* data, size_t n) override { return head()->Write(data, n); }
  absl::Status Close() override { return head()->Close(); }

 private:
  std::vector<std::unique_ptr<stream::Writer>> layers_;
};

}  // namespace

std::string FileSuffix(const SealOptions& o) {
  return std::string(o.zstd ? ".zst" : "") + (o.recipients.empty() ? "" : ".age");
}

std::string CompressionName(const SealOptions& o) { return o.zstd ? "zstd" : "none"; }

std::string EncryptionName(const SealOptions& o) { return o.recipients.empty() ? "none" : "age"; }

bool Sealed(const SealOptions& o) { return o.zstd || !o.recipients.empty(); }

std::string Describe(const SealOptions& o) {
  if (!Sealed(o)) return "plain";
  if (o.recipients.empty()) return "zstd-compressed";
  return o.zstd ? "zstd-compressed, age-encrypted" : "age-encrypted";
}

absl::StatusOr<std::unique_ptr<stream::Writer>> NewSealWriter(stream::Writer* sink, const SealOptions& o) {
  auto chain = std::make_unique<Chain>();
  chain->Push(std::make_unique<stream::FnWriter>([sink](const void* p, size_t n) { return sink->Write(p, n); },
                                                 [sink] { return sink->Close(); }));
  // Built from the file inwards: what is written goes through zstd first, then age.
  if (!o.recipients.empty()) {
    KETCD_ASSIGN_OR_RETURN(auto a, age::NewEncryptWriter(chain->head(), o.recipients));
    chain->Push(std::move(a));
  }
  if (o.zstd) {
    KETCD_ASSIGN_OR_RETURN(auto z, stream::NewZstdWriter(chain->head(), o.zstd_options));
    chain->Push(std::move(z));
  }
  return std::unique_ptr<stream::Writer>(std::move(chain));
}

}  // namespace ketcd::envelope
