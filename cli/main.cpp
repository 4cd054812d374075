// valleys: one command-line program for theory, simulation, sweeps, checks, plots and real
// networks. Exit codes: 0 success, 1 runtime failure, 2 bad input (one line naming the problem and
// range).
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <omp.h>
#include <CLI/CLI.hpp>

#include "commands.hpp"
#include "run_app.hpp"
#include "valleys/io/version.hpp"

namespace cli = valleys::cli;

namespace {
// `valleys realnets train|sgd-after-swa|profile|surface|line|hessian|experiment ...` runs
// valleys-realnets (beside this executable) in place of this process, so LibTorch is loaded only by
// the commands that use it.
void HandOverToRealnets(int argc, char** argv) {
  if (argc < 3 || std::string(argv[1]) != "realnets") return;
  const std::string sub = argv[2];
  if (!cli::IsLibTorchCommand(sub)) return;
  const std::string target = cli::RealnetsBinary();
  // argv[0] is the name the user typed, so that help and usage lines show "valleys realnets".
  const std::string shown = std::string(argv[0]) + " realnets";
  std::vector<char*> args{const_cast<char*>(shown.c_str())};
  for (int i = 2; i < argc; ++i) args.push_back(argv[i]);
  args.push_back(nullptr);
  ::execv(target.c_str(), args.data());
  fmt::print(stderr, "valleys: failed: cannot run '{}' (built without LibTorch?)\n", target);
  std::exit(1);
}

// OMP_NUM_THREADS beyond the machine's cores buys nothing (every result is the same for any thread
// count) and, in the tens of thousands, crashes the OpenMP runtime: clamp it before any team
// starts.
void ClampThreads() {
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (omp_get_max_threads() > cores) omp_set_num_threads(cores);
}

}  // namespace

int main(int argc, char** argv) {
  HandOverToRealnets(argc, argv);
  ClampThreads();
  CLI::App app{
      "valleys: asymmetric valleys of loss landscapes (theory, simulation, real networks)"};
  app.set_version_flag(
      "--version", fmt::format("valleys {} ({})", valleys::io::Version(), valleys::io::GitHash()));
  app.require_subcommand(1);
  cli::RegisterTheoryCommand(app);
  cli::RegisterSimCommand(app);
  cli::RegisterSweepCommand(app);
  cli::RegisterMergeCommand(app);
  cli::RegisterCheckCommand(app);
  cli::RegisterPlotCommand(app);
  cli::RegisterRealnetsCommand(app);
  cli::RegisterReproduceCommand(app);
  return cli::RunApp(app, argc, argv, "valleys");
}
