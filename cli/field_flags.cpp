#include "field_flags.hpp"

#include <map>
#include <regex>

namespace valleys::cli {

namespace {

// The fields whose flag is not "--" + their name: renamed, or set through another flag's spec.
const std::map<std::string, std::string>& RenamedFields() {
  static const std::map<std::string, std::string> renamed = {
      {"SimSpec::profiles", "--profile"},
      {"SimOptions::lr.eta_end", "--lr-schedule end/min"},
      {"SimOptions::lr.period", "--lr-schedule period/steps"},
      {"SimOptions::weight_decay", "--wd"},
      {"SimOptions::noise_std", "--noise s"},
      {"SimOptions::noise_std_per_direction", "--noise-per-direction"},
      {"SimOptions::start.value", "--x0"},
      {"TrainOptions::lr_init", "--lr"},
      {"TrainOptions::swa_start_fraction", "--swa-start"},
      {"TrainOptions::weight_decay", "--wd"},
      {"TrainOptions::out_dir", "--out"},
      {"ExperimentOptions::out_dir", "--out"},
      {"ProfileOptions::exclude_pattern", "--exclude-params"},
      {"ProfileOptions::remove_radial", "--no-radial"},
      {"ProfileOptions::shift_mean", "--law"},
      {"ProfileOptions::agreement", "--law"},
      {"ProfileOptions::mask", "--only-bn"},
      {"SurfaceOptions::second_direction", "--direction-2"},
      {"SurfaceOptions::first.law", "--law"},
      {"SurfaceOptions::mark", "--mark"},
      {"HeightSearchOptions::first_step", "--max-offset"},
      {"HeightSearchOptions::tolerance", "--height-tolerance"},
      {"LineOptions::alpha_lo", "--alpha-min"},
      {"LineOptions::alpha_hi", "--alpha-max"},
      {"Logistic2dOptions::grid_points", "--points"},
      {"FigureFileOptions::data_csv", "--data"},
      {"ReproduceOptions::out_dir", "--out"},
      {"CheckOptions::claims", "--claim"},
      {"CheckOptions::out_dir", "--out"},
  };
  return renamed;
}

// "--" + the last name of a field path, '_' written '-' (SimOptions::minibatch.data_size ->
// --data-size).
std::string FlagByName(const std::string& path) {
  std::string flag = "--" + path.substr(path.rfind('.') + 1);
  for (char& c : flag)
    if (c == '_') c = '-';
  return flag;
}

}  // namespace

std::string FieldsToFlags(const std::string& message,
                          const std::function<bool(const std::string&)>& has_flag) {
  // A struct name (capitalised), "::", a field path; not inside a longer qualified name.
  static const std::regex field(
      R"((^|[^A-Za-z0-9_:])([A-Z][A-Za-z0-9]*::[A-Za-z_]\w*(\.[A-Za-z_]\w*)*))");
  std::string out;
  auto last = message.cbegin();
  for (std::sregex_iterator it(message.begin(), message.end(), field), end; it != end; ++it) {
    const std::smatch& m = *it;
    const std::string name = m[2].str();
    std::string flag;
    if (const auto renamed = RenamedFields().find(name); renamed != RenamedFields().end())
      flag = renamed->second;
    else if (const std::string by_name = FlagByName(name.substr(name.find("::") + 2));
             !has_flag || has_flag(by_name))
      flag = by_name;
    out.append(last, m[2].first);
    out += flag.empty() ? name : flag;
    last = m[2].second;
  }
  out.append(last, message.cend());
  return out;
}

}  // namespace valleys::cli
