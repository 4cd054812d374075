// The metadata of a training state (state.json): which options it was saved with, how many epochs
// are finished, and their rows. The tensors it names live in LibTorch files beside it; this part
// needs no LibTorch so that it can be fuzzed and tested on its own.
#pragma once

#include <string>
#include <vector>

namespace valleys::realnets {

struct EpochRow {
  int epoch = 0;  // 1-based
  // test_loss, test_acc: NaN for an epoch without a test evaluation (null in the state file)
  double lr = 0, train_loss = 0, train_acc = 0, test_loss = 0, test_acc = 0, seconds = 0;
  bool swa_averaged = false;  // this epoch's weights entered the SWA average
};

struct TrainStateRecord {
  std::string fingerprint;     // TrainOptions::Fingerprint() of the run that saved it
  int epoch = 0;               // epochs finished (0..kMaxEpochs)
  int swa_n = 0;               // snapshots in the SWA average (0..epoch)
  std::vector<EpochRow> rows;  // exactly `epoch` rows, numbered 1..epoch
};

constexpr int kMaxEpochs = 100000;

// JSON text of a record; `metadata` (a JSON object's text, may be empty) is stored under "meta".
std::string SerializeTrainState(const TrainStateRecord& record, const std::string& metadata = "");

// Parses and checks state.json text. Throws std::runtime_error naming the first problem (not JSON,
// a missing or mistyped field, an epoch or count out of range, rows not numbered 1..epoch, a
// non-finite number). `source` names the file in messages.
TrainStateRecord ParseTrainState(const std::string& text, const std::string& source);

}  // namespace valleys::realnets
