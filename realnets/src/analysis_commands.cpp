#include "valleys/realnets/analysis_commands.hpp"

#include <filesystem>

#include <fmt/format.h>

#include "valleys/io/atomic_file.hpp"
#include "valleys/io/metadata.hpp"
#include "valleys/io/spec.hpp"
#include "valleys/io/table_csv.hpp"
#include "valleys/realnets/analysis_json.hpp"
#include "valleys/realnets/asymmetry_json.hpp"
#include "valleys/realnets/cifar.hpp"
#include "valleys/realnets/profile_analysis.hpp"

namespace valleys::realnets {

namespace fs = std::filesystem;

RunOutput Logistic2dCommand(const Logistic2dOptions& options, const std::string& out_dir) {
  std::string why;
  if (!options.IsValid(&why)) throw io::InputError(why);
  const Logistic2dSummary s = RunLogistic2d(options);
  RunOutput out{Logistic2dResultJson(s, options), Logistic2dMeta(options)};
  if (!out_dir.empty()) {
    io::EnsureDirectory(out_dir);
    io::WriteFileAtomically(fs::path(out_dir) / "logistic2d.csv", Logistic2dCsv(s));
    io::WriteFileAtomically(fs::path(out_dir) / "logistic2d.csv.json", out.meta.dump(2) + "\n");
  }
  return out;
}

bool ShiftOptions::IsValid(std::string* why) const {
  if (max_shift < 0) {
    if (why)
      *why = fmt::format(
          "ShiftOptions::max_shift = {} is out of range (allowed: > 0, or 0 for a quarter of the "
          "range)",
          max_shift);
    return false;
  }
  return true;
}

RunOutput ShiftCommand(const ShiftOptions& o) {
  std::string why;
  if (!o.IsValid(&why)) throw io::InputError(why);
  const theory::TableOptions train = io::ReadTableCsv(o.profile, o.x, o.train);
  const theory::TableOptions test = io::ReadTableCsv(o.profile, o.x, o.test);
  const std::vector<double>& t = train.x;
  const double max_shift = o.max_shift > 0 ? o.max_shift : 0.25 * (t.back() - t.front());
  return {ShiftFitJson(FitShift(t, train.loss, test.loss, max_shift)),
          io::Metadata("realnets shift",
                       {{"profile", o.profile},
                        {"max_shift", max_shift},
                        {"mismatch", "mean squared difference after removing the mean offset"}})};
}

RunOutput ScoreCommand(const ScoreOptions& o) {
  std::string why;
  if (!o.criterion.IsValid(&why)) throw io::InputError(why);
  if (!o.valley.IsValid(&why)) throw io::InputError(why);
  const io::TableRef p = io::ParseTableRef(o.profile);
  AsymmetryReport report;
  ValleyMeasure valley;
  try {
    const theory::TableOptions table = io::ReadTableCsv(p.path, p.x_column, p.loss_column);
    report = MeasureAsymmetry(table.x, table.loss, o.criterion);
    valley = MeasureValley(table.x, table.loss, o.valley);
  } catch (const std::invalid_argument& e) {  // io::InputError included
    throw io::InputError(fmt::format("ScoreOptions::profile '{}': {}", p.path, e.what()));
  }
  nlohmann::ordered_json result = AsymmetryReportJson(report, o.criterion);
  result["valley"] = ValleyMeasureJson(valley, o.valley);
  return {result, io::Metadata("realnets score",
                               {{"profile", o.profile},
                                {"x", p.x_column.empty() ? "(first column)" : p.x_column},
                                {"loss", p.loss_column.empty() ? "(second column)" : p.loss_column},
                                {"criterion", o.criterion.Describe()},
                                {"valley_criterion", o.valley.Describe()}})};
}

DataFolderCheck CheckDataFolder(const std::string& dir) {
  DataFolderCheck check;
  nlohmann::ordered_json& result = check.output.result;
  result["folder"] = fs::absolute(dir).string();
  auto files = nlohmann::ordered_json::array();
  bool full = true, subset = true;
  for (const auto& c : VerifyFolder(dir)) {
    files.push_back({{"file", c.name}, {"status", c.status}});
    const bool ok = c.status == "ok";
    if (c.name.rfind("subset", 0) == 0)
      subset = subset && ok;
    else
      full = full && ok;
    if (c.status.rfind("corrupt", 0) == 0 && check.complete) {
      check.complete = false;
      check.problem =
          fmt::format("{} in '{}' is corrupt (see its status in the result)", c.name, dir);
    }
  }
  result["files"] = files;
  result["full_set_ok"] = full;
  result["subset_ok"] = subset;
  if (check.complete && !full && !subset) {
    check.complete = false;
    check.problem = fmt::format("'{}' holds neither the full set nor the subset", dir);
  }
  return check;
}

}  // namespace valleys::realnets
