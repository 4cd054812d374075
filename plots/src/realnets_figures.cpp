#include "valleys/plots/realnets_figures.hpp"

#include <stdexcept>

#include <fmt/format.h>

#include "script_parts.hpp"

namespace valleys::plots {

const std::vector<FigureInfo>& RealnetsFigures() {
  static const std::vector<FigureInfo> figures = {
      {"profiles", "Loss rise along random directions through the SWA solution, per law",
       "variant_id,law_id,direction,t,train_rise,test_rise,variant,law,checkpoint"},
      {"asymmetry",
       "Detrended rise ratio of each profile: BN vs the BN-free twin and the gamma ablation",
       "variant_id,law_id,direction,signed_log10_ratio,sign_agreement,variant,law"},
      {"line", "The SWA-SGD line: training and test loss",
       "alpha,train_loss,train_acc,test_loss,test_acc"},
      {"logistic2d",
       "The 2-parameter logistic model: loss rise along U(0,1) directions through the minimizer "
       "and through the GD average, 50 seeds",
       "seed,t,loss_rise,asymmetric,loss_rise_minimizer,asymmetric_minimizer"},
      {"swa_bias",
       "C18: where the SWA average sits along each direction, measured from the iterates and "
       "predicted by the exact SGD chain on the measured profile",
       "seed,kind,measured_bias_sd,predicted_bias_sd,measured_p_flat,predicted_p_flat,flat_side,"
       "direction"},
  };
  return figures;
}

namespace {

// variant ids: 1 bn, 2 nobn, 3 gamma (bn-init N(0, 0.1)), 4 softplus; law ids: 1 uniform01,
// 2 gaussian, 3 sign, 4 filter.
const char* kProfiles = R"(
  set multiplot layout 2,2 title 'Training loss rise L(w_{SWA} + t d) - L(w_{SWA}) along random directions d (BN recomputed)'
  laws = 'uniform01 gaussian sign filter'
  set xlabel 't (offset along d)'
  set ylabel 'training loss rise (nats)'
  stats data using 3 every ::1 nooutput prefix 'D'
  nd = int(D_max)
  array has[4]
  names = "'BN' 'no BN' 'BN, {/Symbol g} init N(0, 0.1)' 'BN, softplus'"
  do for [l=1:4] {
    # The y range follows the BN networks; steeper curves leave the frame, which the panel says
    # (the CSV has them whole). stats only counts points inside the current range: reset it first.
    set autoscale y
    stats data using ((($1 == 1 || $1 == 3) && $2 == l) ? $5 : NaN) every ::1 nooutput prefix 'B'
    ybot = B_min - 0.05 * (B_max - B_min + 1e-3)
    ytop = B_max + 0.5 * (B_max - B_min + 1e-3)
    # Which networks have a curve in this panel (the key lists only those), and whether any curve
    # leaves the frame at the top or the bottom.
    do for [v=1:4] {
      stats data using (($1 == v && $2 == l) ? 1 : 0) every ::1 nooutput prefix 'C'
      has[v] = C_sum > 0
    }
    stats data using ($2 == l ? $5 : ytop) every ::1 nooutput prefix 'Y'
    above = Y_max > ytop
    stats data using ($2 == l ? $5 : ybot) every ::1 nooutput prefix 'Y'
    below = Y_min < ybot
    set yrange [ybot : ytop]
    set title word(laws, l).(l == 4 ? ' (filter-normalized, t in filter units)' : ' (unit norm)')
    set key top center font ',9'
    if (above || below) {
      set label 7 (above && below ? 'curves leave the frame above and below' : above ? 'curves leave the frame above' : 'curves leave the frame below') at graph 0.02, graph 0.04 font ',8' tc rgb '#555555'
    } else {
      unset label 7
    }
    plot for [k=0:nd] data using (($1 == 1 && $2 == l && $3 == k) ? $4 : NaN):5 every ::1 with lines ls 1 title (k == 0 && has[1] ? word(names, 1) : ''), \
         for [k=0:nd] data using (($1 == 2 && $2 == l && $3 == k) ? $4 : NaN):5 every ::1 with lines ls 2 title (k == 0 && has[2] ? word(names, 2) : ''), \
         for [k=0:nd] data using (($1 == 3 && $2 == l && $3 == k) ? $4 : NaN):5 every ::1 with lines ls 3 title (k == 0 && has[3] ? word(names, 3) : ''), \
         for [k=0:nd] data using (($1 == 4 && $2 == l && $3 == k) ? $4 : NaN):5 every ::1 with lines ls 4 title (k == 0 && has[4] ? word(names, 4) : '')
  }
  unset label 7
)";

const char* kAsymmetry = R"(
  set title 'Asymmetry of each profile: log_{10}(r_-/r_+), the detrended rises at the largest common distance (clipped at {/Symbol \261}3)'
  set xrange [0.4:4.6]
  set yrange [-3.2:3.2]
  set xtics ('uniform01' 1, 'gaussian' 2, 'sign' 3, 'filter' 4)
  set ylabel 'log_{10} rise ratio (> 0: flat side +)'
  set arrow 1 from 0.4, log10(3) to 4.6, log10(3) nohead ls 6
  set arrow 2 from 0.4, -log10(3) to 4.6, -log10(3) nohead ls 6
  set label 3 '{/Symbol k} = 3' at 4.15, log10(3) offset 0,0.6 font ',9'
  set key top left font ',10'
  plot data using ($1 == 1 ? $2 - 0.2 : NaN):4 every ::1 with points ls 1 pt 7 ps 1.1 title 'BN', \
       data using ($1 == 2 ? $2 : NaN):4 every ::1 with points ls 2 pt 5 ps 1.1 title 'no BN', \
       data using ($1 == 3 ? $2 + 0.2 : NaN):4 every ::1 with points ls 3 pt 9 ps 1.2 title 'BN, {/Symbol g} init N(0, 0.1)', \
       data using ($1 == 4 ? $2 + 0.35 : NaN):4 every ::1 with points ls 4 pt 11 ps 1.2 title 'BN, softplus'
)";

const char* kLine = R"(
  set multiplot layout 1,2 title 'The line w({/Symbol a}) = w_{SWA} + {/Symbol a} (w_{SGD} - w_{SWA}): {/Symbol a} = 0 SWA, 1 SGD (BN recomputed)'
  set xlabel '{/Symbol a}'
  set arrow 1 from 0, graph 0 to 0, graph 1 nohead ls 6
  set arrow 2 from 1, graph 0 to 1, graph 1 nohead ls 6
  set label 5 'SWA ' at 0, graph 0.04 right font ',9'
  set label 6 ' SGD' at 1, graph 0.04 left font ',9'
  set tmargin 4
  set key top center font ',10' opaque
  # Training and test on axes of their own: each is fitted to its curve, so that differences of
  # a few thousandths along a short line stay visible.
  set ytics nomirror tc rgb '#1f77b4'
  set y2tics tc rgb '#d62728'
  set ylabel 'training loss (nats)' tc rgb '#1f77b4'
  set y2label 'test loss (nats)' tc rgb '#d62728'
  set title 'loss (left axis training, right axis test)'
  plot data using 1:2 every ::1 with linespoints ls 1 pt 7 ps 0.5 axes x1y1 title 'training', \
       data using 1:4 every ::1 with linespoints ls 2 pt 7 ps 0.5 axes x1y2 title 'test'
  set ylabel 'training accuracy' tc rgb '#1f77b4'
  set y2label 'test accuracy' tc rgb '#d62728'
  set title 'accuracy (left axis training, right axis test)'
  plot data using 1:3 every ::1 with linespoints ls 1 pt 7 ps 0.5 axes x1y1 title 'training', \
       data using 1:5 every ::1 with linespoints ls 2 pt 7 ps 0.5 axes x1y2 title 'test'
  unset label 5; unset label 6; unset y2tics; unset y2label
  set ytics mirror tc rgb 'black'
  set ylabel tc rgb 'black'
  unset tmargin
)";

const char* kLogistic2d = R"(
  set multiplot layout 1,2 title 'Logistic model sigmoid(wx + b): loss rise along U(0,1)^2 directions'
  set xlabel 't (offset along the unit direction)'
  set ylabel 'loss rise (nats)'
  stats data using 1 every ::1 nooutput prefix 'S'
  set key top center font ',10'
  set title 'through the minimizer (C11; separable seeds have none)'
  plot for [s=int(S_min):int(S_max)] data using 2:(($1 == s && $6 == 1) ? $5 : NaN) every ::1 with lines lc rgb '#1f77b4' lw 1 title (s == int(S_min) ? 'asymmetric' : ''), \
       for [s=int(S_min):int(S_max)] data using 2:(($1 == s && $6 == 0) ? $5 : NaN) every ::1 with lines lc rgb '#d62728' lw 1 title (s == int(S_min) ? 'not asymmetric' : '')
  set title 'through the average of 30 GD steps (the authors'' centre: not a minimum)'
  plot for [s=int(S_min):int(S_max)] data using 2:(($1 == s && $4 == 1) ? $3 : NaN) every ::1 with lines lc rgb '#1f77b4' lw 1 title (s == int(S_min) ? 'asymmetric' : ''), \
       for [s=int(S_min):int(S_max)] data using 2:(($1 == s && $4 == 0) ? $3 : NaN) every ::1 with lines lc rgb '#d62728' lw 1 title (s == int(S_min) ? 'not asymmetric' : '')
  unset multiplot
)";

// kind: 1 random direction, 2 principal component; flat_side: 1 +, -1 -, 0 none. Rows without a
// prediction hold NaN there and are not drawn.
const char* kSwaBias = R"(
  set multiplot layout 1,2 title 'C18: the SWA average along each direction, measured (SWA-phase iterates) against the exact chain on the fitted profile'
  set key top left font ',10'
  set title 'bias of the average from the profile''s minimum (iterate sd)'
  set xlabel 'predicted (exact chain)'
  set ylabel 'measured'
  set xzeroaxis lc rgb '#bbbbbb'
  set yzeroaxis lc rgb '#bbbbbb'
  plot data using ($2 == 1 ? $4 : NaN):3 every ::1 with points ls 1 pt 7 ps 1.1 title 'random directions', \
       data using ($2 == 2 ? $4 : NaN):3 every ::1 with points ls 2 pt 5 ps 1.2 title 'principal components', \
       x with lines ls 6 title 'measured = predicted'
  set title 'fraction of the iterates on the flat side of the minimum'
  set xrange [0:1]
  set yrange [0:1]
  plot data using ($2 == 1 && $7 != 0 ? $6 : NaN):5 every ::1 with points ls 1 pt 7 ps 1.1 title 'random, flat side', \
       data using ($2 == 2 && $7 != 0 ? $6 : NaN):5 every ::1 with points ls 2 pt 5 ps 1.2 title 'PC, flat side', \
       data using ($7 == 0 ? $6 : NaN):5 every ::1 with points ls 3 pt 6 ps 1.0 title 'no flat side (+ side shown)', \
       x with lines ls 6 title 'measured = predicted'
  unset multiplot
)";

}  // namespace

std::string RealnetsGnuplotScript(const std::string& id, const std::string& data_csv,
                                  const std::string& out_stem) {
  const FigureInfo* info = nullptr;
  for (const auto& f : RealnetsFigures())
    if (f.id == id) info = &f;
  if (!info)
    throw std::invalid_argument(
        fmt::format("realnets figure '{}' does not exist (allowed: profiles, asymmetry, line, "
                    "logistic2d, swa_bias)",
                    id));
  const char* body = id == "profiles"    ? kProfiles
                     : id == "asymmetry" ? kAsymmetry
                     : id == "line"      ? kLine
                     : id == "swa_bias"  ? kSwaBias
                                         : kLogistic2d;
  const bool wide = id == "profiles" || id == "line" || id == "logistic2d" || id == "swa_bias";
  return fmt::format("# Figure {}: {}\n# data columns: {}\n", id, info->title, info->columns) +
         detail::Header(out_stem, data_csv) +
         detail::BothTerminals(body, wide ? "1500,1000" : "1100,750",
                               wide ? "9in,6in" : "6.5in,4.5in");
}

}  // namespace valleys::plots
