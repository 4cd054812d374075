// The 2-D surface's grid and CSV (surface_grid.hpp) and its figure script (surface_figure.hpp).
#include <catch2/catch.hpp>

#include "valleys/plots/surface_figure.hpp"
#include "valleys/realnets/surface_grid.hpp"

using namespace valleys;
using realnets::SurfacePoint;

TEST_CASE("surface grid: a outer, b inner, both ascending, 0 exact", "[realnets][surface]") {
  const auto grid = realnets::SurfaceGrid(1.0, 3, 0.3, 5);
  REQUIRE(grid.size() == 15);
  CHECK(grid[0] == std::make_pair(-1.0, -0.3));
  CHECK(grid[1] == std::make_pair(-1.0, -0.15));
  CHECK(grid[5] == std::make_pair(0.0, -0.3));
  CHECK(grid[7] == std::make_pair(0.0, 0.0));  // the centre, exactly
  CHECK(grid[14] == std::make_pair(1.0, 0.3));
  CHECK_THROWS_WITH(realnets::SurfaceAxis(1.0, 4), Catch::Contains("points = 4"));
  CHECK_THROWS_WITH(realnets::SurfaceAxis(0.0, 5), Catch::Contains("range = 0"));
}

TEST_CASE("surface CSV: the header from the field list, rows that read back exactly",
          "[realnets][surface]") {
  CHECK(realnets::SurfaceCsvHeader() == "a,b,train_loss,train_acc,test_loss,test_acc\n");
  const SurfacePoint p{-0.1, 1.0 / 3.0, 2.302585092994046, 0.125, 1e-300, 0.5};
  const std::string csv = realnets::SurfaceCsvHeader() + realnets::SurfaceCsvRow(p) +
                          realnets::SurfaceCsvRow({0, 0, 1, 1, 1, 1});
  const auto back = realnets::ParseSurfaceCsv(csv, "s.csv");
  REQUIRE(back.size() == 2);
  for (const auto& f : realnets::SurfacePointFields()) CHECK(back[0].*(f.member) == p.*(f.member));

  CHECK_THROWS_WITH(realnets::ParseSurfaceCsv("a,b\n", "s.csv"),
                    Catch::Contains("s.csv: line 1 is 'a,b'"));
  const std::string h = realnets::SurfaceCsvHeader();
  CHECK_THROWS_WITH(realnets::ParseSurfaceCsv(h + "0,0,1,1,1\n", "s.csv"),
                    Catch::Contains("line 2 has 5 columns (expected 6)"));
  CHECK_THROWS_WITH(realnets::ParseSurfaceCsv(h + "0,0,1,1,1,1,1\n", "s.csv"),
                    Catch::Contains("line 2 has 7 columns"));
  CHECK_THROWS_WITH(realnets::ParseSurfaceCsv(h + "0,0,nan,1,1,1\n", "s.csv"),
                    Catch::Contains("line 2, column train_loss is 'nan'"));
  CHECK_THROWS_WITH(realnets::ParseSurfaceCsv(h + "0,0,1x,1,1,1\n", "s.csv"),
                    Catch::Contains("column train_loss is '1x'"));
}

TEST_CASE("surface figure: the grid as scan lines, columns found by name, a ragged grid refused",
          "[realnets][surface][plots]") {
  // Columns in another order than the writer's: the script finds them by name.
  const std::string csv = "b,a,test_loss,train_loss\n-1,-1,4,3\n1,-1,6,5\n-1,1,8,7\n1,1,10,9\n";
  const std::string script = plots::SurfaceGnuplotScript(
      csv, "out", "contour", "t", plots::SurfaceMarkPoint{0.5, -0.25, "SGD"});
  CHECK_THAT(script,
             Catch::Contains("$grid << EOD\n-1,-1,3,4\n-1,1,5,6\n\n1,-1,7,8\n1,1,9,10\nEOD\n"));
  CHECK_THAT(script, Catch::Contains("0.5,-0.25,SGD\n"));
  CHECK_THAT(plots::SurfaceGnuplotScript(csv, "out", "3d", "t", std::nullopt),
             Catch::Contains("with pm3d"));
  CHECK_THROWS_WITH(
      plots::SurfaceGnuplotScript("a,b,train_loss,test_loss\n0,0,1,1\n0,1,1,1\n1,0,1,1\n", "out",
                                  "contour", "t", std::nullopt),
      Catch::Contains("ragged"));
  CHECK_THROWS_WITH(
      plots::SurfaceGnuplotScript("a,b,train_loss\n0,0,1\n", "out", "3d", "t", std::nullopt),
      Catch::Contains("no column 'test_loss'"));
  CHECK_THROWS_WITH(plots::SurfaceGnuplotScript(csv, "out", "heat", "t", std::nullopt),
                    Catch::Contains("kind 'heat'"));
}
