#pragma once
// Test helpers: snapshot files and their FILE.json written into a directory, as backup
// leaves them.

#include <sys/stat.h>
#include <sys/time.h>

#include <cstdint>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "pkg/base/format.h"

namespace ketcd::catalog::testing {

inline constexpr char kZstdMagic[] = "\x28\xb5\x2f\xfd";
inline constexpr char kAgeMagic[] = "age-encryption.org/v1\n";

inline void WriteBytes(const std::string& path, const std::string& bytes) { std::ofstream(path) << bytes; }

inline void SetMtime(const std::string& path, int64_t t) {
  struct timeval tv[2] = {{static_cast<time_t>(t), 0}, {static_cast<time_t>(t), 0}};
  ::utimes(path.c_str(), tv);
}

// `dir`/`name` with `content`, and its FILE.json (created at `t`, with a revision when given).
inline void WriteBackup(const std::string& dir, const std::string& name, const std::string& content, int64_t t,
                        int64_t revision = 0, bool with_json = true) {
  WriteBytes(dir + "/" + name, content);
  SetMtime(dir + "/" + name, t);
  if (!with_json) return;
  std::string json = absl::StrCat(R"({"file": ")", name, R"(", "size": )", content.size(), R"(, "sha256": ")",
                                  std::string(64, 'e'), R"(", "etcdVersion": "3.5.21", "clusterID": "c1",)",
                                  R"( "memberName": "m1", "createdAt": ")", UtcRfc3339(t), "\"");
  if (revision > 0) absl::StrAppend(&json, ", \"revision\": ", revision);
  WriteBytes(dir + "/" + name + ".json", json + "}\n");
}

}  // namespace ketcd::catalog::testing
