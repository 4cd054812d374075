// Registers the simulator's options on a CLI11 subcommand (shared by sim, sweep and check).
#pragma once

#include <CLI/CLI.hpp>

#include "sim_setup.hpp"

namespace valleys::cli {

inline void AddSimOptions(CLI::App& s, SimArgs& a) {
  s.add_option("--profile", a.profiles, "Valley profile spec (repeat for one per direction)")
      ->required();
  s.add_option("--dim", a.dim, "Directions (the profile repeated when one is given)")
      ->capture_default_str();
  s.add_option("--basis", a.basis, "identity | random:seed=K (Haar rotation)")
      ->capture_default_str();
  s.add_option("--coupling", a.coupling, "Coupling gamma of (gamma/2) sum y_i^2 y_{i+1}^2 (>= 0)")
      ->capture_default_str();
  s.add_option("--eta", a.eta, "Learning rate (max of a cyclic schedule)")->capture_default_str();
  s.add_option("--lr-schedule", a.lr_schedule,
               "constant | cyclic:min=M,period=P | linear:end=E[,steps=N] | cosine:end=E[,steps=N]")
      ->capture_default_str();
  s.add_option("--noise", a.noise, "gaussian:s=S | uniform:s=S | rademacher:s=S (std s)")
      ->capture_default_str();
  s.add_option(
       "--noise-per-direction", a.noise_per_direction,
       "Noise std per rotated direction, comma-separated (d values; overrides the noise's s)")
      ->delimiter(',');
  s.add_option("--momentum", a.momentum, "Heavy-ball momentum in [0, 1)")->capture_default_str();
  s.add_option("--wd", a.wd, "Weight decay (>= 0)")->capture_default_str();
  s.add_option("--chains", a.chains, "Independent chains")->capture_default_str();
  s.add_option("--steps", a.steps, "Recorded steps after burn-in")->capture_default_str();
  s.add_option("--burnin", a.burnin, "Steps run first and not recorded")->capture_default_str();
  s.add_option("--avg-start", a.avg_start, "First recorded step in the SWA average (1-based)")
      ->capture_default_str();
  s.add_option("--avg-every", a.avg_every, "Average every K-th step")->capture_default_str();
  s.add_option("--x0", a.x0, "Start: 0 | min (the empirical minimizer) | draw:sigma=S | a number")
      ->capture_default_str();
  s.add_option("--seed", a.seed, "Seed of the Philox streams")->capture_default_str();
  s.add_option("--data-size", a.data_size,
               "Minibatch model: n synthetic samples (0 = additive noise)")
      ->capture_default_str();
  s.add_option("--batch", a.batch, "Minibatch size B")->capture_default_str();
  s.add_flag("--no-replacement", a.no_replacement,
             "Minibatches without replacement (epochs of shuffled data)");
  s.add_option("--data-seed", a.data_seed, "Seed of the synthetic data set")->capture_default_str();
  s.add_option("--eval-shift", a.eval_shift,
               "Shift law for test risks (and the data law of the minibatch model)");
  s.add_option("--divergence-bound", a.divergence_bound, "|x| beyond this marks a chain diverged")
      ->capture_default_str();
  s.add_option("--backend", a.backend, "cpu | cuda")->capture_default_str();
}

}  // namespace valleys::cli
