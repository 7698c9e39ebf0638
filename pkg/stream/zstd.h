#pragma once
// zstd compression as a stream step (libzstd's streaming API). The compressor runs on the
// thread that calls Write, plus `workers` threads of libzstd's own; the output is one zstd
// frame that the `zstd` tool reads. The decompressor reads any sequence of frames.

#include <memory>
#include <string>

#include "pkg/stream/stream.h"

namespace ketcd::stream {

struct ZstdOptions {
  int level = 3;    // 1 (fast) to 19
  int workers = 0;  // libzstd's worker threads (ZSTD_c_nbWorkers); 0: compress on the caller's thread
};

// Workers for `ZstdOptions::workers` on this machine: one per core beyond the first, at most 4.
int DefaultZstdWorkers();

// Compresses into `next` (not owned); Close ends the frame and closes `next`.
absl::StatusOr<std::unique_ptr<Writer>> NewZstdWriter(Writer* next, const ZstdOptions& opts);

// Decompresses `src` (not owned). A damaged or truncated stream is DataLoss naming `name`.
std::unique_ptr<Reader> NewZstdReader(Reader* src, std::string name);

}  // namespace ketcd::stream
