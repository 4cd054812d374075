#include "preregistered_data.hpp"

#include <cmath>
#include <map>

#include <fmt/format.h>

#include "valleys/realnets/swa_bias_analysis.hpp"
#include "valleys/realnets/verdicts.hpp"

namespace valleys::realnets::detail {

namespace {

// |y| of the bracketed profiles of one network, checkpoint and law.
std::vector<double> Magnitudes(const JobRecord& r, const std::string& checkpoint,
                               const std::string& law) {
  std::vector<double> out;
  for (const auto& d : r.directions)
    if (d.checkpoint == checkpoint && d.law == law && std::isfinite(d.valley_log10_ratio))
      out.push_back(std::abs(d.valley_log10_ratio));
  return out;
}

std::string Number(double v) {
  return std::isfinite(v) ? fmt::format("{:.3g}", v) : "-";
}

}  // namespace

ClaimData C18Data(const std::vector<JobRecord>& records) {
  ClaimData c18{"C18", {}, true, ""};
  bool measured = false;
  int seeds_admitted = 0;
  for (const auto& r : records) {
    if (r.variant != "bn" || !r.has_swa_bias) continue;
    measured = true;
    std::vector<double> predicted, measured_bias;
    for (const auto& s : r.swa_bias.records)
      if (s.admitted && std::isfinite(s.predicted_bias) && std::isfinite(s.measured_bias)) {
        predicted.push_back(s.predicted_bias);
        measured_bias.push_back(s.measured_bias);
      }
    const double slope = SlopeThroughOrigin(predicted, measured_bias);
    if (std::isfinite(slope)) {
      c18.values.push_back({slope});
      ++seeds_admitted;
    }
  }
  if (!measured) {
    c18.precondition_met = false;
    c18.why_not =
        "not measured: the airbench recipe trains the BN biases at 64x the rate with Nesterov "
        "momentum, and the 1-D chain along a direction needs one rate for every coordinate it "
        "moves";
  } else if (seeds_admitted < 2) {
    c18.precondition_met = false;
    c18.why_not = fmt::format(
        "{} seed(s) with an admitted direction (the rule needs 2): see swa_bias.csv, column "
        "not_admitted",
        seeds_admitted);
  }
  return c18;
}

std::vector<ClaimData> PreregisteredClaimData(const std::vector<JobRecord>& records,
                                              double twin_min_accuracy) {
  std::map<std::uint64_t, std::map<std::string, const JobRecord*>> by_seed;
  for (const auto& r : records) by_seed[r.seed][r.variant] = &r;
  ClaimData c10{"C10", {}, true, ""}, c12{"C12", {}, true, ""}, c15{"C15", {}, true, ""},
      c16{"C16", {}, true, ""}, c17{"C17", {}, true, ""}, c13{"C13", {}, true, ""},
      c14{"C14", {}, true, ""};
  // One paired difference of medians per seed, when both sides have values.
  const auto difference = [](const std::vector<double>& a, const std::vector<double>& b,
                             ClaimData* claim) {
    if (!a.empty() && !b.empty()) claim->values.push_back({Median(a) - Median(b)});
  };
  for (const auto& [seed, jobs] : by_seed) {
    const auto find = [&](const char* id) {
      const auto it = jobs.find(id);
      return it == jobs.end() ? nullptr : it->second;
    };
    const JobRecord* bn = find("bn");
    const JobRecord* nobn = find("nobn");
    const JobRecord* soft = find("softplus");
    if (bn) {
      c10.values.push_back(Magnitudes(*bn, "sgd", "uniform01"));
      std::vector<double> own, mismatched;
      for (const auto& d : bn->directions)
        if (d.checkpoint == "swa" && d.law == "uniform01" && d.shift_ratio > 0)
          own.push_back(std::log10(d.shift_ratio));
      for (double m : bn->mismatched)
        if (m > 0) mismatched.push_back(std::log10(m));
      difference(own, mismatched, &c12);
      difference(Magnitudes(*bn, "swa", "sign"), Magnitudes(*bn, "swa", "gaussian"), &c17);
      if (bn->has_line) {
        if (std::isfinite(bn->line.valley_log10_ratio))
          c13.values.push_back({bn->line.valley_log10_ratio});
        if (std::isfinite(bn->line.test_past_swa_by_width))
          c14.values.push_back({bn->line.test_past_swa_by_width});
      }
    }
    if (bn && nobn) {
      difference(Magnitudes(*bn, "swa", "filter"), Magnitudes(*nobn, "swa", "filter"), &c15);
      if (!(nobn->trained.swa_test_acc >= twin_min_accuracy)) {
        c15.precondition_met = false;
        c15.why_not += fmt::format(
            "{}the BN-free twin of seed {} reached {:.1f}% test accuracy "
            "(the rule needs {:.0f}%)",
            c15.why_not.empty() ? "" : "; ", seed, 100 * nobn->trained.swa_test_acc,
            100 * twin_min_accuracy);
      }
    }
    if (bn && soft)
      difference(Magnitudes(*soft, "swa", "uniform01"), Magnitudes(*bn, "swa", "uniform01"), &c16);
  }
  // A claim without values says why: the profiles exist but none bracketed its valley.
  const std::string unbracketed =
      "no profile bracketed its valley: the training loss did not rise by the bracketing height "
      "on both sides within bracket_limit x range";
  for (ClaimData* c : {&c10, &c15, &c16, &c17}) {
    bool any = false;
    for (const auto& seed_values : c->values) any = any || !seed_values.empty();
    if (!any && c->why_not.empty()) c->why_not = unbracketed;
  }
  if (c13.values.empty()) c13.why_not = "no line whose training profile bracketed its valley";
  if (c14.values.empty()) c14.why_not = "no line whose flat-side width lies inside its grid";
  return {c10, c12, c13, c14, c15, c16, c17, C18Data(records)};
}

std::string PreregisteredSection(const std::vector<ClaimData>& data,
                                 const std::vector<ClaimVerdict>& verdicts, std::uint64_t seed) {
  std::string md =
      "### Pre-registered verdicts\n\n"
      "The rules of docs/realnets.md (\"Pre-registered rules\"): the sampling unit is the seed; "
      "each seed's directions reduce to their median; one-sided Student t bounds on the seeds' "
      "values at Holm's strictest level (0.05 / 8); Holm's step-down over the eight claims, "
      "separately for holding and failing.\n\n"
      "| claim | statistic | sample | seeds' values | mean | theta | bound (paper's side) | bound "
      "(other side) | cluster bootstrap 95% | p hold | p fail | verdict | detectable distance "
      "(80%) |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (const auto& v : verdicts) {
    const ClaimData* d = nullptr;
    for (const auto& x : data)
      if (x.claim == v.rule.claim) d = &x;
    const bool judged = v.test.seeds > 0;
    std::string values, bootstrap = "-";
    if (judged) {
      for (double x : v.test.seed_values) values += (values.empty() ? "" : ", ") + Number(x);
      if (d != nullptr && v.test.seeds > 1) {
        const Interval i = ClusterBootstrapMean(d->values, seed);
        bootstrap = fmt::format("{} .. {}", Number(i.lo), Number(i.hi));
      }
    }
    const std::string verdict = v.why_not.empty()
                                    ? RuleVerdictName(v.verdict)
                                    : fmt::format("{} ({})", RuleVerdictName(v.verdict), v.why_not);
    md += fmt::format("| {} {} | {} | {} | {} | {} | {} {} | {} | {} | {} | {} | {} | {} | {} |\n",
                      v.rule.claim, v.rule.statement, v.rule.statistic,
                      judged ? v.test.DescribeSample() : "-", judged ? values : "-",
                      judged ? Number(v.test.mean) : "-", v.rule.holds_above ? ">" : "<",
                      Number(v.rule.theta), Number(v.hold_bound), Number(v.fail_bound), bootstrap,
                      Number(v.p_hold), Number(v.p_fail), verdict, Number(v.detectable_delta));
  }
  return md + "\n";
}

}  // namespace valleys::realnets::detail
