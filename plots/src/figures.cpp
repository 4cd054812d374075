#include "valleys/plots/figures.hpp"

#include <cstdio>
#include <stdexcept>

#include <fmt/format.h>

#include "script_parts.hpp"

namespace valleys::plots {

const std::vector<FigureInfo>& Figures() {
  static const std::vector<FigureInfo> figures = {
      {"A", "Valley families, flat side shaded", "x,linear,quadratic,linex,rpcl,table"},
      {"B", "Expected test risk R(zeta): theory vs Monte Carlo",
       "panel,zeta,R_theory,R_mc,R_mc_se,zeta_star,window_lo,window_hi"},
      {"C", "Stationary law of SGD: simulation vs exact vs SDE",
       "panel,eta,x,sim_density,exact_density,sde_density"},
      {"D", "Bias of the SWA average vs learning rate", "valley,eta,exact,sde,sim,sim_se"},
      {"E", "Expected test risk of the SWA average, the last iterate and the minimizer",
       "eta,risk_avg,risk_avg_se,risk_last,risk_last_se,risk_min,risk_exact_mean"},
      {"F", "Transient from the minimizer: E[x_t] and E[w_T]",
       "t,exact_x,exact_avg,sim_x,sim_x_se,sim_avg,sim_avg_se"},
      {"G", "A 2-D valley: SGD path, running average, level sets", "kind,x,y,z"},
      {"H", "Minibatch model: training vs population risk",
       "x,train,population,w_hat,population_min"},
      {"I", "Momentum: bias of the SWA average vs beta (exact 2-D chain, folded rate, simulation)",
       "variant,beta,exact,folded,folded_sde,sim,sim_se"},
  };
  return figures;
}

const FigureInfo& Figure(const std::string& id) {
  for (const auto& f : Figures())
    if (f.id == id) return f;
  throw std::invalid_argument(
      fmt::format("figure '{}' does not exist (allowed: A, B, C, D, E, F, G, H, I)", id));
}

namespace detail {

std::string GnuplotString(const std::string& text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      out += fmt::format("\\{:03o}", c);  // gnuplot's octal escape: no raw control character
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

// Common header: both terminals, fonts readable at paper column width.
std::string Header(const std::string& out, const std::string& data) {
  return fmt::format(R"(# valleys figure script: edit freely; run with `gnuplot THIS.gp`.
data = {data}
out = {out}
set datafile separator ','
set key noautotitle
set grid lc rgb '#dddddd'
set border lw 1.2
set style line 1 lc rgb '#1f77b4' lw 2.5
set style line 2 lc rgb '#d62728' lw 2.5
set style line 3 lc rgb '#2ca02c' lw 2.5
set style line 4 lc rgb '#9467bd' lw 2.5
set style line 5 lc rgb '#ff7f0e' lw 2.5
set style line 6 lc rgb '#333333' lw 1.5 dt 2
)",
                     fmt::arg("data", GnuplotString(data)), fmt::arg("out", GnuplotString(out)));
}

// Renders `body` twice: PNG then PDF.
std::string BothTerminals(const std::string& body, const char* size_png, const char* size_pdf) {
  return fmt::format(R"(
do for [term in "png pdf"] {{
  if (term eq "png") {{ set terminal pngcairo size {png} font 'DejaVu Sans,12' enhanced; set output out.'.png' }}
  else {{ set terminal pdfcairo size {pdf} font 'DejaVu Sans,9' enhanced; set output out.'.pdf' }}
{body}
  unset multiplot
  set output
}}
)",
                     fmt::arg("png", size_png), fmt::arg("pdf", size_pdf), fmt::arg("body", body));
}

}  // namespace detail

namespace {

using detail::BothTerminals;
using detail::Header;

std::string BodyA() {
  return R"(
  set multiplot layout 2,3 title 'Valley families: loss {/Symbol f}(x) along a direction, minimum at x = 0; shaded: the flat side (x > 0)'
  set xlabel 'x (distance along u)'
  set ylabel '{/Symbol f}(x) (loss)'
  set xrange [-2:2]
  set offsets 0, 0, graph 0.05, 0
  names = 'linear quadratic linex rpcl table'
  titles = "'linear: p=1, c=5' 'quadratic: h_+=1, h_-=9' 'LINEX: b=1, {/Symbol a}=-1.5' '(r,p,c,l) = (2,1,5,0.3): flat floor on [-0.3, 0]' 'table: 9 samples, PCHIP'"
  set object 1 rect from 0, graph 0 to 2, graph 1 fc rgb '#dcefdc' fs solid 1.0 noborder behind
  do for [i=1:5] {
    set title word(titles, i)
    plot data using 1:(column(i+1)) every ::1 with lines ls i, \
         '+' using (0):(0) every ::0::0 with points pt 2 ps 1.5 lc rgb 'black'
  }
  unset object 1
  set title 'all five, overlaid'
  set key top right font ',9' opaque
  plot for [i=1:5] data using 1:(column(i+1)) every ::1 with lines ls i title word(names, i)
  unset key
  set offsets 0, 0, 0, 0
)";
}

std::string BodyB() {
  return R"(
  set multiplot layout 1,2 title 'Expected test risk R({/Symbol z}) = E {/Symbol f}({/Symbol z}+{/Symbol d}), quadratic valley h_+=1, h_-=9'
  set xlabel 'bias {/Symbol z} (toward the flat side > 0)'
  set ylabel 'R({/Symbol z}) (loss)'
  set autoscale xfix
  set offsets graph 0.03, graph 0.03, graph 0.45, 0
  do for [p in "uniform gaussian"] {
    set title (p eq 'uniform' ? 'uniform shift U[-1, 1]' : 'Gaussian shift N(0, 0.5^2)')
    stats data using (strcol(1) eq p ? $6 : NaN):(strcol(1) eq p ? $8 : NaN) every ::1 nooutput prefix 'S'
    zs = S_min_x; whi = S_min_y
    stats data using (strcol(1) eq p ? $5 : NaN) every ::1 nooutput prefix 'E'
    set object 2 rect from 0, graph 0 to whi, graph 1 fc rgb '#cfe8cf' fs solid 1.0 noborder behind
    set arrow 3 from zs, graph 0 to zs, graph 1 nohead ls 6
    set label 4 sprintf('{/Symbol z}* = %.3g', zs) at zs, graph 0.62 offset 0.5,0
    set key top right font ',10' opaque
    plot data using (strcol(1) eq p ? $2 : NaN):3 every ::1 with lines ls 1 title 'theory', \
         data using (strcol(1) eq p ? $2 : NaN):4:5 every ::1 with yerrorbars ls 2 pt 6 ps 0.8 title sprintf('Monte Carlo (1 se {/Symbol \243} %.2f, inside the markers)', E_max), \
         keyentry with boxes fc rgb '#cfe8cf' fs solid 1.0 border lc rgb '#7fbf7f' title sprintf('improving window [0, %.3g]: R < R(0)', whi)
    unset object 2; unset arrow 3; unset label 4
  }
  set autoscale x
  set offsets 0, 0, 0, 0
)";
}

std::string BodyC() {
  return R"(
  set multiplot layout 1,2 title 'Stationary law of SGD on the quadratic valley h_+=1, h_-=9, Gaussian noise s=1 (minimum at x = 0, flat side x > 0)'
  set xlabel 'x'
  set ylabel 'density'
  set key top right font ',10'
  do for [p in "small large"] {
    stats data using (strcol(1) eq p ? $2 : NaN) every ::1 nooutput prefix 'E'
    # The x range: where any of the three densities exceeds 0.2% of its peak.
    stats data using (strcol(1) eq p ? $5 : NaN) every ::1 nooutput prefix 'P'
    cut = 0.002 * P_max
    stats data using ((strcol(1) eq p && ($4 > cut || $5 > cut || $6 > cut)) ? $3 : NaN) every ::1 nooutput prefix 'X'
    set xrange [X_min : X_max]
    set arrow 1 from 0, graph 0 to 0, graph 1 nohead ls 6 lc rgb '#999999'
    set title sprintf('{/Symbol h} = %g', E_min)
    plot data using (strcol(1) eq p ? $3 : NaN):4 every ::1 with histeps ls 5 title 'simulation (histogram)', \
         data using (strcol(1) eq p ? $3 : NaN):5 every ::1 with lines ls 1 title 'exact (discrete chain)', \
         data using (strcol(1) eq p ? $3 : NaN):6 every ::1 with lines ls 6 title 'SDE limit exp(-2{/Symbol f}/({/Symbol h}s^2))'
    unset arrow 1
  }
  set xrange [*:*]
)";
}

std::string BodyI() {
  return R"(
  set multiplot layout 1,2 title 'Bias of the SWA average E[w] vs momentum (quadratic h_+=1, h_-=9, {/Symbol h}=0.02, Gaussian noise s=1)'
  set xlabel 'momentum {/Symbol b}'
  set ylabel 'E[w] (flat side > 0)'
  set key top left Left reverse font ',10' samplen 2
  set offsets graph 0.03, graph 0.03, graph 0.05, graph 0.05
  do for [v in "heavy-ball nesterov"] {
    set title (v eq 'nesterov' ? 'Nesterov' : 'heavy ball')
    plot data using (strcol(1) eq v ? $2 : NaN):3 every ::1 with lines ls 1 title 'exact (2-D chain)', \
         data using (strcol(1) eq v ? $2 : NaN):4 every ::1 with lines ls 6 title 'folded rate {/Symbol h}/(1-{/Symbol b}), exact', \
         data using (strcol(1) eq v ? $2 : NaN):5 every ::1 with lines ls 3 dt 2 title 'folded rate, SDE limit', \
         data using (strcol(1) eq v ? $2 : NaN):6:7 every ::1 with yerrorbars ls 2 pt 6 ps 0.8 title 'simulation'
  }
  set offsets 0, 0, 0, 0
  unset multiplot
)";
}

std::string BodyD() {
  return R"(
  set multiplot layout 1,2 title 'Bias of the SWA average E[w] vs learning rate (Gaussian noise s=1; flat side > 0)'
  set logscale xy
  set autoscale xfix
  set offsets graph 0.05, graph 0.05, 0, 0
  set xlabel 'learning rate {/Symbol h}'
  set ylabel 'E[w] (flat side > 0)'
  set key top left Left reverse font ',10' samplen 2
  set ytics ('0.001' 0.001, '0.002' 0.002, '0.005' 0.005, '0.01' 0.01, '0.02' 0.02, '0.05' 0.05, '0.1' 0.1, '0.2' 0.2, '0.5' 0.5, '1' 1, '2' 2, '5' 5)
  do for [v in "quadratic linear"] {
    set title (v eq 'quadratic' ? 'quadratic h_+=1, h_-=9' : 'linear p=1, c=5')
    set yrange [*:*]  # stats counts only what lies inside the current range
    stats data using (strcol(1) eq v ? $6 : NaN) every ::1 nooutput prefix 'E'
    # y: the data's decades, with room above for the key.
    stats data using (strcol(1) eq v ? ($3 < $4 ? $3 : $4) : NaN):(strcol(1) eq v ? ($3 > $4 ? $3 : $4) : NaN) every ::1 nooutput prefix 'Y'
    set yrange [Y_min_x / 1.3 : Y_max_y * 4]
    if (v eq 'linear') {
      set label 1 "the SDE limit is 5.3x too low at every {/Symbol h}:\non a linear valley the chain's steps ({/Symbol h}s)\nare as large as its spread, {/Symbol h}s^2/p" at graph 0.97, graph 0.2 right font ',9'
    } else {
      unset label 1
    }
    plot data using (strcol(1) eq v ? $2 : NaN):3 every ::1 with lines ls 1 title 'exact (discrete chain)', \
         data using (strcol(1) eq v ? $2 : NaN):4 every ::1 with lines ls 6 title 'SDE limit', \
         data using (strcol(1) eq v ? $2 : NaN):5:6 every ::1 with yerrorbars ls 2 pt 6 ps 0.8 title sprintf('simulation (se {/Symbol \243} %.0e: inside the markers)', E_max)
  }
  unset label 1
  unset logscale
  set ytics autofreq
  set autoscale x; set yrange [*:*]
  set offsets 0, 0, 0, 0
)";
}

std::string BodyE() {
  return R"(
  set title 'Excess test risk over the minimizer: linear valley p=1, c=2, shift U[-1,1], noise s=2'
  set logscale x
  set autoscale xfix
  set offsets graph 0.04, graph 0.04, 0, 0
  set xlabel 'learning rate {/Symbol h}'
  set ylabel 'R - R(0) (loss; < 0: better than the minimizer)'
  ytop = 0.6
  set yrange [-0.15:ytop]
  set key top left font ',10' opaque box
  clip(v) = v > ytop ? NaN : v
  over(v) = v > ytop ? ytop : NaN
  plot data using 1:(0):(($7-$6) < 0 ? ($7-$6) : 0) every ::1 with filledcurves lc rgb '#2ca02c' fs transparent solid 0.18 noborder title 'window: the exact average beats the minimizer', \
       0 with lines ls 6 title 'minimizer', \
       data using 1:(clip($7-$6)) every ::1 with lines ls 3 title 'R(exact stationary mean) - R(0)', \
       data using 1:(clip($2-$6)):3 every ::1 with yerrorlines ls 1 lw 1.5 pt 6 ps 1.4 title 'SWA average (simulation {/Symbol \261} 1 se)', \
       data using 1:(clip($4-$6)):5 every ::1 with yerrorlines ls 2 pt 5 ps 0.7 title 'last iterate (simulation)', \
       data using 1:(over($4-$6)) every ::1 with points ls 2 pt 9 ps 1.8 title 'last iterate above the frame', \
       data using 1:(over($2-$6)) every ::1 with points ls 1 pt 9 ps 0.9 title 'SWA average above the frame'
  unset logscale
  set autoscale x
  set offsets 0, 0, 0, 0
  set yrange [*:*]
)";
}

std::string BodyF() {
  return R"(
  set title 'Started at the minimizer (quadratic h_+=1, h_-=9, {/Symbol h}=0.05, s=1), iterate and average drift to the flat side'
  set logscale x
  set autoscale xfix
  set offsets graph 0.02, graph 0.04, graph 0.05, graph 0.05
  set xlabel 'step t (T for the average)'
  set ylabel 'mean position (flat side > 0)'
  stats data using 5 every ::1 nooutput prefix 'A'
  stats data using 7 every ::1 nooutput prefix 'B'
  se = A_max > B_max ? A_max : B_max
  stats data using 2 every ::1 nooutput prefix 'X'
  set arrow 1 from graph 0, first X_max to graph 1, first X_max nohead ls 6 lc rgb '#999999'
  set label 1 sprintf('stationary mean %.4f', X_max) at graph 0.02, first X_max offset 0,0.7 font ',9'
  set key bottom right font ',10' opaque
  plot data using 1:2 every ::1 with lines ls 1 title 'E[x_t] exact', \
       data using 1:3 every ::1 with lines ls 3 title 'E[w_T] exact', \
       data using 1:4:5 every ::1 with yerrorbars ls 2 pt 6 ps 1.0 title 'E[x_t] simulation', \
       data using 1:6:7 every ::1 with yerrorbars ls 4 pt 4 ps 1.0 title sprintf('E[w_T] simulation (1 se {/Symbol \243} %.1e: inside the markers)', se)
  unset arrow 1; unset label 1
  unset logscale
  set autoscale x
  set offsets 0, 0, 0, 0
)";
}

std::string BodyG() {
  return R"(
  set table $contours
  set contour base
  set cntrparam levels discrete 0.005, 0.02, 0.05, 0.1, 0.2
  unset surface
  set view map
  splot data skip 1 every :::0::100 using 2:3:4 with lines
  unset table
  unset contour
  set surface
  # The last point of the running average (its end marker).
  stats data skip 1 using ($1 == 2 ? (xe = $2, ye = $3, 0) : 0) nooutput
  # Two plots on the same square frame (the contour table is whitespace-separated, the data CSV);
  # the second carries the whole key.
  set multiplot title 'Rotated 2-D valley (h_+=1, h_-=9 along q_1; h=4 along q_2), {/Symbol h}=0.05, s=1: SGD and its running average'
  set lmargin at screen 0.08; set rmargin at screen 0.68; set bmargin at screen 0.1; set tmargin at screen 0.85
  set xrange [-0.35:0.4]
  set yrange [-0.25:0.5]
  set xlabel 'w_1'
  set ylabel 'w_2'
  set datafile separator whitespace
  plot $contours using 1:2 with lines lc rgb '#aaaaaa' lw 1, \
       $contours using 1:2:(sprintf('%g', $3)) every 37::10 with labels font ',8' tc rgb '#777777'
  set datafile separator ','
  set key at screen 0.99, 0.85 right top font ',10' samplen 2
  plot data skip 1 using ($1 == 1 ? $2 : NaN):3 with lines lc rgb '#9ecae1' lw 1 title 'SGD path (steps 4-2000, every 4th)', \
       data skip 1 using ($1 == 2 ? $2 : NaN):3 with lines ls 2 title 'running average (steps 20-20000)', \
       '+' using (xe):(ye) every ::0::0 with points ls 2 pt 7 ps 1.8 title 'the average after 20000 steps', \
       '+' using (0):(0) every ::0::0 with points pt 2 ps 2 lw 2 lc rgb 'black' title 'minimizer', \
       data skip 1 using ($1 == 3 ? $2 : NaN):3 with lines ls 3 lw 3 title 'flat side of q_1', \
       keyentry with lines lc rgb '#aaaaaa' lw 1 title 'level sets (loss, labelled)'
  # Zoom on the running average: a square frame around its range and the minimizer.
  stats data skip 1 using ($1 == 2 ? $2 : NaN):($1 == 2 ? $3 : NaN) nooutput prefix 'R'
  cx = (R_min_x + R_max_x) / 2; cy = (R_min_y + R_max_y) / 2
  hw = 0.6 * (R_max_x - R_min_x > R_max_y - R_min_y ? R_max_x - R_min_x : R_max_y - R_min_y)
  hw = hw > 1.15 * abs(cy) ? hw : 1.15 * abs(cy)
  hw = hw > 1.15 * abs(cx) ? hw : 1.15 * abs(cx)
  set lmargin at screen 0.76; set rmargin at screen 0.98; set bmargin at screen 0.15; set tmargin at screen 0.425
  set xrange [cx - hw : cx + hw]
  set yrange [cy - hw : cy + hw]
  set title 'zoom: the running average' font ',9'
  unset xlabel; unset ylabel
  set xtics font ',8' hw / 2; set ytics font ',8' hw / 2
  set format x '%.2f'; set format y '%.2f'
  unset key
  plot data skip 1 using ($1 == 2 ? $2 : NaN):3 with lines ls 2, \
       '+' using (xe):(ye) every ::0::0 with points ls 2 pt 7 ps 1.5, \
       '+' using (0):(0) every ::0::0 with points pt 2 ps 2 lw 2 lc rgb 'black', \
       data skip 1 using ($1 == 3 ? $2 : NaN):3 with lines ls 3 lw 3
  set xtics font '' autofreq; set ytics font '' autofreq
  set format x '% h'; set format y '% h'
  set title ''
  unset multiplot
  set lmargin; set rmargin; set bmargin; set tmargin
  set xrange [*:*]
  set yrange [*:*]
)";
}

std::string BodyH() {
  return R"(
  stats data using 4 every ::1::1 nooutput prefix 'W'
  stats data using 5 every ::1::1 nooutput prefix 'P'
  set multiplot
  set title sprintf('Minibatch model: n=50 samples z_i from N(0,1), quadratic h_+=1, h_-=9; emerging shift ŵ* - {/Symbol z}* = %.3f', W_min - P_min) font ',11'
  set xlabel 'x'
  set ylabel 'loss'
  set yrange [0:6]
  set key top right font ',10'
  set arrow 1 from W_min, graph 0 to W_min, graph 1 nohead ls 2 dt 2
  set arrow 2 from P_min, graph 0 to P_min, graph 1 nohead ls 1 dt 2
  set label 3 'training minimizer ŵ* ' at (W_min < P_min ? W_min : P_min), graph 0.62 right tc rgb '#d62728'
  set label 4 'population optimum {/Symbol z}* ' at (W_min < P_min ? W_min : P_min), graph 0.55 right tc rgb '#1f77b4'
  plot data using 1:3 every ::1 with lines ls 1 title 'population risk R(x) = E {/Symbol f}(x - z)', \
       data using 1:2 every ::1 with lines ls 2 title 'training loss (1/n) {/Symbol S} {/Symbol f}(x - z_i)'
  unset label 3; unset label 4
  # The zoom: the two minimizers, a shift too small to read at full scale.
  gap = abs(W_min - P_min) > 0.01 ? abs(W_min - P_min) : 0.01
  set origin 0.58, 0.40
  set size 0.38, 0.38
  set xrange [(W_min < P_min ? W_min : P_min) - 2*gap : (W_min > P_min ? W_min : P_min) + 2*gap]
  set yrange [*:*]
  set title 'zoom on the minimizers' font ',9'
  unset xlabel; unset ylabel
  set key off
  set xtics font ',8'; set ytics font ',8'
  set object 1 rectangle from graph 0, graph 0 to graph 1, graph 1 behind fc rgb 'white' fs solid 1.0
  plot data using 1:3 every ::1 with lines ls 1, data using 1:2 every ::1 with lines ls 2
  unset object 1; unset arrow 1; unset arrow 2
  set origin 0, 0
  set size 1, 1
  set xrange [*:*]
  set yrange [*:*]
  set xtics font ''; set ytics font ''
  set key
  unset multiplot
)";
}

}  // namespace

std::string GnuplotScript(const std::string& id, const std::string& data_csv,
                          const std::string& out_stem) {
  const FigureInfo& info = Figure(id);
  std::string body;
  const char* png = "1000,700";
  const char* pdf = "6in,4.2in";
  if (id == "A") body = BodyA(), png = "1100,700", pdf = "7in,4.5in";
  if (id == "B") body = BodyB(), png = "1100,500", pdf = "7in,3.2in";
  if (id == "C") body = BodyC(), png = "1100,500", pdf = "7in,3.2in";
  if (id == "D") body = BodyD(), png = "1100,500", pdf = "7in,3.2in";
  if (id == "E") body = BodyE();
  if (id == "F") body = BodyF();
  if (id == "G") body = BodyG(), png = "1000,800", pdf = "6in,4.8in";
  if (id == "H") body = BodyH();
  if (id == "I") body = BodyI(), png = "1100,500", pdf = "7in,3.2in";
  return fmt::format("# Figure {}: {}\n# data columns: {}\n", id, info.title, info.columns) +
         Header(out_stem, data_csv) + BothTerminals(body, png, pdf);
}

}  // namespace valleys::plots
