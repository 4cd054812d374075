#include <memory>
#include <string>
#include <vector>

#include "commands.hpp"
#include "output.hpp"
#include "strict_option.hpp"
#include "valleys/io/metadata.hpp"
#include "valleys/io/theory_result_json.hpp"

namespace valleys::cli {

namespace {

struct RiskArgs {
  io::RiskSpec spec;
  std::string out;
  Format format = Format::kTable;
};

struct SgdArgs {
  io::SgdSpec spec;
  long long T = 0;  // spec.T when --T was passed (then T = 0 is refused)
  std::string out;
  Format format = Format::kTable;
};

void Print(const io::SpecOutput& out, const char* command, Format format, const std::string& path) {
  Emit(Render(out.result, io::Metadata(command, out.extra), format), path);
}

}  // namespace

void RegisterTheoryCommand(CLI::App& app) {
  CLI::App* theory =
      app.add_subcommand("theory", "Closed forms and exact numerics of asymmetric valleys");
  theory->require_subcommand(1);

  auto risk = std::make_shared<RiskArgs>();
  CLI::App* r = theory->add_subcommand(
      "risk",
      "Expected test risk R(zeta) = E phi(zeta + delta): R(0), optimal bias, improving window");
  AddOption(*r, "--profile", risk->spec.profile,
            "Valley profile spec, e.g. quadratic:hplus=1,hminus=9")
      ->required();
  AddOption(*r, "--shift", risk->spec.shift,
            "Shift law spec: uniform:a=A | gaussian:sigma=S | rademacher:a=A")
      ->required();
  AddOption(*r, "--bias", risk->spec.biases,
            "Also evaluate R at these biases (repeatable or comma-separated)")
      ->delimiter(',');
  AddFormatOption(*r, risk->format);
  AddOption(*r, "--out", risk->out, "Write to this file (atomically) instead of stdout");
  r->callback(
      [risk] { Print(io::SolveRiskSpec(risk->spec), "theory risk", risk->format, risk->out); });

  auto sgd = std::make_shared<SgdArgs>();
  CLI::App* s = theory->add_subcommand("sgd",
                                       "Exact stationary and transient statistics of SGD x' = x - "
                                       "eta (phi'(x) + wd x + noise), with momentum");
  AddOption(*s, "--profile", sgd->spec.profile, "Valley profile spec")->required();
  AddOption(*s, "--eta", sgd->spec.eta, "Learning rate (> 0, below the stability limit)")
      ->required()
      ->default_str("");
  AddOption(*s, "--noise", sgd->spec.noise,
            "Noise spec with std s: gaussian:s=S | uniform:s=S | rademacher:s=S; ,c=C: std "
            "s (1 + C |x|)");
  AddOption(*s, "--noise-sd-table", sgd->spec.noise_sd_table,
            "CSV with columns x and sd: the noise's std at x (linear between rows, held beyond)");
  AddOption(*s, "--wd", sgd->spec.wd, "Weight decay lambda (>= 0)");
  AddOption(*s, "--wd-offset", sgd->spec.wd_offset,
            "Offset c of the decay term lambda (x + c): <d, w0> along a direction d through w0");
  AddOption(*s, "--momentum", sgd->spec.momentum,
            "Momentum beta in [0, 1): v' = beta v + g + noise, x' = x - eta v' (PyTorch)");
  s->add_flag("--nesterov", sgd->spec.nesterov,
              "Nesterov's step x' = x - eta (g + noise + beta v')");
  AddOption(
      *s, "--momentum-cells-per-step", sgd->spec.momentum_cells_per_step,
      "Momentum solver grid: cells per noise step on each axis of the coarse 2-D grid (1..32)");
  CLI::Option* T_option =
      AddOption(*s, "--T", sgd->T, "Also compute the transient E[x_t] and E[w_T] for t <= T")
          ->default_str("");
  AddOption(*s, "--x0", sgd->spec.x0, "Start of the transient (default 0, the minimizer)");
  AddOption(*s, "--shift", sgd->spec.shift,
            "Also report the expected test risk of the stationary mean under this shift");
  AddOption(*s, "--cells-per-step", sgd->spec.cells_per_step,
            "Solver grid: cells per noise step eta*s (4..256)");
  AddFormatOption(*s, sgd->format);
  AddOption(*s, "--out", sgd->out, "Write to this file (atomically) instead of stdout");
  s->callback([sgd, T_option] {
    if (T_option->count() > 0) sgd->spec.T = sgd->T;
    Print(io::SolveSgdSpec(sgd->spec), "theory sgd", sgd->format, sgd->out);
  });
}

}  // namespace valleys::cli
