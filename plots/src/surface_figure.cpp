// The 2-D loss surface figures (surface_figure.hpp).
#include "valleys/plots/surface_figure.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>

#include "script_parts.hpp"
#include "valleys/io/atomic_file.hpp"
#include "valleys/io/csv_field.hpp"
#include "valleys/plots/figures.hpp"

namespace valleys::plots {

namespace {

// The grid as gnuplot's datablock: one line "a,b,train,test" per point, a blank line after each
// value of a (splot's scan lines).
std::string Datablock(const std::string& csv_text) {
  std::size_t pos = 0;
  std::vector<std::string> fields;
  std::string why;
  if (!io::ReadCsvRecord(csv_text, &pos, &fields, &why))
    throw std::invalid_argument("surface CSV: " + why);
  const char* wanted[] = {"a", "b", "train_loss", "test_loss"};
  int column[4];
  for (int k = 0; k < 4; ++k) {
    const auto it = std::find(fields.begin(), fields.end(), wanted[k]);
    if (it == fields.end())
      throw std::invalid_argument(fmt::format("surface CSV: no column '{}'", wanted[k]));
    column[k] = static_cast<int>(it - fields.begin());
  }
  std::string block = "$grid << EOD\n";
  std::string last_a;
  std::size_t row_length = 0, in_row = 0;
  while (pos < csv_text.size()) {
    if (!io::ReadCsvRecord(csv_text, &pos, &fields, &why))
      throw std::invalid_argument("surface CSV: " + why);
    if (fields.size() == 1 && fields[0].empty()) continue;
    if (*std::max_element(column, column + 4) >= static_cast<int>(fields.size()))
      throw std::invalid_argument("surface CSV: a row with too few columns");
    if (!last_a.empty() && fields[column[0]] != last_a) {
      if (row_length == 0) row_length = in_row;
      if (in_row != row_length) throw std::invalid_argument("surface CSV: a ragged grid");
      block += "\n";
      in_row = 0;
    }
    last_a = fields[column[0]];
    ++in_row;
    block += fmt::format("{},{},{},{}\n", fields[column[0]], fields[column[1]], fields[column[2]],
                         fields[column[3]]);
  }
  if (row_length != 0 && in_row != row_length)
    throw std::invalid_argument("surface CSV: a ragged grid");
  return block + "EOD\n";
}

std::string Quoted(const std::string& title) {  // inside gnuplot's single quotes
  std::string q;
  for (const char c : title) q += c == '\'' ? std::string("''") : std::string(1, c);
  return q;
}

}  // namespace

std::string SurfaceGnuplotScript(const std::string& csv_text, const std::string& out_stem,
                                 const std::string& kind, const std::string& title,
                                 const std::optional<SurfaceMarkPoint>& mark, double max_loss) {
  if (kind != "contour" && kind != "3d")
    throw std::invalid_argument("SurfaceGnuplotScript: kind '" + kind + "' (allowed: contour, 3d)");
  std::string marks = "$marks << EOD\n0,0,centre\n";
  if (mark) marks += fmt::format("{:.17g},{:.17g},{}\n", mark->a, mark->b, mark->label);
  marks += "EOD\n";
  std::string body;
  if (kind == "contour") {
    body = fmt::format(R"(
  set multiplot layout 1,2 title '{title}' noenhanced
  set view map
  set size ratio -1
  set xlabel 'a (along d1)'
  set ylabel 'b (along d2)'
  set palette rgbformulae 33,13,10
  set contour base
  set cntrparam levels 12
  unset clabel
  set style increment default
  do for [panel = 1:2] {{
    set title (panel == 1 ? 'training loss (nats)' : 'test loss (nats)') enhanced
    col = panel == 1 ? 3 : 4
    splot $grid using 1:2:(column(col) < {max} ? column(col) : {max}) with pm3d nocontour, \
          $grid using 1:2:(column(col) < {max} ? column(col) : {max}) nosurface with lines lc rgb '#222222' lw 0.8, \
          $marks using 1:2:(0):3 nocontour with labels point pt 7 ps 1.2 lc rgb '#ffffff' offset 1,1 tc rgb '#ffffff'
  }}
)",
                       fmt::arg("title", Quoted(title)), fmt::arg("max", max_loss));
  } else {
    body = fmt::format(R"(
  set title '{title}' noenhanced
  set xlabel 'a (along d1)'
  set ylabel 'b (along d2)'
  set zlabel 'training loss (nats)' rotate parallel
  set view 55,35
  set palette rgbformulae 33,13,10
  set pm3d depthorder
  splot $grid using 1:2:($3 < {max} ? $3 : {max}) with pm3d, \
        $marks using 1:2:(0):3 with labels point pt 7 ps 1.2 offset 1,1
)",
                       fmt::arg("title", Quoted(title)), fmt::arg("max", max_loss));
  }
  return "# A 2-D loss surface: w(a, b) = w_centre + a d1 + b d2 (columns "
         "a,b,train_loss,test_loss)\n" +
         detail::Header(out_stem, "") + Datablock(csv_text) + marks +
         detail::BothTerminals(body, kind == "contour" ? "1500,700" : "1000,800",
                               kind == "contour" ? "9in,4.2in" : "6in,4.8in");
}

void RenderSurfaceFigures(const std::filesystem::path& folder, const std::string& stem,
                          const std::string& title, const std::optional<SurfaceMarkPoint>& mark) {
  const std::string csv = io::ReadFile(folder / (stem + ".csv"));
  for (const char* kind : {"contour", "3d"})
    RenderFigure(folder, stem + "_" + kind, [&](const std::string& out) {
      return SurfaceGnuplotScript(csv, out, kind, title, mark);
    });
}

}  // namespace valleys::plots
