#include "field_flags.hpp"

#include <cctype>
#include <utility>
#include <vector>

namespace valleys::cli {

namespace {

// Field -> flag, for every field whose IsValid message a user can reach through a flag.
const std::vector<std::pair<std::string, std::string>>& Table() {
  static const std::vector<std::pair<std::string, std::string>> table = {
      {"SgdSpec::profile", "--profile"},
      {"SgdSpec::noise", "--noise"},
      {"SgdSpec::shift", "--shift"},
      {"SgdSpec::T", "--T"},
      {"SimSpec::profiles", "--profile"},
      {"SimSpec::dim", "--dim"},
      {"SimSpec::basis", "--basis"},
      {"SimSpec::lr_schedule", "--lr-schedule"},
      {"SimSpec::noise", "--noise"},
      {"SimSpec::noise_per_direction", "--noise-per-direction"},
      {"SimSpec::x0", "--x0"},
      {"SimSpec::eval_shift", "--eval-shift"},
      {"SimSpec::backend", "--backend"},
      {"SimOptions::lr.eta", "--eta"},
      {"SimOptions::lr.eta_end", "--lr-schedule end/min"},
      {"SimOptions::lr.period", "--lr-schedule period/steps"},
      {"SimOptions::momentum", "--momentum"},
      {"SimOptions::weight_decay", "--wd"},
      {"SimOptions::noise_std", "--noise s"},
      {"SimOptions::noise_std_per_direction", "--noise-per-direction"},
      {"SimOptions::chains", "--chains"},
      {"SimOptions::steps", "--steps"},
      {"SimOptions::burnin", "--burnin"},
      {"SimOptions::avg_start", "--avg-start"},
      {"SimOptions::avg_every", "--avg-every"},
      {"SimOptions::start.value", "--x0"},
      {"SimOptions::divergence_bound", "--divergence-bound"},
      {"SimOptions::minibatch.data_size", "--data-size"},
      {"SimOptions::minibatch.batch", "--batch"},
      {"SimOptions::eval_shift", "--eval-shift"},
      {"SimOptions::profile", "--profile"},
      {"ModelSpec::arch", "--arch"},
      {"ModelSpec::block", "--block"},
      {"ModelSpec::depth", "--depth"},
      {"ModelSpec::width", "--width"},
      {"ModelSpec::widen", "--widen"},
      {"ModelSpec::activation", "--activation"},
      {"ModelSpec::bn_init", "--bn-init"},
      {"TrainOptions::epochs", "--epochs"},
      {"TrainOptions::lr_init", "--lr"},
      {"TrainOptions::schedule", "--schedule"},
      {"TrainOptions::swa_start_fraction", "--swa-start"},
      {"TrainOptions::momentum", "--momentum"},
      {"TrainOptions::weight_decay", "--wd"},
      {"TrainOptions::batch", "--batch"},
      {"TrainOptions::train_size", "--train-size"},
      {"TrainOptions::test_size", "--test-size"},
      {"TrainOptions::bn_batches", "--bn-batches"},
      {"TrainOptions::threads", "--threads"},
      {"TrainOptions::device", "--device"},
      {"TrainOptions::out_dir", "--out"},
      {"TrainOptions::train_data", "--train-data"},
      {"TrainOptions::test_data", "--test-data"},
      {"ProfileOptions::model", "--model"},
      {"ProfileOptions::exclude_pattern", "--exclude-params"},
      {"HessianOptions::model", "--model"},
      {"LineOptions::from", "--from"},
      {"LineOptions::to", "--to"},
      {"LineOptions::scripted", "--scripted"},
      {"SgdAfterSwaOptions::lr", "--lr"},
      {"SgdAfterSwaOptions::max_epochs", "--max-epochs"},
      {"ProbeOptions::bn_mode", "--bn-mode"},
      {"ProbeOptions::eval_size", "--eval-size"},
      {"ProfileOptions::law", "--law"},
      {"ProfileOptions::points", "--points"},
      {"ProfileOptions::range", "--range"},
      {"ProfileOptions::direction", "--direction"},
      {"ProfileOptions::shift_mean", "--law"},
      {"ProfileOptions::agreement", "--law"},
      {"ProfileOptions::mask", "--only-bn"},
      {"HeightSearchOptions::heights", "--heights"},
      {"HeightSearchOptions::max_offset", "--max-offset"},
      {"HeightSearchOptions::first_step", "--max-offset"},
      {"HeightSearchOptions::tolerance", "--height-tolerance"},
      {"LineOptions::points", "--points"},
      {"LineOptions::alpha_lo", "--alpha-min"},
      {"LineOptions::alpha_hi", "--alpha-max"},
      {"LineOptions::from", "--from"},
      {"LineOptions::to", "--to"},
      {"HessianOptions::sample_size", "--sample-size"},
      {"HessianOptions::iterations", "--iterations"},
      {"HessianOptions::tolerance", "--tolerance"},
      {"ExperimentOptions::threads", "--threads"},
      {"ExperimentOptions::out_dir", "--out"},
      {"AsymmetryCriterion::kappa", "--kappa"},
      {"AsymmetryCriterion::min_rise", "--min-rise"},
      {"AsymmetryCriterion::heights", "--heights"},
      {"Logistic2dOptions::seeds", "--seeds"},
      {"Logistic2dOptions::first_seed", "--first-seed"},
      {"Logistic2dOptions::steps", "--steps"},
      {"Logistic2dOptions::lr", "--lr"},
      {"Logistic2dOptions::range", "--range"},
      {"Logistic2dOptions::grid_points", "--points"},
      {"Logistic2dOptions::points_per_class", "--points-per-class"},
      {"Logistic2dOptions::init_std", "--init-std"},
      {"Logistic2dOptions::kappa", "--kappa"},
  };
  return table;
}

bool ContinuesName(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.';
}

}  // namespace

std::string FieldsToFlags(const std::string& message) {
  std::string out;
  std::size_t i = 0;
  while (i < message.size()) {
    const std::pair<std::string, std::string>* hit = nullptr;
    for (const auto& entry : Table()) {
      const std::string& field = entry.first;
      const std::size_t end = i + field.size();
      if (message.compare(i, field.size(), field) == 0 &&
          (end == message.size() || !ContinuesName(message[end])) &&
          (!hit || field.size() > hit->first.size()))
        hit = &entry;
    }
    if (hit) {
      out += hit->second;
      i += hit->first.size();
    } else {
      out += message[i++];
    }
  }
  return out;
}

}  // namespace valleys::cli
