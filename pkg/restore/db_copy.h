#pragma once
// The first half of writing member/snap/db: a plain copy of the snapshot's bbolt image,
// with the SHA-256 trailer check beside it. Two threads: this one copies (in the kernel with
// copy_file_range where the file systems allow, else through one kChunk buffer) and starts
// writeback as it goes so the final fsync is short; the other hashes the source through a
// read-only mapping, which the copying thread keeps mapped just ahead of it. Dirty pages stay
// bounded (at most a few chunks are in writeback); written pages stay cached for the etcd
// that starts on them, hashed ones are dropped from the mapping.

#include <cstdint>
#include <string>

#include "pkg/base/status.h"
#include "pkg/bbolt/mapped_file.h"
#include "pkg/bbolt/trailer.h"
#include "pkg/restore/db_stream.h"

namespace ketcd::restore {

struct ImageCopyOptions {
  uint64_t copy_bytes = 0;  // bytes [0, copy_bytes) of the source go to the destination
  bool hash = true;         // hash [0, size - 32) and compare with the trailer, if present
  ProgressFn progress;      // (bytes copied + bytes hashed, total of both)
  bool in_kernel = true;    // copy_file_range where the kernel allows; false: pread/pwrite
};

// Copies `src` into `dst_fd` (from offset 0): the bytes are read through src.fd() and hashed
// through src.data(), so they come from the same open file that the caller opened and checked,
// even if its path is replaced meanwhile. Returns the trailer state: kAbsent when the file has
// no trailer; with hash == false a present trailer is reported as kNotChecked (stored_hex
// set). DataLoss when the file shrinks or fails I/O meanwhile (src.CheckIntact()). Polls
// Interrupted() (Cancelled). Does not fsync.
absl::StatusOr<bbolt::TrailerCheck> CopyImage(const bbolt::MappedFile& src, int dst_fd, const ImageCopyOptions& opts);

}  // namespace ketcd::restore
