#pragma once
// JSON text appended to a string exactly as cli::PrintJson writes a document: nlohmann's
// dump(4) of the document after cli::JsonSafe (strings that are not UTF-8, or begin with
// "base64:", as "base64:" + base64; `"`, `\` and control characters escaped, the rest as is).

#include <cstdint>
#include <string>
#include <string_view>

#include "pkg/k8sobjects/to_json.h"
#include "pkg/k8sobjects/wire_frame.h"

namespace ketcd::k8sobjects {

class JsonOut {
 public:
  // Writes to *out from now on; every line is indented by `base` more spaces.
  void Reset(std::string* out, size_t base) {
    out_ = out;
    base_ = base;
  }
  void Append(std::string_view s) { out_->append(s); }
  void Indent(int level) { out_->append(base_ + 4 * static_cast<size_t>(level), ' '); }
  void AppendString(std::string_view bytes);
  void AppendInt(int64_t v);
  void AppendUint(uint64_t v);
  void AppendScalar(const Scalar& s);
  // A document (embedded JSON) whose first line is already indented at `level`.
  void AppendJson(const Json& j, int level);

 private:
  void AppendEscaped(std::string_view text);
  std::string* out_ = nullptr;
  size_t base_ = 0;
};

}  // namespace ketcd::k8sobjects
