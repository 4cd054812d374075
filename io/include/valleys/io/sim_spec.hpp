// A simulation as text: the simulator's inputs as a user writes them (spec strings and numbers,
// shared by `valleys sim`, `sweep` and sweep files), turned into sim::SimOptions. Messages name the
// field ("SimSpec::dim = 0 is out of range ..."); the command line maps fields to its flags.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "valleys/io/sweep_file.hpp"
#include "valleys/sim/options.hpp"

namespace valleys::io {

struct SimSpec {
  std::vector<std::string> profiles;  // one, or one per direction
  int dim = 1;
  std::string basis = "identity";  // identity | random:seed=K
  double coupling = 0.0;
  double eta = 0.05;
  std::string lr_schedule =
      "constant";  // constant | cyclic:min=,period= | linear:end=[,steps=] | cosine:end=[,steps=]
  std::string noise = "gaussian:s=1";
  std::vector<double>
      noise_per_direction;  // d standard deviations in the rotated basis (overrides s)
  double momentum = 0.0, wd = 0.0;
  bool nesterov = false;   // Nesterov's variant of the momentum step
  double wd_offset = 0.0;  // c of the decay term wd (x + c)
  long long chains = 1000, steps = 10000, burnin = 0, avg_start = 1, avg_every = 1;
  std::string x0 = "0";  // 0 | min | draw:sigma=S | NUMBER
  unsigned long long seed = 1;
  int data_size = 0, batch = 1;
  bool no_replacement = false;
  unsigned long long data_seed = 1;
  std::string eval_shift;  // required for risk statistics and the minibatch model
  double divergence_bound = 1e8;
  std::string backend = "cpu";  // cpu | cuda
};

// Throws InputError naming the field and its allowed range.
sim::SimOptions MakeSimOptions(const SimSpec& spec);

// The inputs as metadata (the keys of docs/cli.md's `meta` of `valleys sim`).
nlohmann::ordered_json SimSpecJson(const SimSpec& spec);

// Sets a field by its command-line name without dashes ("eta", "avg-start"), reading numbers
// strictly; a number that is not one is an InputError naming `source` (empty: "grid value of
// 'NAME'"). Returns false when the name is not a simulator input.
bool SetSimSpecField(SimSpec& spec, const std::string& name, const std::string& value,
                     const std::string& source = "");

// Applies one value of a sweep axis: a simulator input, or a key inside the profile, noise or
// eval-shift spec. Throws InputError when the name is none of these.
void ApplyGridValue(SimSpec& spec, const std::string& name, const std::string& value);

// Applies a sweep file's [base] table (profiles replace the spec's); throws InputError naming
// `source` and the key that is not a simulator input.
void ApplySweepBase(SimSpec& spec, const SweepFile& file, const std::string& source);

}  // namespace valleys::io
