// The figure data library: for every figure, the data's header is the schema the figure's script
// reads, and every row has one field per column (blank lines separate gnuplot grid blocks); a
// figure's folder (MakeFigure): computed data with its sidecar, reused data checked and traced.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <string>

#include "valleys/figure_data/figure_data.hpp"
#include "valleys/figure_data/figure_files.hpp"
#include "valleys/io/atomic_file.hpp"
#include "valleys/plots/figures.hpp"

using namespace valleys;

namespace {
claims::ClaimScale Tiny() {
  claims::ClaimScale tiny;  // small enough for a unit test; the shape of the data is the same
  tiny.name = "tiny";
  tiny.draws = 2;
  tiny.chains = 100;
  tiny.steps = 400;
  tiny.burnin = 100;
  tiny.mc_samples = 5000;
  return tiny;
}
}  // namespace

TEST_CASE("figure data: header from the schema, one field per column in every row",
          "[figure_data]") {
  const claims::ClaimScale tiny = Tiny();
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

TEST_CASE("a figure's folder: data and sidecar, or given data checked and traced",
          "[figure_data]") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("valleys_figure_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  figure_data::FigureFileOptions o{"A", (dir / "computed").string(), "", Tiny(), 7};
  figure_data::MakeFigure(o);
  const fs::path csv = dir / "computed" / "A.csv";
  CHECK(io::ReadFile(csv) == figure_data::FigureData("A", Tiny(), 7));
  const auto meta = nlohmann::json::parse(io::ReadFile(dir / "computed" / "A.csv.json"));
  CHECK(meta["seed"] == 7);
  CHECK(meta["scale"]["name"] == "tiny");
  CHECK(meta["columns"] == plots::Figure("A").columns);
  for (const char* file : {"A.gp", "A.png", "A.pdf"}) CHECK(fs::exists(dir / "computed" / file));

  figure_data::FigureFileOptions reuse{"A", (dir / "reused").string(), csv.string(), {}, 1};
  figure_data::MakeFigure(reuse);
  CHECK(io::ReadFile(dir / "reused" / "A.csv") == io::ReadFile(csv));
  const auto traced = nlohmann::json::parse(io::ReadFile(dir / "reused" / "A.csv.json"));
  CHECK(traced["data_from"] == fs::absolute(csv).string());
  CHECK(traced["data_meta"]["seed"] == 7);

  figure_data::FigureFileOptions wrong{"B", (dir / "wrong").string(), csv.string(), {}, 1};
  CHECK_THROWS_WITH(
      figure_data::MakeFigure(wrong),
      Catch::Contains("FigureFileOptions::data_csv") && Catch::Contains("is not figure B's data"));
  CHECK_FALSE(fs::exists(dir / "wrong"));  // checked before anything is written
  fs::remove_all(dir);
}
