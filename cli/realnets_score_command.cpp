// `valleys realnets score`: the asymmetry of any loss profile (a profile CSV of valleys, a table
// file, the paper's digitized profiles) under the declared criterion, without LibTorch.
#include <memory>

#include <fmt/format.h>

#include "commands.hpp"
#include "output.hpp"
#include "strict_option.hpp"
#include "valleys/io/metadata.hpp"
#include "valleys/io/spec.hpp"
#include "valleys/io/table_csv.hpp"
#include "valleys/realnets/asymmetry_json.hpp"

namespace valleys::cli {

namespace {

struct ScoreArgs {
  std::string profile, heights;
  Format format = Format::kTable;
  realnets::AsymmetryCriterion criterion;
};

void RunScore(ScoreArgs a) {
  if (!a.heights.empty()) a.criterion.heights = ParseNumberList(a.heights, "--heights");
  std::string why;
  if (!a.criterion.IsValid(&why)) throw io::InputError(why);
  const io::TableRef p = io::ParseTableRef(a.profile);
  realnets::AsymmetryReport report;
  try {
    const theory::TableOptions table = io::ReadTableCsv(p.path, p.x_column, p.loss_column);
    report = realnets::MeasureAsymmetry(table.x, table.loss, a.criterion);
  } catch (const std::invalid_argument& e) {  // io::InputError included
    throw io::InputError(fmt::format("--profile '{}': {}", p.path, e.what()));
  }
  const Json meta = io::Metadata(
      "realnets score", {{"profile", a.profile},
                         {"x", p.x_column.empty() ? "(first column)" : p.x_column},
                         {"loss", p.loss_column.empty() ? "(second column)" : p.loss_column},
                         {"criterion", a.criterion.Describe()}});
  Emit(Render(realnets::AsymmetryReportJson(report, a.criterion), meta, a.format), "");
}

}  // namespace

void AddRealnetsScoreCommand(CLI::App& r) {
  auto a = std::make_shared<ScoreArgs>();
  CLI::App* s =
      r.add_subcommand("score",
                       "Asymmetry of a loss profile: rises at matched distances, widths at matched "
                       "heights, slopes, tilt, and the declared criterion's verdict");
  AddOption(*s, "--profile", a->profile,
            "Profile CSV, FILE[,x=COL][,loss=COL] (default: the first two columns)")
      ->required();
  AddOption(*s, "--heights", a->heights,
            "Heights above L(0) for the widths, comma-separated (default 0.05,0.1,0.2,0.5,1,2)");
  AddOption(*s, "--kappa", a->criterion.kappa, "Smallest detrended rise ratio that is asymmetric");
  AddOption(*s, "--min-rise", a->criterion.min_rise,
            "The larger detrended rise must reach this (loss units)");
  AddFormatOption(*s, a->format);
  s->callback([a] { RunScore(*a); });
}

}  // namespace valleys::cli
