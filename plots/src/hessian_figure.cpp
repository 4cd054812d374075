// The Hessian's eigenvalue density figure (hessian_figure.hpp).
#include "valleys/plots/hessian_figure.hpp"

#include <fmt/format.h>

#include "script_parts.hpp"
#include "valleys/plots/figures.hpp"

namespace valleys::plots {

std::string HessianDensityGnuplotScript(const std::string& data_csv, const std::string& out_stem,
                                        const std::string& title) {
  std::string quoted;  // the title inside gnuplot's single quotes
  for (const char c : title) quoted += c == '\'' ? std::string("''") : std::string(1, c);
  const std::string body = fmt::format(R"(
  set title '{}'
  set xlabel 'eigenvalue'
  set ylabel 'density (log scale)'
  set logscale y
  set format y '10^{{%L}}'
  set yrange [1e-8:*]
  set key off
  plot data using 1:($2 > 1e-8 ? $2 : 1e-8) every ::1 with lines ls 1 lw 1.5
)",
                                       quoted);
  return "# The eigenvalue density of the Hessian (stochastic Lanczos quadrature)\n"
         "# data columns: lambda,density\n" +
         detail::Header(out_stem, data_csv) +
         detail::BothTerminals(body, "1100,750", "6.5in,4.5in");
}

void RenderHessianDensityFigure(const std::filesystem::path& folder, const std::string& stem,
                                const std::string& title) {
  RenderFigure(folder, stem, [&](const std::string& out) {
    return HessianDensityGnuplotScript(stem + ".csv", out, title);
  });
}

}  // namespace valleys::plots
