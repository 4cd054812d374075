// `valleys realnets`: the commands without LibTorch (data, logistic2d, shift) run here; the
// LibTorch ones are listed for --help and handed over to valleys-realnets (main.cpp).
#include <filesystem>
#include <memory>

#include "commands.hpp"
#include "output.hpp"
#include "strict_option.hpp"
#include "valleys/io/run_program.hpp"
#include "valleys/io/spec.hpp"
#include "valleys/realnets/analysis_commands.hpp"

namespace valleys::cli {

namespace {

struct LibTorchCommand {
  const char* name;
  const char* help;
};
const std::vector<LibTorchCommand>& LibTorchCommands() {
  static const std::vector<LibTorchCommand> commands = {
      {"train", "Train a CIFAR-10 network (SWA recipe or plain SGD)"},
      {"sgd-after-swa", "Plain SGD restarted from the SWA solution (the line's SGD end)"},
      {"profile", "Loss profile along a random direction (uniform01, gaussian, sign, filter)"},
      {"surface", "Loss on a 2-D grid of two directions, with contour and 3-D figures"},
      {"line", "Loss along the SWA-SGD line"},
      {"hessian", "The Hessian: top eigenvalue(s), trace, eigenvalue density"},
      {"experiment",
       "The whole protocol with figures and the C10-C18 report (--preset "
       "smoke|tiny|small|cpu-long|gpu)"},
  };
  return commands;
}

struct LogisticArgs {
  realnets::Logistic2dOptions options;
  std::string out;
  Format format = Format::kTable;
};

struct ShiftArgs {
  realnets::ShiftOptions options;
  Format format = Format::kTable;
};

}  // namespace

std::string RealnetsBinary() {
  return (std::filesystem::read_symlink("/proc/self/exe").parent_path() / "valleys-realnets")
      .string();
}

bool IsLibTorchCommand(const std::string& subcommand) {
  for (const auto& c : LibTorchCommands())
    if (subcommand == c.name) return true;
  return false;
}

int RunRealnetsChild(const std::vector<std::string>& args) {
  std::vector<std::string> argv{RealnetsBinary()};
  if (!std::filesystem::exists(argv[0])) return -1;
  argv.insert(argv.end(), args.begin(), args.end());
  const io::ProgramResult r = io::RunProgram(argv, "", io::ProgramOutput::kInherited);
  return r.signal != 0 ? 128 + r.signal : r.exit_code;
}

void RegisterRealnetsCommand(CLI::App& app) {
  CLI::App* r =
      app.add_subcommand("realnets", "Real CIFAR-10 networks with and without batch norm");
  r->require_subcommand(1);
  AddRealnetsDataCommand(*r);
  AddRealnetsScoreCommand(*r);

  auto l = std::make_shared<LogisticArgs>();
  CLI::App* lc = r->add_subcommand(
      "logistic2d",
      "The paper's 2-parameter logistic model: GD, then loss along U(0,1) directions");
  AddOption(*lc, "--seeds", l->options.seeds, "Number of seeds");
  AddOption(*lc, "--first-seed", l->options.first_seed, "First seed");
  AddOption(*lc, "--steps", l->options.steps, "Gradient descent steps");
  AddOption(*lc, "--lr", l->options.lr, "Gradient descent rate");
  AddOption(*lc, "--init-std", l->options.init_std, "(w, b) start from N(0, s^2)");
  AddOption(*lc, "--range", l->options.range, "Offsets in [-range, range]");
  AddOption(*lc, "--points", l->options.grid_points, "Offsets (odd)");
  AddOption(*lc, "--kappa", l->options.kappa, "Asymmetric when the detrended rise ratio >= kappa");
  AddOption(*lc, "--out", l->out, "Folder for logistic2d.csv and its sidecar");
  AddFormatOption(*lc, l->format);
  lc->callback([l] {
    const realnets::RunOutput out = realnets::Logistic2dCommand(l->options, l->out);
    Emit(Render(out.result, out.meta, l->format), "");
  });

  auto s = std::make_shared<ShiftArgs>();
  CLI::App* sc = r->add_subcommand(
      "shift", "Translation between the test and training profile of a profile CSV (claim C12)");
  realnets::ShiftOptions& so = s->options;
  AddOption(*sc, "--profile", so.profile, "Profile CSV (from `valleys realnets profile`)")
      ->required();
  AddOption(*sc, "--x", so.x, "Offset column");
  AddOption(*sc, "--train", so.train, "Training loss column");
  AddOption(*sc, "--test", so.test, "Test loss column");
  AddOption(*sc, "--max-shift", so.max_shift,
            "Largest |delta| searched (default: a quarter of the range)")
      ->default_str("");
  AddFormatOption(*sc, s->format);
  sc->callback([s] {
    const realnets::RunOutput out = realnets::ShiftCommand(s->options);
    Emit(Render(out.result, out.meta, s->format), "");
  });

  // The LibTorch commands run in valleys-realnets (main.cpp hands over before parsing); listed
  // here so that --help shows them.
  for (const auto& c : LibTorchCommands()) {
    CLI::App* sub = r->add_subcommand(
        c.name, std::string(c.help) + " (LibTorch; see `valleys-realnets " + c.name + " --help`)");
    sub->allow_extras();
    sub->callback([] {
      throw std::runtime_error(
          "valleys-realnets was not found beside valleys (built without LibTorch?)");
    });
  }
}

}  // namespace valleys::cli
