#pragma once
// Test helper: a temporary directory, removed with everything in it when the object goes.

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace ketcd::fsutil {

class TestDir {
 public:
  TestDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "ketcd-test-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TestDir() { std::filesystem::remove_all(path_); }
  TestDir(const TestDir&) = delete;
  TestDir& operator=(const TestDir&) = delete;

  const std::string& path() const { return path_; }

  // Writes <dir><rel_path> ("/a/b"), creating the directories on the way.
  void Write(const std::string& rel_path, const std::string& text) {
    std::string dst = path_ + rel_path;
    std::filesystem::create_directories(std::filesystem::path(dst).parent_path());
    std::ofstream(dst) << text;
  }

 private:
  std::string path_;
};

}  // namespace ketcd::fsutil
