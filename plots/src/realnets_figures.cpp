#include "valleys/plots/realnets_figures.hpp"

#include <stdexcept>

#include <fmt/format.h>

#include "script_parts.hpp"

namespace valleys::plots {

const std::vector<FigureInfo>& RealnetsFigures() {
  static const std::vector<FigureInfo> figures = {
      {"profiles",
       "Loss rise (training and test) along random directions through the SWA solution, per law, "
       "and (uniform01) through the SGD centres",
       "variant_id,law_id,direction,t,train_rise,test_rise,variant,law,checkpoint"},
      {"asymmetry",
       "Detrended rise ratio of each profile: BN vs the BN-free twin and the gamma ablation, at "
       "SWA and at the SGD centres (the data: profiles_summary.csv, read by column name)",
       "seed,variant,checkpoint,law,direction,sign_agreement,direction_norm,asymmetric,flat_side,"
       "detrended_ratio,signed_log10_ratio,tilt,min_offset,rise_plus,rise_minus,width_ratio_0.1,"
       "width_ratio_0.5,slope_ratio,test_asymmetric,test_flat_side,test_detrended_ratio,"
       "shift_delta,shift_ratio,width_rule_flat_side,width_rule_ratio,matched_height,"
       "log10_width_ratio_matched,points,valley_bracketed,valley_height,valley_log10_ratio,"
       "valley_flat_side,valley_min_offset,valley_reference,weights_norm,direction_weight_cosine"},
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
  set multiplot layout 2,2 title 'Loss rise L(w + t d) - L(w) along random directions d through w = w_{SWA} (and, uniform01, the SGD centres); BN recomputed'
  laws = 'uniform01 gaussian sign filter'
  set xlabel 't (offset along d)'
  set ylabel 'loss rise (nats)'
  stats data using 3 every ::1 nooutput prefix 'D'
  nd = int(D_max)
  array has[7]
  names = "'BN, training' 'no BN' 'BN, {/Symbol g} init N(0, 0.1)' 'BN, softplus' 'BN at its last constant-rate iterate' 'BN, plain SGD (decayed rate)' 'BN, test (C12)'"
  swa(c) = c eq 'swa'
  # curve k of panel l: 1-4 the networks at SWA (training), 5 BN at the SWA run's last iterate,
  # 6 the plain-SGD network, 7 the BN network's test loss at SWA.
  sel(k, l) = ($2 == l) && (k <= 4 ? ($1 == k && swa(strcol(9))) : k == 5 ? ($1 == 1 && !swa(strcol(9))) : k == 6 ? ($1 == 5) : ($1 == 1 && swa(strcol(9))))
  heights = '0.05 0.1 0.2 0.5 1 2'  # AsymmetryCriterion::heights' default (a test keeps them equal)
  do for [l=1:4] {
    # The y range follows the BN networks at SWA (training and test); steeper curves leave the
    # frame, which the panel says (the CSV has them whole). stats only counts points inside the
    # current range: reset it first.
    set autoscale y
    stats data using ((($1 == 1 || $1 == 3) && $2 == l && swa(strcol(9))) ? ($5 > $6 ? $5 : $6) : NaN) every ::1 nooutput prefix 'B'
    stats data using ((($1 == 1 || $1 == 3) && $2 == l && swa(strcol(9))) ? ($5 < $6 ? $5 : $6) : NaN) every ::1 nooutput prefix 'L'
    ybot = L_min - 0.05 * (B_max - L_min + 1e-3)
    ytop = B_max + 0.5 * (B_max - L_min + 1e-3)
    # Which curves this panel has (the key lists only those), and whether any leaves the frame.
    do for [k=1:7] {
      stats data using (sel(k, l) ? 1 : 0) every ::1 nooutput prefix 'C'
      has[k] = C_sum > 0
    }
    # The losses the panel draws: training, and test for the BN network at SWA only.
    hi(dummy) = sel(7, l) && $6 > $5 ? $6 : $5
    lo(dummy) = sel(7, l) && $6 < $5 ? $6 : $5
    stats data using ($2 == l ? hi(0) : ytop) every ::1 nooutput prefix 'Y'
    above = Y_max > ytop
    stats data using ($2 == l ? lo(0) : ybot) every ::1 nooutput prefix 'Y'
    below = Y_min < ybot
    set yrange [ybot : ytop]
    set title word(laws, l).(l == 4 ? ' (filter-normalized, t in filter units)' : ' (unit norm)')
    set key top center font ',9' opaque
    if (above || below) {
      set label 7 (above && below ? 'curves leave the frame above and below' : above ? 'curves leave the frame above' : 'curves leave the frame below') at graph 0.02, graph 0.04 font ',8' tc rgb '#555555'
    } else {
      unset label 7
    }
    # The criterion's heights (widths are matched there), inside the frame.
    do for [h=1:6] {
      hv = real(word(heights, h))
      if (hv < ytop) {
        set arrow 10 + h from graph 0, first hv to graph 1, first hv nohead lc rgb '#cccccc' dt 3
        set label 10 + h sprintf('%g', hv) at graph 1, first hv offset 0.3, 0 font ',7' tc rgb '#999999'
      } else {
        unset arrow 10 + h; unset label 10 + h
      }
    }
    plot for [k=0:nd] data using ((sel(1, l) && $3 == k) ? $4 : NaN):5 every ::1 with lines ls 1 title (k == 0 && has[1] ? word(names, 1) : ''), \
         for [k=0:nd] data using ((sel(7, l) && $3 == k) ? $4 : NaN):6 every ::1 with lines ls 1 lw 1.2 dt 2 title (k == 0 && has[7] ? word(names, 7) : ''), \
         for [k=0:nd] data using ((sel(2, l) && $3 == k) ? $4 : NaN):5 every ::1 with lines ls 2 title (k == 0 && has[2] ? word(names, 2) : ''), \
         for [k=0:nd] data using ((sel(3, l) && $3 == k) ? $4 : NaN):5 every ::1 with lines ls 3 title (k == 0 && has[3] ? word(names, 3) : ''), \
         for [k=0:nd] data using ((sel(4, l) && $3 == k) ? $4 : NaN):5 every ::1 with lines ls 4 title (k == 0 && has[4] ? word(names, 4) : ''), \
         for [k=0:nd] data using ((sel(5, l) && $3 == k) ? $4 : NaN):5 every ::1 with lines ls 5 title (k == 0 && has[5] ? word(names, 5) : ''), \
         for [k=0:nd] data using ((sel(6, l) && $3 == k) ? $4 : NaN):5 every ::1 with lines lc rgb '#333333' lw 2 title (k == 0 && has[6] ? word(names, 6) : '')
  }
  unset label 7
  do for [h=1:6] { unset arrow 10 + h; unset label 10 + h }
)";

// The data: profiles_summary.csv (one row per profile, by column name). Slots per law: the
// networks at SWA, then (uniform01 only) the BN network's SGD centres; points spread by seed and
// direction so that equal values stay visible.
const char* kAsymmetry = R"(
  set datafile columnheaders
  set title 'Asymmetry of each profile: log_{10}(r_-/r_+), the detrended rises at the largest common distance (every seed and direction)'
  set xrange [0.45:4.75]
  set yrange [-3.4:4.9]  # room above +3 for the key
  set ytics -3, 1, 3
  set xtics ('uniform01' 1, 'gaussian' 2, 'sign' 3, 'filter' 4)
  set ylabel 'log_{10} rise ratio (> 0: flat side +)'
  set arrow 1 from 0.45, log10(3) to 4.75, log10(3) nohead ls 6
  set arrow 2 from 0.45, -log10(3) to 4.75, -log10(3) nohead ls 6
  set label 3 'asymmetric above: {/Symbol k} = 3' at 4.72, log10(3) right offset 0,0.6 font ',9'
  set label 4 'asymmetric below: 1/{/Symbol k}' at 4.72, -log10(3) right offset 0,-0.6 font ',9'
  set arrow 5 from 0.45, 3 to 4.75, 3 nohead lc rgb '#cccccc' dt 3
  set arrow 6 from 0.45, -3 to 4.75, -3 nohead lc rgb '#cccccc' dt 3
  lawx(l) = l eq 'uniform01' ? 1 : l eq 'gaussian' ? 2 : l eq 'sign' ? 3 : l eq 'filter' ? 4 : NaN
  jit(s, d) = (s - 2) * 0.03 + (d - 1) * 0.009
  # slot: 1 BN at SWA, 2 no BN, 3 gamma N(0, 0.1), 4 softplus, 5 BN at SGD (SWA run's last iterate), 6 BN plain SGD (decayed rate)
  slot(v, c) = c eq 'swa' ? (v eq 'bn' ? 1 : v eq 'nobn' ? 2 : v eq 'gamma' ? 3 : v eq 'softplus' ? 4 : NaN) : (v eq 'bn' ? 5 : v eq 'bn-sgd' ? 6 : NaN)
  xof(v, c, l, s, d) = lawx(l) + (slot(v, c) - 3.5) * 0.13 + jit(s, d)
  val(k) = (slot(strcol('variant'), strcol('checkpoint')) == k) ? column('signed_log10_ratio') : NaN
  xpos(dummy) = xof(strcol('variant'), strcol('checkpoint'), strcol('law'), column('seed'), column('direction'))
  names = "'BN at SWA' 'no BN at SWA' 'BN, {/Symbol g} init N(0, 0.1), at SWA' 'BN, softplus, at SWA' 'BN at its last constant-rate iterate (SGD)' 'BN, plain SGD, decayed rate (C10)'"
  array has[6]
  do for [k=1:6] {
    stats data using (val(k) == val(k) ? 1 : 0) nooutput prefix 'C'
    has[k] = C_sum > 0
  }
  stats data using ((xpos(0) == xpos(0) && abs(column('signed_log10_ratio')) >= 3) ? 1 : 0) nooutput prefix 'Q'
  ncens = int(Q_sum)
  set key top left font ',9' opaque box samplen 1
  plot for [k=1:6] data using (xpos(0)):(abs(val(k)) < 3 ? val(k) : NaN) with points ls k pt (k == 1 ? 7 : k == 2 ? 5 : k == 3 ? 9 : k == 4 ? 11 : k == 5 ? 6 : 4) ps 1.0 title (has[k] ? word(names, k) : ''), \
       data using (xpos(0)):(abs(column('signed_log10_ratio')) >= 3 ? column('signed_log10_ratio') : NaN) with points lc rgb 'black' pt 3 ps 1.6 title (ncens > 0 ? sprintf('censored (%d): one side has no detrended rise, drawn at {/Symbol \261}3', ncens) : ''), \
       for [k=1:6] data using (xpos(0)):(abs(val(k)) >= 3 ? val(k) : NaN) with points ls k pt (k == 1 ? 7 : k == 2 ? 5 : k == 3 ? 9 : k == 4 ? 11 : k == 5 ? 6 : 4) ps 1.0
  set datafile nocolumnheaders
  set ytics autofreq
)";

const char* kLine = R"(
  set multiplot layout 1,2 title 'The line w({/Symbol a}) = w_{SWA} + {/Symbol a} (w_{SGD} - w_{SWA}): {/Symbol a} = 0 SWA, 1 SGD (BN recomputed)'
  set xlabel '{/Symbol a}'
  set arrow 1 from 0, graph 0 to 0, graph 1 nohead ls 6
  set arrow 2 from 1, graph 0 to 1, graph 1 nohead ls 6
  set label 5 'SWA ' at 0, graph 0.04 right font ',9'
  set label 6 ' SGD' at 1, graph 0.04 left font ',9'
  set arrow 3 from -0.25, graph 0 to -0.25, graph 1 nohead lc rgb '#2ca02c' dt 3
  set label 8 'C14: {/Symbol a} = -0.25 ' at -0.25, graph 0.1 right font ',9' tc rgb '#2ca02c'
  set tmargin 4
  set key top center font ',10' opaque
  # Training and test on axes of their own: each is fitted to its curve, so that differences of
  # a few thousandths along a short line stay visible.
  set ytics nomirror tc rgb '#1f77b4'
  set y2tics tc rgb '#d62728'
  # Ticks a few millionths apart need more than the default 6 significant digits to differ.
  set format y '%.8g'; set format y2 '%.8g'
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
  unset label 5; unset label 6; unset label 8; unset arrow 3; unset y2tics; unset y2label
  set format y '% h'; set format y2 '% h'
  set ytics mirror tc rgb 'black'
  set ylabel tc rgb 'black'
  unset tmargin
)";

// A curve that falls below its centre by more than `dip` nats is drawn apart: its centre is not
// a minimum along that direction, so a rise ratio says nothing there.
const char* kLogistic2d = R"(
  set multiplot layout 1,2 title 'Logistic model sigmoid(wx + b): loss rise along U(0,1)^2 directions, one curve per seed'
  set xlabel 't (offset along the unit direction)'
  set ylabel 'loss rise (nats)'
  stats data using 1 every ::1 nooutput prefix 'S'
  s0 = int(S_min); s1 = int(S_max)
  dip = 0.05
  array low_min[s1 - s0 + 1]
  array low_avg[s1 - s0 + 1]
  do for [s=s0:s1] {
    # min(0, the curve's lowest rise); 0 where a seed has no curve (no minimizer)
    stats data using (($1 == s && $5 == $5) ? $5 : 0) every ::1 nooutput prefix 'M'
    low_min[s - s0 + 1] = M_min
    stats data using (($1 == s && $3 == $3) ? $3 : 0) every ::1 nooutput prefix 'M'
    low_avg[s - s0 + 1] = M_min
  }
  set key top center font ',10' opaque
  set arrow 1 from graph 0, first 0 to graph 1, first 0 nohead lc rgb '#999999' dt 2
  set title 'through the minimizer (C11; separable seeds have none)'
  plot for [s=s0:s1] data using 2:(($1 == s && $6 == 1 && low_min[s - s0 + 1] >= -dip) ? $5 : NaN) every ::1 with lines lc rgb '#1f77b4' lw 1 title (s == s0 ? 'asymmetric' : ''), \
       for [s=s0:s1] data using 2:(($1 == s && $6 == 0 && low_min[s - s0 + 1] >= -dip) ? $5 : NaN) every ::1 with lines lc rgb '#d62728' lw 1 title (s == s0 ? 'not asymmetric' : ''), \
       for [s=s0:s1] data using 2:(($1 == s && low_min[s - s0 + 1] < -dip) ? $5 : NaN) every ::1 with lines lc rgb '#aaaaaa' lw 1 title (s == s0 ? sprintf('falls > %g nats below the centre: not a minimum along d', dip) : '')
  set title 'through the average of 30 GD steps (the authors'' centre: not a minimum)'
  plot for [s=s0:s1] data using 2:(($1 == s && $4 == 1 && low_avg[s - s0 + 1] >= -dip) ? $3 : NaN) every ::1 with lines lc rgb '#1f77b4' lw 1 title (s == s0 ? 'asymmetric' : ''), \
       for [s=s0:s1] data using 2:(($1 == s && $4 == 0 && low_avg[s - s0 + 1] >= -dip) ? $3 : NaN) every ::1 with lines lc rgb '#d62728' lw 1 title (s == s0 ? 'not asymmetric' : ''), \
       for [s=s0:s1] data using 2:(($1 == s && low_avg[s - s0 + 1] < -dip) ? $3 : NaN) every ::1 with lines lc rgb '#aaaaaa' lw 1 title (s == s0 ? sprintf('falls > %g nats below the centre: not a minimum along d', dip) : '')
  unset arrow 1
  unset multiplot
)";

// kind: 1 random direction, 2 principal component; flat_side: 1 +, -1 -, 0 none. Rows without a
// prediction hold NaN there and are not drawn.
const char* kSwaBias = R"(
  set multiplot layout 1,2 title 'C18: the SWA average along each direction, measured (SWA-phase iterates) against the exact chain on the fitted profile'
  set title 'bias of the average from the profile''s minimum (iterate sd)'
  set xlabel 'predicted (exact chain)'
  set ylabel 'measured'
  set xzeroaxis lc rgb '#bbbbbb'
  set yzeroaxis lc rgb '#bbbbbb'
  # Where the measured bias has the predicted sign (the first count of C18).
  set object 1 rect from first 0, first 0 to graph 1, graph 1 fc rgb '#e3f0e3' fs solid 1.0 noborder behind
  set object 2 rect from graph 0, graph 0 to first 0, first 0 fc rgb '#e3f0e3' fs solid 1.0 noborder behind
  set key top left font ',10' opaque box
  plot data using ($2 == 1 ? $4 : NaN):3 every ::1 with points ls 1 pt 7 ps 1.1 title 'random directions', \
       data using ($2 == 2 ? $4 : NaN):3 every ::1 with points ls 2 pt 5 ps 1.2 title 'principal components', \
       x with lines ls 6 title 'measured = predicted', \
       keyentry with boxes fc rgb '#e3f0e3' fs solid 1.0 border lc rgb '#9fcf9f' title 'signs agree'
  unset object 1; unset object 2
  set title 'fraction of the iterates on the flat side of the minimum'
  set xrange [0:1]
  set yrange [0:1]
  set key at graph 0.98, graph 0.45 right font ',10' opaque box
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

void RenderRealnetsFigure(const std::filesystem::path& folder, const std::string& id) {
  RenderFigure(folder, id, [&](const std::string& stem) {
    return RealnetsGnuplotScript(id, id + ".csv", stem);
  });
}

}  // namespace valleys::plots
