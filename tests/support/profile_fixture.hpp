#pragma once

#include <string>
#include <vector>

#include "valleys/io/table_csv.hpp"

namespace valleys::test {

// A stored 1-D loss profile (t, train_loss) from the tests' data folder.
struct ProfileFixture {
  std::vector<double> t, loss;
};

inline ProfileFixture ReadProfileFixture(const std::string& name) {
  const auto table =
      io::ReadTableCsv(std::string(VALLEYS_TEST_DATA) + "/" + name + ".csv", "t", "train_loss");
  return {table.x, table.loss};
}

}  // namespace valleys::test
