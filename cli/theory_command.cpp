#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "commands.hpp"
#include "output.hpp"
#include "strict_option.hpp"
#include "valleys/io/factories.hpp"
#include "valleys/io/metadata.hpp"
#include "valleys/io/spec.hpp"
#include "valleys/io/theory_result_json.hpp"

namespace valleys::cli {

namespace {

struct RiskArgs {
  std::string profile, shift, out;
  Format format = Format::kTable;
  std::vector<double> biases;
};

struct SgdArgs {
  std::string profile, noise = "gaussian:s=1", shift, out;
  Format format = Format::kTable;
  double eta = 0.0, wd = 0.0, x0 = 0.0;
  long long T = 0;
  bool T_given = false;  // --T was passed (then T = 0 is refused)
  int cells_per_step = theory::SolverOptions{}.cells_per_step;
};

void RunRisk(const RiskArgs& a) {
  const auto profile = io::MakeProfile(a.profile, "--profile");
  const auto shift = io::MakeShift(a.shift, "--shift");
  const Json result = io::RiskResultJson(*profile, shift, a.biases);
  const Json meta =
      io::Metadata("theory risk", {{"profile", profile->Spec()}, {"shift", shift.Spec()}});
  Emit(Render(result, meta, a.format), a.out);
}

void RunSgd(const SgdArgs& a) {
  const auto profile = io::MakeProfile(a.profile, "--profile");
  const io::NoiseSpec noise = io::MakeNoise(a.noise, "--noise");
  io::SgdRequest request;
  request.chain.eta = a.eta;
  request.chain.weight_decay = a.wd;
  request.chain.noise = noise.kind;
  request.chain.noise_std = noise.s;
  request.solver.cells_per_step = a.cells_per_step;
  std::string why;
  if (!request.chain.IsValid(*profile, &why) || !request.solver.IsValid(&why))
    throw io::InputError(why);
  if (a.T_given && (a.T < 1 || a.T > 10000000))
    throw io::InputError(fmt::format("--T = {} is out of range (allowed: 1 <= T <= 1e7)", a.T));
  if (a.T_given) request.T = a.T;
  request.x0 = a.x0;
  if (!a.shift.empty()) request.shift = io::MakeShift(a.shift, "--shift");
  const Json result = io::SgdResultJson(*profile, request);
  Json extra = {{"profile", profile->Spec()},
                {"eta", a.eta},
                {"noise", io::NoiseSpecText(noise)},
                {"wd", a.wd}};
  if (request.T) extra["T"] = *request.T, extra["x0"] = a.x0;
  if (request.shift) extra["shift"] = request.shift->Spec();
  Emit(Render(result, io::Metadata("theory sgd", extra), a.format), a.out);
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
  AddOption(*r, "--profile", risk->profile, "Valley profile spec, e.g. quadratic:hplus=1,hminus=9")
      ->required();
  AddOption(*r, "--shift", risk->shift,
            "Shift law spec: uniform:a=A | gaussian:sigma=S | rademacher:a=A")
      ->required();
  AddOption(*r, "--bias", risk->biases,
            "Also evaluate R at these biases (repeatable or comma-separated)")
      ->delimiter(',');
  AddFormatOption(*r, risk->format);
  AddOption(*r, "--out", risk->out, "Write to this file (atomically) instead of stdout");
  r->callback([risk] { RunRisk(*risk); });

  auto sgd = std::make_shared<SgdArgs>();
  CLI::App* s = theory->add_subcommand(
      "sgd",
      "Exact stationary and transient statistics of SGD x' = x - eta (phi'(x) + wd x + noise)");
  AddOption(*s, "--profile", sgd->profile, "Valley profile spec")->required();
  AddOption(*s, "--eta", sgd->eta, "Learning rate (> 0, below the stability limit)")
      ->required()
      ->default_str("");
  AddOption(*s, "--noise", sgd->noise,
            "Noise spec with std s: gaussian:s=S | uniform:s=S | rademacher:s=S");
  AddOption(*s, "--wd", sgd->wd, "Weight decay lambda (>= 0)");
  CLI::Option* T_option =
      AddOption(*s, "--T", sgd->T, "Also compute the transient E[x_t] and E[w_T] for t <= T")
          ->default_str("");
  AddOption(*s, "--x0", sgd->x0, "Start of the transient (default 0, the minimizer)");
  AddOption(*s, "--shift", sgd->shift,
            "Also report the expected test risk of the stationary mean under this shift");
  AddOption(*s, "--cells-per-step", sgd->cells_per_step,
            "Solver grid: cells per noise step eta*s (4..256)");
  AddFormatOption(*s, sgd->format);
  AddOption(*s, "--out", sgd->out, "Write to this file (atomically) instead of stdout");
  s->callback([sgd, T_option] {
    sgd->T_given = T_option->count() > 0;
    RunSgd(*sgd);
  });
}

}  // namespace valleys::cli
