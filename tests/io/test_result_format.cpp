// A command's result as table, CSV and JSON (io::Render): the CSV is tidy (one header row, one
// row of values, a column per scalar), RFC 4180-quoted, with its metadata on '#' lines.
#include <catch2/catch.hpp>

#include <string>

#include "valleys/io/csv_field.hpp"
#include "valleys/io/result_format.hpp"

using namespace valleys;
using Json = nlohmann::ordered_json;

namespace {
Json Result() {
  return Json{
      {"R0", 0.5},
      {"method", "closed, form"},
      {"converged", true},
      {"theory", {{"mean_avg", 0.25}}},
      {"R_at_bias", Json::array({{{"bias", 0.1}, {"R", 0.4}}, {{"bias", 0.2}, {"R", 0.3}}})},
      {"empty", nullptr}};
}
}  // namespace

TEST_CASE("the CSV form of a result is one header row and one row of values", "[io][format]") {
  const Json meta = {{"command", "theory risk"}, {"command_line", "valleys theory risk\n--x"}};
  const std::string csv = io::Render(Result(), meta, io::Format::kCsv);
  CHECK(csv ==
        "# command=theory risk\n"
        "# command_line=valleys theory risk\\n--x\n"
        "R0,method,converged,theory.mean_avg,R_at_bias[0].bias,R_at_bias[0].R,R_at_bias[1].bias,"
        "R_at_bias[1].R,empty\n"
        "0.5,\"closed, form\",true,0.25,0.1,0.4,0.2,0.3,\n");
  // Read back by the RFC 4180 reader: as many fields in the row as in the header.
  std::size_t start = csv.find("R0,");
  const std::string header = csv.substr(start, csv.find('\n', start) - start);
  const std::string row = csv.substr(csv.find('\n', start) + 1);
  const auto names = io::SplitCsvRecord(header);
  const auto values = io::SplitCsvRecord(row.substr(0, row.size() - 1));
  REQUIRE(names.size() == values.size());
  CHECK(values[1] == "closed, form");
}

TEST_CASE("the JSON form of a result is its keys plus meta", "[io][format]") {
  const auto j = Json::parse(io::Render(Result(), {{"seed", 3}}, io::Format::kJson));
  CHECK(j["R_at_bias"][1]["R"] == 0.3);
  CHECK(j["meta"]["seed"] == 3);
  io::Format f = io::Format::kTable;
  CHECK(io::StringToFormat("csv", &f));
  CHECK(f == io::Format::kCsv);
  CHECK_FALSE(io::StringToFormat("yaml", &f));
  CHECK(f == io::Format::kCsv);
}

TEST_CASE("the table form keeps names and values apart, nested and in sub-tables", "[io][format]") {
  const Json result = {{"n", 1},
                       {"centre", {{"train_loss", 2.5}, {"a_much_longer_name", 3}}},
                       {"rows", Json::array({{{"k", 1}, {"value", "a-very-long-cell-value"}},
                                             {{"k", 22}, {"value", "x"}}})}};
  const std::string table = io::Render(result, Json::object(), io::Format::kTable);
  // Every name in one column as wide as the longest flattened one, then two spaces.
  CHECK_THAT(table, Catch::Contains("n                          1\n"));
  CHECK_THAT(table, Catch::Contains("centre.train_loss          2.5\n"));
  CHECK_THAT(table, Catch::Contains("centre.a_much_longer_name  3\n"));
  // A sub-table's columns as wide as their widest cell, one space apart at least.
  CHECK_THAT(table,
             Catch::Contains("rows:\n   k                  value\n   1 a-very-long-cell-value\n"
                             "  22                      x\n"));
}
