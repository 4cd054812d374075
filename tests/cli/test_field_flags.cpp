// Library messages read with the flags of the command that ran (cli::FieldsToFlags): a field is
// "--" + its name where the command has that flag, renamed fields by their table, anything else
// left as it is.
#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "field_flags.hpp"

using valleys::cli::FieldsToFlags;

namespace {
// The flags of a made-up command.
bool Has(const std::string& flag) {
  static const std::set<std::string> flags = {"--eta", "--data-size", "--momentum", "--out", "--T"};
  return flags.count(flag) > 0;
}
}  // namespace

TEST_CASE("fields become the command's flags by name", "[cli][fields]") {
  CHECK(FieldsToFlags("SimOptions::momentum = 1.5 is out of range", Has) ==
        "--momentum = 1.5 is out of range");
  CHECK(FieldsToFlags("SimOptions::lr.eta = -1", Has) == "--eta = -1");  // the last name
  CHECK(FieldsToFlags("SimOptions::minibatch.data_size = 0.", Has) == "--data-size = 0.");
  CHECK(FieldsToFlags("SgdSpec::T = 0 (allowed: 1 <= T)", Has) == "--T = 0 (allowed: 1 <= T)");
  CHECK(FieldsToFlags("(SimOptions::momentum, SimOptions::lr.eta)", Has) == "(--momentum, --eta)");
}

TEST_CASE("renamed fields by their table, whatever the command has", "[cli][fields]") {
  CHECK(FieldsToFlags("TrainOptions::lr_init = 20", Has) == "--lr = 20");
  CHECK(FieldsToFlags("SimOptions::weight_decay = -1", Has) == "--wd = -1");
  CHECK(FieldsToFlags("TrainOptions::out_dir is empty", Has) == "--out is empty");
  CHECK(FieldsToFlags("ProfileOptions::shift_mean = 200", Has) == "--law = 200");
}

TEST_CASE("a field without a flag of the command, and longer names, are left alone",
          "[cli][fields]") {
  CHECK(FieldsToFlags("TrainOptions::record_every = -1", Has) == "TrainOptions::record_every = -1");
  CHECK(FieldsToFlags("ClaimScale::draws = 0", Has) == "ClaimScale::draws = 0");
  // Inside a namespace-qualified name: not a field of an Options struct.
  CHECK(FieldsToFlags("valleys::SimOptions::momentum", Has) == "valleys::SimOptions::momentum");
  CHECK(FieldsToFlags("no field here: a::b, 1::2", Has) == "no field here: a::b, 1::2");
  // Without a command, every field maps by name (the Python package's messages).
  CHECK(FieldsToFlags("TrainOptions::record_every = -1") == "--record-every = -1");
}
