// Sweep files (TOML, toml++): [base] holds simulator options by their command-line names,
// [grid] the axes, each a grid string ("0.01:0.1:10:log", "2,4,9") or an array of values.
//
//   [base]
//   profile = "quadratic:hplus=1,hminus=9"
//   chains = 2000
//   [grid]
//   eta = "0.01:0.1:10:log"
//   hminus = [2, 4, 9]
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "valleys/io/grid.hpp"

namespace valleys::io {

struct SweepFile {
  std::vector<std::pair<std::string, std::string>> base;  // option name -> value text, file order
  std::vector<GridAxis> grid;
};

// Throws InputError naming the file, line and key on any problem.
SweepFile ParseSweepToml(const std::string& text, const std::string& source);
SweepFile ReadSweepToml(const std::string& path);

}  // namespace valleys::io
