#include "pkg/stream/zstd.h"

#include <zstd.h>

#include <algorithm>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"

namespace ketcd::stream {
namespace {

class ZstdWriter : public Writer {
 public:
  ZstdWriter(ZSTD_CCtx* cctx, Writer* next) : cctx_(cctx), next_(next), out_(ZSTD_CStreamOutSize()) {}
  ~ZstdWriter() override { ZSTD_freeCCtx(cctx_); }

  absl::Status Write(const void* data, size_t n) override {
    ZSTD_inBuffer in{data, n, 0};
    while (in.pos < in.size) KETCD_RETURN_IF_ERROR(Step(&in, ZSTD_e_continue));
    return absl::OkStatus();
  }

  absl::Status Close() override {
    ZSTD_inBuffer in{nullptr, 0, 0};
    for (;;) {
      KETCD_ASSIGN_OR_RETURN(size_t left, Compress(&in, ZSTD_e_end));
      if (left == 0) break;
    }
    return next_->Close();
  }

 private:
  absl::Status Step(ZSTD_inBuffer* in, ZSTD_EndDirective mode) { return Compress(in, mode).status(); }

  absl::StatusOr<size_t> Compress(ZSTD_inBuffer* in, ZSTD_EndDirective mode) {
    ZSTD_outBuffer out{out_.data(), out_.size(), 0};
    size_t left = ZSTD_compressStream2(cctx_, &out, in, mode);
    if (ZSTD_isError(left)) return absl::InternalError(absl::StrCat("zstd: ", ZSTD_getErrorName(left)));
    if (out.pos > 0) KETCD_RETURN_IF_ERROR(next_->Write(out_.data(), out.pos));
    return left;
  }

  ZSTD_CCtx* cctx_;
  Writer* next_;
  std::vector<char> out_;
};

class ZstdReader : public Reader {
 public:
  ZstdReader(Reader* src, std::string name)
      : dctx_(ZSTD_createDCtx()), src_(src), name_(std::move(name)), in_(ZSTD_DStreamInSize()) {}
  ~ZstdReader() override { ZSTD_freeDCtx(dctx_); }

  absl::StatusOr<size_t> Read(void* data, size_t n) override {
    if (dctx_ == nullptr) return absl::ResourceExhaustedError("zstd: out of memory");
    ZSTD_outBuffer out{data, n, 0};
    while (out.pos == 0 && n > 0) {
      if (in_pos_ == in_len_ && !eof_) {
        KETCD_ASSIGN_OR_RETURN(in_len_, src_->Read(in_.data(), in_.size()));
        in_pos_ = 0;
        eof_ = in_len_ == 0;
      }
      if (in_pos_ == in_len_ && eof_) {
        if (!frame_done_) {
          return absl::DataLossError(absl::StrCat(name_, ": the zstd stream is truncated (it ends inside a frame)"));
        }
        return size_t{0};
      }
      ZSTD_inBuffer in{in_.data(), in_len_, in_pos_};
      size_t ret = ZSTD_decompressStream(dctx_, &out, &in);
      in_pos_ = in.pos;
      if (ZSTD_isError(ret)) {
        return absl::DataLossError(absl::StrCat(name_, ": the zstd stream is damaged: ", ZSTD_getErrorName(ret)));
      }
      frame_done_ = ret == 0;
    }
    return out.pos;
  }

 private:
  ZSTD_DCtx* dctx_;
  Reader* src_;
  std::string name_;
  std::vector<char> in_;
  size_t in_pos_ = 0, in_len_ = 0;
  bool eof_ = false;
  bool frame_done_ = true;
};

}  // namespace

int DefaultZstdWorkers() {
  const int cores = static_cast<int>(std::thread::hardware_concurrency());
  return std::clamp(cores - 1, 1, 4);
}

absl::StatusOr<std::unique_ptr<Writer>> NewZstdWriter(Writer* next, const ZstdOptions& opts) {
  if (opts.level < 1 || opts.level > ZSTD_maxCLevel()) {
    return absl::InvalidArgumentError(absl::StrCat("zstd level ", opts.level, ": want 1 to ", ZSTD_maxCLevel()));
  }
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  if (cctx == nullptr) return absl::ResourceExhaustedError("zstd: out of memory");
  auto w = std::make_unique<ZstdWriter>(cctx, next);
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, opts.level);
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
  // A libzstd built without multi-threading (Debian's libzstd.a, which the static release
  // links) refuses worker threads: it then compresses on this thread, to the same format.
  if (opts.workers > 0 && ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_nbWorkers, opts.workers))) {
    ZSTD_CCtx_setParameter(cctx, ZSTD_c_nbWorkers, 0);
  }
  return std::unique_ptr<Writer>(std::move(w));
}

std::unique_ptr<Reader> NewZstdReader(Reader* src, std::string name) {
  return std::make_unique<ZstdReader>(src, std::move(name));
}

}  // namespace ketcd::stream
