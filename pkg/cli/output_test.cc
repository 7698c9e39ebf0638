#include "pkg/cli/output.h"

#include <gtest/gtest.h>

#include <sstream>

namespace ketcd::cli {
namespace {

TEST(BorderedTable, MatchesEtcdctlLayout) {
  std::ostringstream out;
  PrintBorderedTable(out, {"hash", "revision", "total keys", "total size"}, {{"dbd1e31", "7", "11", "20 kB"}});
  EXPECT_EQ(out.str(),
            "+---------+----------+------------+------------+\n"
            "|  HASH   | REVISION | TOTAL KEYS | TOTAL SIZE |\n"
            "+---------+----------+------------+------------+\n"
            "| dbd1e31 |        7 |         11 |      20 kB |\n"
            "+---------+----------+------------+------------+\n");
}

TEST(PlainTable, NoHeaders) {
  std::ostringstream out;
  PrintPlainTable(out, {"name", "x"}, {{"a", "1"}, {"bbb", "2"}}, true);
  EXPECT_EQ(out.str(), "a     1\nbbb   2\n");
}

TEST(Yaml, NestedDocument) {
  std::ostringstream out;
  nlohmann::ordered_json j = {{"path", "/x"}, {"size", 3}, {"ok", true}};
  PrintYaml(out, j);
  EXPECT_EQ(out.str(), "path: \"/x\"\nsize: 3\nok: true\n");
}

TEST(OutputFormat, RejectsUnknown) {
  EXPECT_TRUE(CheckOutputFormat("json", {"json", "yaml"}).ok());
  EXPECT_EQ(CheckOutputFormat("xml", {"json", "yaml"}).code(), absl::StatusCode::kInvalidArgument);
}

TEST(PrintResult, DocumentForJsonAndYamlTextOtherwise) {
  nlohmann::ordered_json j = {{"a", 1}};
  for (const char* format : {"json", "yaml", "text", "table"}) {
    std::ostringstream out;
    PrintResult(out, format, j, [&] { out << "text\n"; });
    std::string want = std::string(format) == "json"   ? "{\n    \"a\": 1\n}\n"
                       : std::string(format) == "yaml" ? "a: 1\n"
                                                       : "text\n";
    EXPECT_EQ(out.str(), want) << format;
  }
}

}  // namespace
}  // namespace ketcd::cli
