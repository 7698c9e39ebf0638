#include "pkg/printers/cells.h"

#include <gtest/gtest.h>

namespace ketcd::printers {
namespace {

TEST(CellsTest, HumanDurationAsApimachinery) {
  EXPECT_EQ(HumanDuration(-5), "<invalid>");
  EXPECT_EQ(HumanDuration(-1), "0s");
  EXPECT_EQ(HumanDuration(0), "0s");
  EXPECT_EQ(HumanDuration(119), "119s");
  EXPECT_EQ(HumanDuration(120), "2m");
  EXPECT_EQ(HumanDuration(125), "2m5s");
  EXPECT_EQ(HumanDuration(10 * 60 + 5), "10m");
  EXPECT_EQ(HumanDuration(3 * 3600), "3h");
  EXPECT_EQ(HumanDuration(3 * 3600 + 120), "3h2m");
  EXPECT_EQ(HumanDuration(8 * 3600 + 120), "8h");
  EXPECT_EQ(HumanDuration(50 * 3600), "2d2h");
  EXPECT_EQ(HumanDuration(48 * 3600), "2d");
  EXPECT_EQ(HumanDuration(30 * 86400), "30d");
  EXPECT_EQ(HumanDuration(3 * 365 * 86400 + 86400), "3y1d");
  EXPECT_EQ(HumanDuration(10 * 365 * 86400), "10y");
}

TEST(CellsTest, TimesAndAges) {
  EXPECT_EQ(ParseTime("2026-01-01T00:00:00Z"), 1767225600);
  EXPECT_EQ(ParseTime("2026-01-01T00:00:00.123456Z"), 1767225600);
  EXPECT_EQ(ParseTime("yesterday"), -1);
  EXPECT_EQ(Since("", 0), "<unknown>");
  EXPECT_EQ(Since("2026-01-01T00:00:00Z", 1767225600 + 30), "30s");
  EXPECT_EQ(Age(Json::parse(R"({"metadata":{"creationTimestamp":5}})"), 0), "<unknown>");
}

TEST(CellsTest, LabelsAndSelectors) {
  EXPECT_EQ(FormatLabels(Json::parse(R"({"b":"2","a":"1"})")), "a=1,b=2");
  EXPECT_EQ(FormatLabels(Json()), "<none>");
  EXPECT_EQ(FormatLabelSelector(Json()), "<none>");
  EXPECT_EQ(FormatLabelSelector(Json::object()), "<none>");
  EXPECT_EQ(FormatLabelSelector(Json::parse(R"({"matchLabels":{"app":"web"},"matchExpressions":[
      {"key":"tier","operator":"In","values":["b","a"]},{"key":"env","operator":"NotIn","values":["dev"]},
      {"key":"zz","operator":"Exists"},{"key":"old","operator":"DoesNotExist"}]})")),
            "app=web,env notin (dev),!old,tier in (a,b),zz");
  const Json c = Json::parse(R"([{"name":"a","image":"nginx"},{"name":"b","image":"busybox:1"}])");
  EXPECT_EQ(ContainerNames(c), "a,b");
  EXPECT_EQ(ContainerImages(c), "nginx,busybox:1");
  EXPECT_EQ(Str(Json::parse(R"({"a":{"b":3}})"), {"a", "b"}), "");
  EXPECT_EQ(Int(Json::parse(R"({"a":{"b":3}})"), {"a", "b"}), 3);
}

}  // namespace
}  // namespace ketcd::printers
