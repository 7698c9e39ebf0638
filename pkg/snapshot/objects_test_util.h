#pragma once
// Tests: an etcd database file whose `key` bucket holds the given puts, one revision each.

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "pkg/base/bytes.h"
#include "pkg/bbolt/writer.h"
#include "pkg/k8sobjects/test_util.h"

namespace ketcd::snapshot::testing {

inline std::string Varint(int field, uint64_t v) {
  std::string out(1, static_cast<char>(field << 3));
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
  return out;
}

inline std::string RevKey(uint64_t main, bool tombstone = false) {
  std::string k(17, '_');
  StoreBE64(k.data(), main);
  StoreBE64(k.data() + 9, 0);
  return tombstone ? k + "t" : k;
}

// mvccpb.KeyValue.
inline std::string Kv(const std::string& key, int64_t rev, const std::string& value) {
  using k8sobjects::LengthDelimited;
  return LengthDelimited(1, key) + Varint(2, static_cast<uint64_t>(rev)) + Varint(3, static_cast<uint64_t>(rev)) +
         Varint(4, 1) + LengthDelimited(5, value);
}

// Writes `path` with revision i+1 for puts[i]; a put with an empty value is a deletion.
inline void WriteKeyDb(const std::string& path, const std::vector<std::pair<std::string, std::string>>& puts) {
  auto w = bbolt::BulkWriter::Create(path);
  ASSERT_TRUE(w.ok()) << w.status();
  ASSERT_TRUE((*w)->BeginBucket("key").ok());
  for (size_t i = 0; i < puts.size(); i++) {
    const auto& [k, v] = puts[i];
    int64_t rev = static_cast<int64_t>(i + 1);
    if (v.empty()) {
      ASSERT_TRUE((*w)->Put(RevKey(rev, true), k8sobjects::LengthDelimited(1, k)).ok());
    } else {
      ASSERT_TRUE((*w)->Put(RevKey(rev), Kv(k, rev, v)).ok());
    }
  }
  ASSERT_TRUE((*w)->EndBucket().ok());
  ASSERT_TRUE((*w)->Finish().ok());
}

}  // namespace ketcd::snapshot::testing
