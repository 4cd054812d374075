// Registers the simulator's options on a CLI11 subcommand (shared by sim, sweep and check).
#pragma once

#include <CLI/CLI.hpp>

#include "strict_option.hpp"
#include "valleys/io/sim_spec.hpp"

namespace valleys::cli {

inline void AddSimOptions(CLI::App& s, io::SimSpec& a) {
  AddOption(s, "--profile", a.profiles, "Valley profile spec (repeat for one per direction)")
      ->required();
  AddOption(s, "--dim", a.dim, "Directions (the profile repeated when one is given)");
  AddOption(s, "--basis", a.basis, "identity | random:seed=K (Haar rotation)");
  AddOption(s, "--coupling", a.coupling, "Coupling gamma of (gamma/2) sum y_i^2 y_{i+1}^2 (>= 0)");
  AddOption(s, "--eta", a.eta, "Learning rate (max of a cyclic schedule)");
  AddOption(s, "--lr-schedule", a.lr_schedule,
            "constant | cyclic:min=M,period=P | linear:end=E[,steps=N] | cosine:end=E[,steps=N]");
  AddOption(s, "--noise", a.noise,
            "gaussian:s=S | uniform:s=S | rademacher:s=S (std s); ,c=C: std s (1 + C |x|)");
  AddOption(s, "--noise-per-direction", a.noise_per_direction,
            "Noise std per rotated direction, comma-separated (d values; overrides the noise's s)")
      ->delimiter(',');
  AddOption(s, "--momentum", a.momentum, "Heavy-ball momentum in [0, 1)");
  s.add_flag("--nesterov", a.nesterov, "Nesterov's momentum step (PyTorch's nesterov=True)");
  AddOption(s, "--wd", a.wd, "Weight decay (>= 0)");
  AddOption(s, "--wd-offset", a.wd_offset, "Offset c of the decay term wd (x + c)");
  AddOption(s, "--chains", a.chains, "Independent chains");
  AddOption(s, "--steps", a.steps, "Recorded steps after burn-in");
  AddOption(s, "--burnin", a.burnin, "Steps run first and not recorded");
  AddOption(s, "--avg-start", a.avg_start, "First recorded step in the SWA average (1-based)");
  AddOption(s, "--avg-every", a.avg_every, "Average every K-th step");
  AddOption(s, "--x0", a.x0, "Start: 0 | min (the empirical minimizer) | draw:sigma=S | a number");
  AddOption(s, "--seed", a.seed, "Seed of the Philox streams");
  AddOption(s, "--data-size", a.data_size,
            "Minibatch model: n synthetic samples (0 = additive noise)");
  AddOption(s, "--batch", a.batch, "Minibatch size B");
  s.add_flag("--no-replacement", a.no_replacement,
             "Minibatches without replacement (epochs of shuffled data)");
  AddOption(s, "--data-seed", a.data_seed, "Seed of the synthetic data set");
  AddOption(s, "--eval-shift", a.eval_shift,
            "Shift law for test risks (and the data law of the minibatch model)");
  AddOption(s, "--divergence-bound", a.divergence_bound, "|x| beyond this marks a chain diverged");
  AddOption(s, "--backend", a.backend, "cpu | cuda");
}

}  // namespace valleys::cli
