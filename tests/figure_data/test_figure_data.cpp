// The figure data library: for every figure, the data's header is the schema the figure's script
// reads, and every row has one field per column (blank lines separate gnuplot grid blocks).
#include <catch2/catch.hpp>

#include <algorithm>
#include <sstream>
#include <string>

#include "valleys/figure_data/figure_data.hpp"
#include "valleys/plots/figures.hpp"

using namespace valleys;

TEST_CASE("figure data: header from the schema, one field per column in every row",
          "[figure_data]") {
  claims::ClaimScale tiny;  // small enough for a unit test; the shape of the data is the same
  tiny.name = "tiny";
  tiny.draws = 2;
  tiny.chains = 100;
  tiny.steps = 400;
  tiny.burnin = 100;
  tiny.mc_samples = 5000;
  for (const auto& figure : plots::Figures()) {
    INFO("figure " << figure.id);
    const std::string csv = figure_data::FigureData(figure.id, tiny, 7);
    std::istringstream lines(csv);
    std::string line;
    REQUIRE(std::getline(lines, line));
    CHECK(line == figure.columns);
    const auto fields = std::count(figure.columns.begin(), figure.columns.end(), ',') + 1;
    int rows = 0;
    while (std::getline(lines, line)) {
      if (line.empty()) continue;  // a blank line ends a gnuplot grid block (figure G's surface)
      ++rows;
      INFO("row " << rows << ": " << line);
      CHECK(std::count(line.begin(), line.end(), ',') + 1 == fields);
    }
    CHECK(rows > 3);
  }
  CHECK_THROWS_AS(figure_data::FigureData("Z", tiny, 7), std::invalid_argument);
}
