// libFuzzer target: the training-state reader (state.json of `valleys realnets train --out`).
// Any input must give a record or std::runtime_error, never a crash; a record that parses must
// survive a serialize/parse round trip unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "valleys/realnets/train_state.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const auto record = valleys::realnets::ParseTrainState(text, "fuzz");
    const auto again =
        valleys::realnets::ParseTrainState(valleys::realnets::SerializeTrainState(record), "again");
    if (again.epoch != record.epoch || again.swa_n != record.swa_n ||
        again.fingerprint != record.fingerprint || again.rows.size() != record.rows.size())
      std::abort();
  } catch (const std::runtime_error&) {
  }
  return 0;
}
