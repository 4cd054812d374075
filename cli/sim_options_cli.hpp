// Registers the simulator's options on a CLI11 subcommand (shared by sim, sweep and check).
#pragma once

#include <CLI/CLI.hpp>

#include "strict_option.hpp"
#include "valleys/io/sim_spec.hpp"

namespace valleys::cli {

inline void AddSimOptions(CLI::App& s, io::SimSpec& a) {
  AddOption(s, "--profile", a.profiles, "Valley profile spec (repeat for one per direction)")
      ->required();
  AddOption(s, "--dim", a.dim, "Directions (the profile repeated when one is given)")
      ->capture_default_str();
  AddOption(s, "--basis", a.basis, "identity | random:seed=K (Haar rotation)")
      ->capture_default_str();
  AddOption(s, "--coupling", a.coupling, "Coupling gamma of (gamma/2) sum y_i^2 y_{i+1}^2 (>= 0)")
      ->capture_default_str();
  AddOption(s, "--eta", a.eta, "Learning rate (max of a cyclic schedule)")->capture_default_str();
  AddOption(s, "--lr-schedule", a.lr_schedule,
            "constant | cyclic:min=M,period=P | linear:end=E[,steps=N] | cosine:end=E[,steps=N]")
      ->capture_default_str();
  AddOption(s, "--noise", a.noise, "gaussian:s=S | uniform:s=S | rademacher:s=S (std s)")
      ->capture_default_str();
  AddOption(s, "--noise-per-direction", a.noise_per_direction,
            "Noise std per rotated direction, comma-separated (d values; overrides the noise's s)")
      ->delimiter(',');
  AddOption(s, "--momentum", a.momentum, "Heavy-ball momentum in [0, 1)")->capture_default_str();
  AddOption(s, "--wd", a.wd, "Weight decay (>= 0)")->capture_default_str();
  AddOption(s, "--chains", a.chains, "Independent chains")->capture_default_str();
  AddOption(s, "--steps", a.steps, "Recorded steps after burn-in")->capture_default_str();
  AddOption(s, "--burnin", a.burnin, "Steps run first and not recorded")->capture_default_str();
  AddOption(s, "--avg-start", a.avg_start, "First recorded step in the SWA average (1-based)")
      ->capture_default_str();
  AddOption(s, "--avg-every", a.avg_every, "Average every K-th step")->capture_default_str();
  AddOption(s, "--x0", a.x0, "Start: 0 | min (the empirical minimizer) | draw:sigma=S | a number")
      ->capture_default_str();
  AddOption(s, "--seed", a.seed, "Seed of the Philox streams")->capture_default_str();
  AddOption(s, "--data-size", a.data_size,
            "Minibatch model: n synthetic samples (0 = additive noise)")
      ->capture_default_str();
  AddOption(s, "--batch", a.batch, "Minibatch size B")->capture_default_str();
  s.add_flag("--no-replacement", a.no_replacement,
             "Minibatches without replacement (epochs of shuffled data)");
  AddOption(s, "--data-seed", a.data_seed, "Seed of the synthetic data set")->capture_default_str();
  AddOption(s, "--eval-shift", a.eval_shift,
            "Shift law for test risks (and the data law of the minibatch model)");
  AddOption(s, "--divergence-bound", a.divergence_bound, "|x| beyond this marks a chain diverged")
      ->capture_default_str();
  AddOption(s, "--backend", a.backend, "cpu | cuda")->capture_default_str();
}

}  // namespace valleys::cli
