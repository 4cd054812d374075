// `valleys realnets`: the commands without LibTorch (data, logistic2d, shift) run here; the
// LibTorch ones are listed for --help and handed over to valleys-realnets (main.cpp).
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>

#include <fmt/format.h>

#include "commands.hpp"
#include "output.hpp"
#include "strict_option.hpp"
#include "valleys/io/atomic_file.hpp"
#include "valleys/io/metadata.hpp"
#include "valleys/io/spec.hpp"
#include "valleys/io/table_csv.hpp"
#include "valleys/realnets/analysis_json.hpp"
#include "valleys/realnets/logistic2d.hpp"
#include "valleys/realnets/profile_analysis.hpp"

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
      {"line", "Loss along the SWA-SGD line"},
      {"hessian", "Top Hessian eigenvalue by power iteration"},
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

void RunLogistic(const LogisticArgs& a) {
  std::string why;
  if (!a.options.IsValid(&why)) throw io::InputError(why);
  const realnets::Logistic2dSummary s = realnets::RunLogistic2d(a.options);
  const Json meta = realnets::Logistic2dMeta(a.options);
  if (!a.out.empty()) {
    io::EnsureDirectory(a.out);
    io::WriteFileAtomically(std::filesystem::path(a.out) / "logistic2d.csv",
                            realnets::Logistic2dCsv(s));
    io::WriteFileAtomically(std::filesystem::path(a.out) / "logistic2d.csv.json",
                            meta.dump(2) + "\n");
  }
  Emit(Render(realnets::Logistic2dResultJson(s, a.options), meta, a.format), "");
}

struct ShiftArgs {
  std::string profile, x = "t", train = "train_loss", test = "test_loss";
  Format format = Format::kTable;
  double max_shift = 0;  // 0: a quarter of the offset range
};

void RunShift(const ShiftArgs& a) {
  if (a.max_shift < 0)
    throw io::InputError(fmt::format(
        "--max-shift = {} is out of range (allowed: > 0, or 0 for a quarter of the range)",
        a.max_shift));
  const theory::TableOptions train = io::ReadTableCsv(a.profile, a.x, a.train);
  const theory::TableOptions test = io::ReadTableCsv(a.profile, a.x, a.test);
  const std::vector<double>& t = train.x;
  const double max_shift = a.max_shift > 0 ? a.max_shift : 0.25 * (t.back() - t.front());
  const realnets::ShiftFit fit = realnets::FitShift(t, train.loss, test.loss, max_shift);
  Emit(
      Render(realnets::ShiftFitJson(fit),
             io::Metadata("realnets shift",
                          {{"profile", a.profile},
                           {"max_shift", max_shift},
                           {"mismatch", "mean squared difference after removing the mean offset"}}),
             a.format),
      "");
}

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
  const std::string bin = RealnetsBinary();
  if (!std::filesystem::exists(bin)) return -1;
  const pid_t child = ::fork();
  if (child < 0) throw std::runtime_error("fork failed");
  if (child == 0) {
    std::vector<char*> argv{const_cast<char*>(bin.c_str())};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(bin.c_str(), argv.data());
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
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
  lc->callback([l] { RunLogistic(*l); });

  auto s = std::make_shared<ShiftArgs>();
  CLI::App* sc = r->add_subcommand(
      "shift", "Translation between the test and training profile of a profile CSV (claim C12)");
  AddOption(*sc, "--profile", s->profile, "Profile CSV (from `valleys realnets profile`)")
      ->required();
  AddOption(*sc, "--x", s->x, "Offset column");
  AddOption(*sc, "--train", s->train, "Training loss column");
  AddOption(*sc, "--test", s->test, "Test loss column");
  AddOption(*sc, "--max-shift", s->max_shift,
            "Largest |delta| searched (default: a quarter of the range)")
      ->default_str("");
  AddFormatOption(*sc, s->format);
  sc->callback([s] { RunShift(*s); });

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
