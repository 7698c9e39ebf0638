#pragma once
// Output formats shared by the commands: -o json|yaml for scripts, tables for people.

#include <nlohmann/json.hpp>

#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "pkg/base/status.h"

namespace ketcd::cli {

// Validates an -o value against the formats a command offers.
absl::Status CheckOutputFormat(const std::string& format, const std::vector<std::string>& allowed);

// kubectl style: JSON indented by 4 spaces; YAML block style. Strings that are not valid
// UTF-8 are written as json_text.h says ("base64:..."), so printing never fails.
void PrintJson(std::ostream& out, const nlohmann::ordered_json& doc);
void PrintYaml(std::ostream& out, const nlohmann::ordered_json& doc);

// The choice every command makes: -o json and -o yaml print `doc` (PrintJson,
// PrintYaml); any other format is the command's own text, which `text` prints.
void PrintResult(std::ostream& out, const std::string& format, const nlohmann::ordered_json& doc,
                 const std::function<void()>& text);

// kubectl-style table: upper-case headers, columns separated by three spaces.
void PrintPlainTable(std::ostream& out, const std::vector<std::string>& headers,
                     const std::vector<std::vector<std::string>>& rows, bool no_headers);

// etcdctl-style bordered table (tablewriter): centered headers, right-aligned cells.
void PrintBorderedTable(std::ostream& out, const std::vector<std::string>& headers,
                        const std::vector<std::vector<std::string>>& rows);

}  // namespace ketcd::cli
