#pragma once
// The discovery parsers read files under a host root: the fuzz targets write each input
// into one temporary root, created once per process and removed at exit.

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

namespace ketcd::discovery::fuzz {

class FuzzRoot {
 public:
  static FuzzRoot& Get() {
    static FuzzRoot root;
    return root;
  }
  const std::string& path() const { return path_; }
  // Writes <root><host_path> and returns its full path.
  std::string Write(const std::string& host_path, std::string_view text) {
    std::string p = path_ + host_path;
    std::filesystem::create_directories(std::filesystem::path(p).parent_path());
    std::ofstream(p, std::ios::binary | std::ios::trunc).write(text.data(), static_cast<std::streamsize>(text.size()));
    return p;
  }
  void Remove(const std::string& host_path) {
    std::error_code ec;
    std::filesystem::remove(path_ + host_path, ec);
  }

 private:
  FuzzRoot() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "ketcd-fuzz-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~FuzzRoot() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string path_;
};

// Splits the input on lines that are exactly "----" (at most `n` parts, missing ones empty).
inline std::vector<std::string> SplitParts(std::string_view in, size_t n) {
  std::vector<std::string> parts;
  constexpr std::string_view kSep = "\n----\n";
  while (parts.size() + 1 < n) {
    size_t at = in.find(kSep);
    if (at == std::string_view::npos) break;
    parts.emplace_back(in.substr(0, at));
    in.remove_prefix(at + kSep.size());
  }
  parts.emplace_back(in);
  parts.resize(n);
  return parts;
}

}  // namespace ketcd::discovery::fuzz
