// The simulator's spec strings: learning-rate schedules and starting points. `what` names the
// input in messages (the flag, or the field, that carried it).
#pragma once

#include <string>

#include "valleys/sim/options.hpp"

namespace valleys::io {

// constant | cyclic:min=M,period=P | linear:end=E[,steps=S] | cosine:end=E[,steps=S]; `eta` is the
// peak rate, `total_steps` the default length of a decay. Throws InputError naming `what`.
sim::LrSchedule MakeLrSchedule(const std::string& text, double eta, long long total_steps,
                               const std::string& what = "lr schedule");

// 0 | min | draw:sigma=S | a number. Throws InputError naming `what`.
sim::Start MakeStart(const std::string& text, const std::string& what = "start");

}  // namespace valleys::io
