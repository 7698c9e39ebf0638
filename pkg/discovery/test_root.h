#pragma once
// Test helper: a temporary host root populated from pkg/discovery/testdata.

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "pkg/fsutil/file.h"

namespace ketcd::discovery {

inline std::string TestData(const std::string& name) {
  return std::string(KETCD_DISCOVERY_TESTDATA) + "/" + name;
}

class TestRoot {
 public:
  TestRoot() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "ketcd-disc-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TestRoot() { std::filesystem::remove_all(path_); }
  TestRoot(const TestRoot&) = delete;
  const std::string& path() const { return path_; }

  // Copies testdata/<fixture> to <root><host_path>.
  void Copy(const std::string& fixture, const std::string& host_path) {
    std::string dst = path_ + host_path;
    std::filesystem::create_directories(std::filesystem::path(dst).parent_path());
    std::filesystem::copy_file(TestData(fixture), dst, std::filesystem::copy_options::overwrite_existing);
  }
  void Write(const std::string& host_path, const std::string& text) {
    std::string dst = path_ + host_path;
    std::filesystem::create_directories(std::filesystem::path(dst).parent_path());
    std::ofstream(dst) << text;
  }
  void Touch(const std::string& host_path) { Write(host_path, ""); }

 private:
  std::string path_;
};

}  // namespace ketcd::discovery
