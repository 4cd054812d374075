// The torch-free real-network commands (logistic2d, shift, score, data), one call each: check the
// options, run, write the files, return what the command prints. Throws std::invalid_argument
// naming the field of an invalid option (before any file is written) and std::runtime_error when
// a file cannot be read or written.
#pragma once

#include <string>

#include "valleys/realnets/asymmetry_measure.hpp"
#include "valleys/realnets/logistic2d.hpp"
#include "valleys/realnets/run_output.hpp"
#include "valleys/realnets/valley_measure.hpp"

namespace valleys::realnets {

// The 2-parameter logistic model; with `out_dir`, logistic2d.csv and its sidecar written there.
RunOutput Logistic2dCommand(const Logistic2dOptions& options, const std::string& out_dir = "");

// The translation between the test and the training profile of a profile CSV (claim C12).
struct ShiftOptions {
  std::string profile;  // a profile CSV (`valleys realnets profile`)
  std::string x = "t", train = "train_loss", test = "test_loss";  // its columns
  double max_shift = 0;  // the largest |delta| searched (> 0); 0: a quarter of the offset range
  bool IsValid(std::string* why) const;
};
RunOutput ShiftCommand(const ShiftOptions& options);

// The asymmetry of a loss profile under `criterion`: `profile` is FILE[,x=COL][,loss=COL] (the
// first two columns by default).
struct ScoreOptions {
  std::string profile;
  AsymmetryCriterion criterion;  // the rises and widths from t = 0 (the probed solution)
  ValleyCriterion valley;        // the measure from the valley's minimum (result key "valley")
};
RunOutput ScoreCommand(const ScoreOptions& options);

// The CIFAR-10 files of `dir` checked against their SHA-256 sums: the folder, every file's
// status, and whether the full set and the subset are whole. `complete` is false when a file is
// corrupt or neither set is whole; `problem` then says why.
struct DataFolderCheck {
  RunOutput output;
  bool complete = true;
  std::string problem;
};
DataFolderCheck CheckDataFolder(const std::string& dir);

}  // namespace valleys::realnets
