// The figure of a Hessian's eigenvalue density (`valleys realnets hessian --density`): the
// density on a log scale over the eigenvalue, as PyHessian draws it.
#pragma once

#include <filesystem>
#include <string>

namespace valleys::plots {

// The script reading `data_csv` (columns lambda,density) and writing `out_stem`.png/.pdf.
std::string HessianDensityGnuplotScript(const std::string& data_csv, const std::string& out_stem,
                                        const std::string& title);

// Renders folder/STEM.csv into folder (STEM.gp, STEM.png, STEM.pdf; as RenderFigure).
void RenderHessianDensityFigure(const std::filesystem::path& folder, const std::string& stem,
                                const std::string& title);

}  // namespace valleys::plots
