#pragma once
// Helpers for the bbolt tests: fixture files, databases built with BulkWriter, and byte
// surgery (flip a byte, patch an integer, re-checksum a meta page).

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "pkg/bbolt/db.h"

namespace ketcd::bbolt::testing {

using Buckets = std::map<std::string, std::vector<std::pair<std::string, std::string>>>;

std::string FixturePath(const std::string& name);  // testdata/<name>
std::string ReadBytes(const std::string& path);
void WriteBytes(const std::string& path, const std::string& bytes);
std::string TempPath(const std::string& name);  // unique path under TEST_TMPDIR or /tmp

// Builds a database with BulkWriter and returns its bytes.
std::string BuildDb(const Buckets& buckets, uint32_t page_size = 4096);
// `n` keys "key%08d" with `value_size`-byte values in bucket "b".
Buckets ManyKeys(int n, size_t value_size);

absl::StatusOr<std::unique_ptr<Db>> OpenBytes(const std::string& bytes);
// Every (bucket, key, value) in order, or the first error.
absl::StatusOr<Buckets> ReadAll(const Db& db);

// Recomputes the checksum of meta page `which` after a test edited it.
void FixMetaChecksum(std::string& bytes, int which, uint32_t page_size = 4096);
// First page id >= 2 whose header flags equal `flags`, or 0.
uint64_t FindPage(const std::string& bytes, uint16_t flags, uint32_t page_size = 4096);

}  // namespace ketcd::bbolt::testing
