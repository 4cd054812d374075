// `valleys realnets score`: the asymmetry of any loss profile (a profile CSV of valleys, a table
// file, the paper's digitized profiles) under the declared criterion, without LibTorch.
#include <memory>

#include "commands.hpp"
#include "output.hpp"
#include "strict_option.hpp"
#include "valleys/realnets/analysis_commands.hpp"

namespace valleys::cli {

namespace {

struct ScoreArgs {
  realnets::ScoreOptions options;
  std::string heights;
  Format format = Format::kTable;
};

void RunScore(ScoreArgs a) {
  if (!a.heights.empty())
    a.options.criterion.heights = a.options.valley.heights =
        ParseNumberList(a.heights, "--heights");
  const realnets::RunOutput out = realnets::ScoreCommand(a.options);
  Emit(Render(out.result, out.meta, a.format), "");
}

}  // namespace

void AddRealnetsScoreCommand(CLI::App& r) {
  auto a = std::make_shared<ScoreArgs>();
  CLI::App* s =
      r.add_subcommand("score",
                       "Asymmetry of a loss profile: rises at matched distances, widths at matched "
                       "heights, slopes, tilt, and the declared criterion's verdict");
  AddOption(*s, "--profile", a->options.profile,
            "Profile CSV, FILE[,x=COL][,loss=COL] (default: the first two columns)")
      ->required();
  AddOption(*s, "--heights", a->heights,
            "Heights above L(0) for the widths, comma-separated (default 0.05,0.1,0.2,0.5,1,2)");
  AddOption(*s, "--kappa", a->options.criterion.kappa,
            "Smallest detrended rise ratio that is asymmetric");
  AddOption(*s, "--min-rise", a->options.criterion.min_rise,
            "The larger detrended rise must reach this (loss units)");
  AddOption(*s, "--valley-kappa", a->options.valley.kappa,
            "The measure from the minimum (result 'valley'): smallest width ratio that is "
            "asymmetric (calibrated: docs/realnets.md)");
  AddOption(*s, "--distance-unit", a->options.valley.distance_unit,
            "Distances of 'valley' also divided by this (e.g. the weights' norm)");
  AddFormatOption(*s, a->format);
  s->callback([a] { RunScore(*a); });
}

}  // namespace valleys::cli
