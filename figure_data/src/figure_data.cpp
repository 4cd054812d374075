#include "valleys/figure_data/figure_data.hpp"

#include <cmath>
#include <limits>
#include <memory>

#include <fmt/format.h>

#include "valleys/plots/figures.hpp"
#include "valleys/sim/random.hpp"
#include "valleys/sim/risk_mc.hpp"
#include "valleys/sim/simulator.hpp"
#include "valleys/theory/analytic_profiles.hpp"
#include "valleys/theory/bias.hpp"
#include "valleys/theory/risk.hpp"
#include "valleys/theory/sgd_chain.hpp"
#include "valleys/theory/table_profile.hpp"
#include "valleys/theory/valley.hpp"

namespace valleys::figure_data {

namespace {

using theory::LawKind;
using theory::SymmetricLaw;

// The header line of figure `id`'s data, from the schema plots::Figures() documents and the
// scripts read: one source, so that data and figure cannot disagree on the columns.
std::string Header(const std::string& id) {
  return plots::Figure(id).columns + "\n";
}

std::shared_ptr<theory::Profile> Quad19() {
  return std::make_shared<theory::QuadraticProfile>(theory::QuadraticOptions{1, 9});
}

theory::ChainOptions Chain(double eta, double s = 1.0) {
  theory::ChainOptions c;
  c.eta = eta;
  c.noise_std = s;
  return c;
}

sim::SimOptions SimFor(std::shared_ptr<theory::Profile> p, double eta, const claims::ClaimScale& sc,
                       std::uint64_t seed) {
  sim::SimOptions o;
  o.profile = std::move(p);
  o.lr.eta = eta;
  o.chains = sc.chains * 5;
  o.steps = sc.steps;
  o.burnin = sc.burnin;
  o.seed = seed;
  return o;
}

std::string DataA() {
  theory::LinearProfile lin({1, 5});
  theory::QuadraticProfile quad({1, 9});
  theory::LinexProfile lx({1, -1.5});
  theory::RpclProfile rp({2, 1, 5, 0.3});
  theory::TableOptions t;
  for (double x : {-2.0, -1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0}) {
    t.x.push_back(x);
    t.loss.push_back(x >= 0 ? 0.35 * x * x + 0.1 * x : 1.8 * x * x + 0.2 * std::abs(x));
  }
  const theory::TableProfile table(t);
  std::string csv = Header("A");
  for (int i = 0; i <= 400; ++i) {
    const double x = -2 + 4.0 * i / 400;
    csv += fmt::format("{},{},{},{},{},{}\n", x, lin.Value(x), quad.Value(x), lx.Value(x),
                       rp.Value(x), table.Value(x));
  }
  return csv;
}

std::string DataB(const claims::ClaimScale& sc, std::uint64_t seed) {
  const auto p = Quad19();
  std::string csv = Header("B");
  for (const auto& [name, law] :
       {std::pair<const char*, SymmetricLaw>{"uniform", SymmetricLaw(LawKind::kUniform, 1.0)},
        {"gaussian", SymmetricLaw(LawKind::kGaussian, 0.5)}}) {
    const theory::BiasSummary b = theory::AnalyzeBias(*p, law);
    std::vector<double> zetas;
    for (int i = 0; i <= 24; ++i) zetas.push_back(-0.6 + 2.1 * i / 24);
    const auto mc = sim::MonteCarloRisk(*p, law, zetas, sc.mc_samples / 4, seed);
    for (std::size_t i = 0; i < zetas.size(); ++i)
      csv += fmt::format("{},{},{},{},{},{},{},{}\n", name, zetas[i],
                         theory::Risk(*p, law, zetas[i]).value, mc[i].value, mc[i].se, b.zeta_star,
                         b.window_lo, b.window_hi);
  }
  return csv;
}

std::string DataC(const claims::ClaimScale& sc, std::uint64_t seed) {
  const auto p = Quad19();
  std::string csv = Header("C");
  for (const auto& [name, eta] : {std::pair<const char*, double>{"small", 0.01}, {"large", 0.18}}) {
    const theory::StationaryDensity d = theory::SolveStationaryDensity(*p, Chain(eta));
    sim::SimOptions o = SimFor(p, eta, sc, seed);
    o.chains = 200000;
    o.steps = 1;
    o.burnin = static_cast<long long>(30 / eta);
    sim::RunControl control;
    control.keep_last_values = true;
    const sim::SimSummary s = sim::Simulate(o, control);
    const double lo = -4 * std::sqrt(eta / 18) - 0.1, hi = 4 * std::sqrt(eta / 2) + 0.2;
    const int bins = 60;
    std::vector<double> hist(bins, 0.0);
    for (double x : s.last_values) {
      const int k = static_cast<int>(std::floor((x - lo) / (hi - lo) * bins));
      if (k >= 0 && k < bins) hist[static_cast<std::size_t>(k)] += 1;
    }
    const double width = (hi - lo) / bins;
    // SDE density exp(-2 phi / (eta s^2)), normalized on a fine grid.
    double z = 0;
    for (int i = 0; i < 20000; ++i) {
      const double x = lo - 1 + (hi - lo + 2) * (i + 0.5) / 20000;
      z += std::exp(-2 * p->Value(x) / eta) * (hi - lo + 2) / 20000;
    }
    for (int k = 0; k < bins; ++k) {
      const double x = lo + (k + 0.5) * width;
      // exact density: linear interpolation on the solver's grid
      double exact = 0;
      for (std::size_t i = 0; i + 1 < d.x.size(); ++i)
        if (d.x[i] <= x && x < d.x[i + 1]) {
          const double w = (x - d.x[i]) / (d.x[i + 1] - d.x[i]);
          exact = d.density[i] * (1 - w) + d.density[i + 1] * w;
          break;
        }
      csv += fmt::format("{},{},{},{},{},{}\n", name, eta, x,
                         hist[static_cast<std::size_t>(k)] / (s.last_values.size() * width), exact,
                         std::exp(-2 * p->Value(x) / eta) / z);
    }
  }
  return csv;
}

std::string DataD(const claims::ClaimScale& sc, std::uint64_t seed) {
  std::string csv = Header("D");
  const std::vector<std::pair<const char*, std::shared_ptr<theory::Profile>>> valleys = {
      {"quadratic", Quad19()},
      {"linear", std::make_shared<theory::LinearProfile>(theory::LinearOptions{1, 5})}};
  for (const auto& [name, p] : valleys) {
    const double top = std::string(name) == "quadratic" ? 0.2 : 0.5;
    for (int i = 0; i <= 7; ++i) {
      const double eta = 0.005 * std::pow(top / 0.005, i / 7.0);
      const theory::StationaryStats ex = theory::SolveStationary(*p, Chain(eta));
      const theory::SdeStats sde = theory::SdeStationary(*p, Chain(eta));
      sim::SimOptions o = SimFor(p, eta, sc, seed + i);
      o.burnin = std::max(sc.burnin, static_cast<long long>(20 / eta));
      const sim::SimSummary s = sim::Simulate(o);
      csv += fmt::format("{},{},{},{},{},{}\n", name, eta, ex.mean, sde.mean, s.mean_avg.value,
                         s.mean_avg.se);
    }
  }
  return csv;
}

std::string DataE(const claims::ClaimScale& sc, std::uint64_t seed) {
  const auto p = std::make_shared<theory::LinearProfile>(theory::LinearOptions{1, 2});
  const SymmetricLaw law(LawKind::kUniform, 1.0);
  std::string csv = Header("E");
  for (int i = 0; i <= 9; ++i) {
    const double eta = 0.02 * std::pow(100.0, i / 9.0);
    sim::SimOptions o = SimFor(p, eta, sc, seed + i);
    o.noise_std = 2;
    o.burnin = std::max(sc.burnin, static_cast<long long>(20 / eta));
    o.eval_shift = law;
    const sim::SimSummary s = sim::Simulate(o);
    const theory::StationaryStats ex = theory::SolveStationary(*p, Chain(eta, 2.0));
    csv += fmt::format("{},{},{},{},{},{},{}\n", eta, s.risk_avg.value, s.risk_avg.se,
                       s.risk_last.value, s.risk_last.se, s.risk_min.value,
                       theory::Risk(*p, law, ex.mean).value);
  }
  return csv;
}

std::string DataF(const claims::ClaimScale& sc, std::uint64_t seed) {
  const auto p = Quad19();
  const int T = 300;
  const theory::TransientStats tr = theory::SolveTransient(*p, Chain(0.05), 0.0, T);
  std::string csv = Header("F");
  double acc = 0;
  int k = 0;
  const std::vector<int> marks = {2, 3, 5, 8, 12, 20, 35, 60, 100, 170, 300};
  for (int t = 1; t <= T; ++t) {
    acc += tr.mean_t[static_cast<std::size_t>(t)];
    std::string sim_cols = ",,,";
    if (k < static_cast<int>(marks.size()) && marks[static_cast<std::size_t>(k)] == t) {
      sim::SimOptions o = SimFor(p, 0.05, sc, seed + t);
      o.burnin = 0;
      o.steps = t;
      o.chains = sc.chains * 50;
      const sim::SimSummary s = sim::Simulate(o);
      sim_cols = fmt::format("{},{},{},{}", s.mean_last.value, s.mean_last.se, s.mean_avg.value,
                             s.mean_avg.se);
      ++k;
    }
    csv +=
        fmt::format("{},{},{},{}\n", t, tr.mean_t[static_cast<std::size_t>(t)], acc / t, sim_cols);
  }
  return csv;
}

std::string DataG(std::uint64_t seed) {
  theory::ValleyOptions v;
  v.profiles = {Quad19(),
                std::make_shared<theory::QuadraticProfile>(theory::QuadraticOptions{4, 4})};
  v.basis = theory::BasisKind::kRandomRotation;
  v.rotation_seed = 11;
  const theory::Valley valley(v);
  std::string csv = Header("G");
  const int n = 100;
  for (int i = 0; i <= n; ++i) {  // level-set grid: one block per row
    for (int j = 0; j <= n; ++j) {
      const double x = -0.5 + 1.0 * i / n, y = -0.5 + 1.0 * j / n;
      csv += fmt::format("0,{},{},{}\n", x, y, valley.Value(Eigen::Vector2d(x, y)));
    }
    csv += "\n";
  }
  Eigen::VectorXd w = Eigen::VectorXd::Zero(2), acc = Eigen::VectorXd::Zero(2);
  const double eta = 0.05;
  std::string path, avg;
  for (int t = 1; t <= 20000; ++t) {
    float z[4];
    sim::NormalsFrom(sim::PhiloxDraw(seed, static_cast<std::uint64_t>(t), 0, sim::kNoisePurpose),
                     z);
    w -= eta * (valley.Gradient(w) + Eigen::Vector2d(z[0], z[1]));
    acc += w;
    if (t % 4 == 0 && t <= 2000) path += fmt::format("1,{},{},0\n", w[0], w[1]);
    if (t % 20 == 0) avg += fmt::format("2,{},{},0\n", acc[0] / t, acc[1] / t);
  }
  const Eigen::Vector2d q = valley.basis().col(0);
  csv += path + avg + fmt::format("3,0,0,0\n3,{},{},0\n", 0.45 * q[0], 0.45 * q[1]);
  return csv;
}

std::string DataH(std::uint64_t seed) {
  const auto p = Quad19();
  sim::SimOptions o;
  o.profile = p;
  o.eval_shift = SymmetricLaw(LawKind::kGaussian, 1.0);
  o.minibatch.data_size = 50;
  o.minibatch.data_seed = seed;
  const std::vector<double> z = sim::SyntheticData(o);
  const double w_hat = sim::EmpiricalMinimizer(*p, z);
  const double pop_min = theory::AnalyzeBias(*p, *o.eval_shift).zeta_star;
  std::string csv = Header("H");
  for (int i = 0; i <= 300; ++i) {
    const double x = -1.5 + 4.0 * i / 300;
    double train = 0;
    for (double zi : z) train += p->Value(x - zi);
    csv += fmt::format("{},{},{},{},{}\n", x, train / z.size(),
                       theory::Risk(*p, *o.eval_shift, x).value, w_hat, pop_min);
  }
  return csv;
}

std::string DataI(const claims::ClaimScale& sc, std::uint64_t seed) {
  const auto p = Quad19();
  const double eta = 0.02;
  std::string csv = Header("I");
  int k = 0;
  for (const bool nesterov : {false, true})
    for (double beta : {0.0, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95}) {
      theory::ChainOptions c = Chain(eta);
      c.momentum = beta;
      c.nesterov = nesterov && beta > 0;
      const double exact = theory::SolveStationary(*p, c).mean;
      theory::ChainOptions folded = Chain(eta / (1 - beta));
      const bool stable = folded.IsValid(*p, nullptr);
      const double nan = std::numeric_limits<double>::quiet_NaN();
      const double folded_mean = stable ? theory::SolveStationary(*p, folded).mean : nan;
      const double folded_sde = theory::SdeStationary(*p, c).mean;
      sim::SimOptions o = SimFor(p, eta, sc, seed + static_cast<std::uint64_t>(k++));
      o.momentum = beta;
      o.nesterov = c.nesterov;
      o.burnin = std::max(sc.burnin, static_cast<long long>(20 * (1 - beta) / eta));
      const sim::SimSummary s = sim::Simulate(o);
      csv += fmt::format("{},{},{},{},{},{},{}\n", nesterov ? "nesterov" : "heavy-ball", beta,
                         exact, folded_mean, folded_sde, s.mean_avg.value, s.mean_avg.se);
    }
  return csv;
}

}  // namespace

std::string FigureData(const std::string& id, const claims::ClaimScale& sc, std::uint64_t seed) {
  plots::Figure(id);  // validates the id
  if (id == "A") return DataA();
  if (id == "B") return DataB(sc, seed);
  if (id == "C") return DataC(sc, seed);
  if (id == "D") return DataD(sc, seed);
  if (id == "E") return DataE(sc, seed);
  if (id == "F") return DataF(sc, seed);
  if (id == "G") return DataG(seed);
  if (id == "I") return DataI(sc, seed);
  return DataH(seed);
}

}  // namespace valleys::figure_data
