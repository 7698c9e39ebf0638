#include "pkg/cli/output.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_join.h"
#include "pkg/cli/json_text.h"

namespace ketcd::cli {

absl::Status CheckOutputFormat(const std::string& format, const std::vector<std::string>& allowed) {
  if (std::find(allowed.begin(), allowed.end(), format) != allowed.end()) return absl::OkStatus();
  return absl::InvalidArgumentError("unsupported output format \"" + format +
                                    "\"; allowed: " + absl::StrJoin(allowed, ", "));
}

void PrintJson(std::ostream& out, const nlohmann::ordered_json& doc) { out << JsonSafe(doc).dump(4) << "\n"; }

namespace {
void EmitYaml(YAML::Emitter& e, const nlohmann::ordered_json& j) {
  switch (j.type()) {
    case nlohmann::ordered_json::value_t::object:
      e << YAML::BeginMap;
      for (auto it = j.begin(); it != j.end(); ++it) {
        e << YAML::Key << it.key() << YAML::Value;
        EmitYaml(e, it.value());
      }
      e << YAML::EndMap;
      break;
    case nlohmann::ordered_json::value_t::array:
      if (j.empty()) {
        e << YAML::Flow << YAML::BeginSeq << YAML::EndSeq;
        break;
      }
      e << YAML::BeginSeq;
      for (const auto& v : j) EmitYaml(e, v);
      e << YAML::EndSeq;
      break;
    case nlohmann::ordered_json::value_t::string:
      e << YAML::DoubleQuoted << j.get<std::string>();
      break;
    case nlohmann::ordered_json::value_t::null:
      e << YAML::Null;
      break;
    default:
      e << j.dump();  // numbers and booleans print as in JSON
  }
}
}  // namespace

void PrintYaml(std::ostream& out, const nlohmann::ordered_json& doc) {
  YAML::Emitter e;
  EmitYaml(e, JsonSafe(doc));
  out << e.c_str() << "\n";
}

void PrintResult(std::ostream& out, const std::string& format, const nlohmann::ordered_json& doc,
                 const std::function<void()>& text) {
  if (format == "json") {
    PrintJson(out, doc);
  } else if (format == "yaml") {
    PrintYaml(out, doc);
  } else {
    text();
  }
}

void PrintPlainTable(std::ostream& out, const std::vector<std::string>& headers,
                     const std::vector<std::vector<std::string>>& rows, bool no_headers) {
  std::vector<size_t> width(headers.size(), 0);
  if (!no_headers) {
    for (size_t i = 0; i < headers.size(); i++) width[i] = headers[i].size();
  }
  for (const auto& r : rows) {
    for (size_t i = 0; i < r.size() && i < width.size(); i++) width[i] = std::max(width[i], r[i].size());
  }
  auto line = [&](const std::vector<std::string>& cells, bool upper) {
    std::string s;
    for (size_t i = 0; i < cells.size() && i < width.size(); i++) {
      std::string c = upper ? absl::AsciiStrToUpper(cells[i]) : cells[i];
      s += c;
      if (i + 1 < cells.size()) s += std::string(width[i] - c.size() + 3, ' ');
    }
    out << s << "\n";
  };
  if (!no_headers) line(headers, true);
  for (const auto& r : rows) line(r, false);
}

void PrintBorderedTable(std::ostream& out, const std::vector<std::string>& headers,
                        const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width(headers.size());
  for (size_t i = 0; i < headers.size(); i++) width[i] = headers[i].size();
  for (const auto& r : rows) {
    for (size_t i = 0; i < r.size() && i < width.size(); i++) width[i] = std::max(width[i], r[i].size());
  }
  std::string border = "+";
  for (size_t w : width) border += std::string(w + 2, '-') + "+";
  out << border << "\n|";
  for (size_t i = 0; i < headers.size(); i++) {
    std::string h = absl::AsciiStrToUpper(headers[i]);
    size_t gap = width[i] - h.size(), left = gap / 2;
    out << " " << std::string(left, ' ') << h << std::string(gap - left, ' ') << " |";
  }
  out << "\n" << border << "\n";
  for (const auto& r : rows) {
    out << "|";
    for (size_t i = 0; i < width.size(); i++) {
      const std::string& c = i < r.size() ? r[i] : std::string();
      out << " " << std::string(width[i] - c.size(), ' ') << c << " |";
    }
    out << "\n";
  }
  out << border << "\n";
}

}  // namespace ketcd::cli
