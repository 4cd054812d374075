// Sweep grids: axes NAME=SPEC expanded into a Cartesian product of configurations.
//   lo:hi:count[:lin|log]   count values from lo to hi (inclusive), evenly or log-spaced
//   v1,v2,v3                the listed values (strings: specs and numbers alike)
//   v                       one value
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace valleys::io {

struct GridAxis {
  std::string name;
  std::vector<std::string> values;  // as text; numbers printed with full precision
};

// Throws InputError naming the axis and what is allowed; `what` names the input in messages
// ("grid", or the flag or file table that carried it).
GridAxis ParseGridAxis(const std::string& text,
                       const std::string& what = "grid");  // "eta=0.1:1:10"
GridAxis MakeGridAxis(const std::string& name, const std::string& spec,
                      const std::string& what = "grid");

// Number of configurations (product of axis sizes); throws InputError above `limit`.
long long GridSize(const std::vector<GridAxis>& axes, long long limit = 100000000);

// The values of configuration `index` (0-based; the first axis varies slowest).
std::vector<std::pair<std::string, std::string>> GridPoint(const std::vector<GridAxis>& axes,
                                                           long long index);

// "k/n" with 1 <= k <= n: configuration i belongs to shard k when i % n == k - 1.
struct Shard {
  int k = 1, n = 1;
  bool Owns(long long index) const { return index % n == k - 1; }
};
Shard ParseShard(const std::string& text, const std::string& what = "shard");

}  // namespace valleys::io
