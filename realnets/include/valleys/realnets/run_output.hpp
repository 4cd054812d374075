// What a real-network command prints (`result`) and the metadata of what it wrote (`meta`): the
// return value of the one library call each command makes (commands.hpp, analysis_commands.hpp).
#pragma once

#include <nlohmann/json.hpp>

namespace valleys::realnets {

struct RunOutput {
  nlohmann::ordered_json result;
  nlohmann::ordered_json meta;
};

}  // namespace valleys::realnets
