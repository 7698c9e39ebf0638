#include "pkg/bbolt/test_util.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <sstream>

#include "pkg/bbolt/meta.h"
#include "pkg/bbolt/writer.h"

namespace ketcd::bbolt::testing {

std::string FixturePath(const std::string& name) { return std::string(KETCD_BBOLT_TESTDATA) + "/" + name; }

std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteBytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string TempPath(const std::string& name) {
  static std::atomic<int> n{0};
  const char* dir = std::getenv("TEST_TMPDIR");
  std::string base = dir != nullptr ? dir : "/tmp";
  return base + "/bbolt_test_" + std::to_string(::getpid()) + "_" + std::to_string(n++) + "_" + name;
}

std::string BuildDb(const Buckets& buckets, uint32_t page_size) {
  std::string path = TempPath("build.db");
  WriterOptions opts;
  opts.page_size = page_size;
  auto w = BulkWriter::Create(path, opts);
  EXPECT_TRUE(w.ok()) << w.status();
  if (!w.ok()) return "";
  for (const auto& [name, kvs] : buckets) {
    EXPECT_TRUE((*w)->BeginBucket(name).ok());
    for (const auto& [k, v] : kvs) EXPECT_TRUE((*w)->Put(k, v).ok());
    EXPECT_TRUE((*w)->EndBucket().ok());
  }
  auto size = (*w)->Finish();
  EXPECT_TRUE(size.ok()) << size.status();
  std::string bytes = ReadBytes(path);
  ::unlink(path.c_str());
  return bytes;
}

Buckets ManyKeys(int n, size_t value_size) {
  Buckets b;
  auto& kvs = b["b"];
  for (int i = 0; i < n; i++) {
    char key[32];
    std::snprintf(key, sizeof key, "key%08d", i);
    kvs.emplace_back(key, std::string(value_size, static_cast<char>('a' + i % 26)));
  }
  return b;
}

absl::StatusOr<std::unique_ptr<Db>> OpenBytes(const std::string& bytes) {
  return Db::OpenBuffer(absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
}

absl::StatusOr<Buckets> ReadAll(const Db& db) {
  Buckets out;
  absl::Status s = db.ForEach(db.root(), [&](const Entry& b) -> absl::Status {
    KETCD_ASSIGN_OR_RETURN(Bucket bucket, db.BucketFromEntry(b));
    auto& kvs = out[std::string(b.key)];
    return db.ForEach(bucket, [&](const Entry& e) -> absl::Status {
      kvs.emplace_back(std::string(e.key), std::string(e.value));
      return absl::OkStatus();
    });
  });
  if (!s.ok()) return s;
  return out;
}

void FixMetaChecksum(std::string& bytes, int which, uint32_t page_size) {
  uint8_t* m = reinterpret_cast<uint8_t*>(bytes.data()) + static_cast<size_t>(which) * page_size + kMetaOffset;
  StoreLE64(m + 56, Fnv64a(m, 56));
}

uint64_t FindPage(const std::string& bytes, uint16_t flags, uint32_t page_size) {
  for (uint64_t id = 2; (id + 1) * page_size <= bytes.size(); id++) {
    PageHeader h = DecodePageHeader(reinterpret_cast<const uint8_t*>(bytes.data()) + id * page_size);
    if (h.id == id && h.flags == flags) return id;
  }
  return 0;
}

}  // namespace ketcd::bbolt::testing
