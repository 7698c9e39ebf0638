#pragma once
// Test helper: a temporary host root populated from pkg/discovery/testdata.

#include <filesystem>
#include <string>

#include "pkg/fsutil/test_dir.h"

namespace ketcd::discovery {

inline std::string TestData(const std::string& name) {
  return std::string(KETCD_DISCOVERY_TESTDATA) + "/" + name;
}

// A host root: a temporary directory that fixtures are copied into.
class TestRoot : public fsutil::TestDir {
 public:
  // Copies testdata/<fixture> to <root><host_path>.
  void Copy(const std::string& fixture, const std::string& host_path) {
    std::string dst = path() + host_path;
    std::filesystem::create_directories(std::filesystem::path(dst).parent_path());
    std::filesystem::copy_file(TestData(fixture), dst, std::filesystem::copy_options::overwrite_existing);
  }
  void Touch(const std::string& host_path) { Write(host_path, ""); }
};

}  // namespace ketcd::discovery
