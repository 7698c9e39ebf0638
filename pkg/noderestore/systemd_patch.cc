#include "pkg/noderestore/systemd_patch.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "pkg/noderestore/manifest_patch.h"

namespace ketcd::noderestore {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// A key occurrence counts only at the start of a word: after a line start, whitespace,
// a quote or `=` (as in `Environment=ETCD_DATA_DIR=...`).
bool AtWordStart(const std::string& text, size_t pos) {
  if (pos == 0) return true;
  char c = text[pos - 1];
  return IsSpace(c) || c == '"' || c == '\'' || c == '=';
}

}  // namespace

absl::StatusOr<std::string> PatchDataDirSetting(const std::string& text, const std::string& key,
                                                const std::string& new_value) {
  if (key == "data-dir" || key == "wal-dir") return ReplaceScalar(text, {key}, new_value);
  bool flag = absl::StartsWith(key, "-");
  std::string out;
  size_t copied = 0;
  int replaced = 0;
  for (size_t pos = text.find(key); pos != std::string::npos; pos = text.find(key, pos + key.size())) {
    if (!AtWordStart(text, pos)) continue;
    size_t v = pos + key.size();
    if (v >= text.size()) continue;
    if (text[v] == '=') {
      v++;
    } else if (flag && (text[v] == ' ' || text[v] == '\t')) {
      while (v < text.size() && (text[v] == ' ' || text[v] == '\t')) v++;
    } else {
      continue;  // a longer name: --data-dir-x, ETCD_DATA_DIR_OLD
    }
    // The value: quoted, or up to whitespace, a closing quote of an enclosing
    // Environment="..." string, or a line continuation.
    size_t begin = v, end = v;
    if (v < text.size() && (text[v] == '"' || text[v] == '\'')) {
      char q = text[v];
      begin = v + 1;
      end = text.find(q, begin);
      if (end == std::string::npos) return absl::FailedPreconditionError(absl::StrCat(key, ": unbalanced quote"));
    } else {
      while (end < text.size() && !IsSpace(text[end]) && text[end] != '"' && text[end] != '\'' && text[end] != '\\') end++;
    }
    std::string old = text.substr(begin, end - begin);
    if (old.empty()) return absl::FailedPreconditionError(absl::StrCat(key, " has an empty value"));
    if (absl::StrContains(old, "$") || absl::StrContains(old, "%")) {
      return absl::FailedPreconditionError(
          absl::StrCat(key, "=", old, " comes from a variable or specifier; change it by hand"));
    }
    out += text.substr(copied, begin - copied);
    out += new_value;
    copied = end;
    pos = end > key.size() ? end - key.size() : end;
    replaced++;
  }
  if (replaced == 0) return absl::NotFoundError(absl::StrCat("no ", key, " setting found"));
  out += text.substr(copied);
  return out;
}

}  // namespace ketcd::noderestore
