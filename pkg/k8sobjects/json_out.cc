#include "pkg/k8sobjects/json_out.h"

#include <array>
#include <charconv>

#include "absl/strings/escaping.h"
#include "pkg/cli/json_text.h"

namespace ketcd::k8sobjects {

namespace {

// Bytes a JSON string can hold as they are: printable ASCII but `"` and `\`.
constexpr std::array<bool, 256> kPlain = [] {
  std::array<bool, 256> t{};
  for (int c = 0x20; c < 0x80; c++) t[c] = c != '"' && c != '\\';
  return t;
}();

}  // namespace

void JsonOut::AppendString(std::string_view bytes) {
  size_t i = 0;
  while (i < bytes.size() && kPlain[static_cast<unsigned char>(bytes[i])]) i++;
  if (i == bytes.size() && !bytes.starts_with(cli::kBase64Prefix)) {
    out_->push_back('"');
    out_->append(bytes);
    out_->push_back('"');
    return;
  }
  if (cli::IsValidUtf8(bytes) && !bytes.starts_with(cli::kBase64Prefix)) {
    AppendEscaped(bytes);
  } else {
    AppendEscaped(cli::JsonText(bytes));
  }
}

void JsonOut::AppendEscaped(std::string_view text) {
  std::string& o = *out_;
  o.push_back('"');
  size_t run = 0;
  for (size_t i = 0; i < text.size(); i++) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    o.append(text.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        o.append("\\\"");
        break;
      case '\\':
        o.append("\\\\");
        break;
      case '\b':
        o.append("\\b");
        break;
      case '\f':
        o.append("\\f");
        break;
      case '\n':
        o.append("\\n");
        break;
      case '\r':
        o.append("\\r");
        break;
      case '\t':
        o.append("\\t");
        break;
      default: {
        static constexpr char kHex[] = "0123456789abcdef";
        const char u[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
        o.append(u, sizeof u);
      }
    }
  }
  o.append(text.data() + run, text.size() - run);
  o.push_back('"');
}

void JsonOut::AppendInt(int64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out_->append(buf, r.ptr);
}

void JsonOut::AppendUint(uint64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out_->append(buf, r.ptr);
}

void JsonOut::AppendScalar(const Scalar& s) {
  switch (s.kind) {
    case Scalar::Kind::kInt:
      AppendInt(s.i);
      break;
    case Scalar::Kind::kUint:
      AppendUint(s.u);
      break;
    case Scalar::Kind::kBool:
      Append(s.i ? "true" : "false");
      break;
    case Scalar::Kind::kDouble:
      Append(Json(s.d).dump());
      break;
    case Scalar::Kind::kString:
      AppendString(s.s);
      break;
    case Scalar::Kind::kBytes:
      AppendString(absl::Base64Escape(absl::string_view(s.s.data(), s.s.size())));
      break;
  }
}

void JsonOut::AppendJson(const Json& j, int level) {
  switch (j.type()) {
    case Json::value_t::string:
      AppendString(j.get_ref<const std::string&>());
      return;
    case Json::value_t::array:
    case Json::value_t::object: {
      if (j.empty()) {
        Append(j.is_array() ? "[]" : "{}");
        return;
      }
      Append(j.is_array() ? "[\n" : "{\n");
      bool first = true;
      for (auto it = j.begin(); it != j.end(); ++it) {
        if (!first) Append(",\n");
        first = false;
        Indent(level + 1);
        if (j.is_object()) {
          AppendString(it.key());
          Append(": ");
        }
        AppendJson(it.value(), level + 1);
      }
      Append("\n");
      Indent(level);
      Append(j.is_array() ? "]" : "}");
      return;
    }
    default:
      Append(j.dump());
  }
}

}  // namespace ketcd::k8sobjects
