// Figures A-I as standalone gnuplot scripts over CSV data files. A script reads its data file and
// writes OUT.png (pngcairo) and OUT.pdf (pdfcairo); users restyle a figure by editing its .gp.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace valleys::plots {

struct FigureInfo {
  std::string id;  // "A".."I"
  std::string title;
  std::string columns;  // the data file's header (comma-separated), documented for users
};

const std::vector<FigureInfo>& Figures();
const FigureInfo& Figure(const std::string& id);  // throws std::invalid_argument for unknown ids

// The script for figure `id` reading `data_csv` and writing `out_stem`.png/.pdf. Paths are
// embedded as given (use paths relative to the script's folder for portable bundles).
std::string GnuplotScript(const std::string& id, const std::string& data_csv,
                          const std::string& out_stem);

// Runs gnuplot (started without a shell) on a script file, from `working_dir`. Throws
// std::runtime_error when gnuplot is missing or reports an error.
void RunGnuplot(const std::string& script_path, const std::string& working_dir);

// Writes folder/ID.gp, script(ID) (the script a user edits and reruns), and renders folder/ID.png
// and folder/ID.pdf atomically: gnuplot runs script(stem in a private temporary folder) in
// `folder`, and both images are renamed over the old ones (keeping their permission bits) only
// when gnuplot succeeded and each is a complete PNG or PDF; on failure the old figures are left as
// they were and the temporary folder is removed. Temporary folders of figure ID left by a killed
// process are removed first. Throws std::runtime_error as RunGnuplot, and when an image is
// missing, empty or cut short (a full disk).
void RenderFigure(const std::filesystem::path& folder, const std::string& id,
                  const std::function<std::string(const std::string& out_stem)>& script);

}  // namespace valleys::plots
