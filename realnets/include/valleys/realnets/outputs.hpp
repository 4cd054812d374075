// The files of the real-network commands: CSVs with JSON sidecars (written atomically), their
// headers and rows, and the metadata of every output (model, data, BN mode, direction law, seed,
// version). Shared by the command-line programs and the experiment driver.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "valleys/realnets/hessian_spectrum.hpp"
#include "valleys/realnets/probes.hpp"
#include "valleys/realnets/training.hpp"

namespace valleys::realnets {

using Json = nlohmann::ordered_json;

// Model, data and run metadata of an output.
Json RunMeta(const std::string& command, const TrainOptions& o);
Json ProbeMeta(const std::string& command, const ProbeOptions& p);
// The fields every profile's sidecar has (and a surface's, for its first direction): the probe,
// the checkpoint or TorchScript model, and the direction's law, index and masks.
Json ProfileDirectionMeta(const ProfileOptions& o, const std::string& checkpoint_sha256,
                          const std::string& description, long long parameters,
                          const std::string& command = "profile");

// Writes DIR/STEM.csv and its sidecar DIR/STEM.csv.json, both atomically.
void WriteCsv(const std::string& dir, const std::string& stem, const std::string& csv,
              const Json& meta);

std::string CurveCsv(const ProbeCurve& c, const char* x_name);

// epochs.csv: the header line and one row.
extern const char* const kEpochCsvHeader;
std::string EpochCsvRow(const EpochRow& r);
// Metadata of training outputs (run metadata, schedule, epochs, rate).
Json TrainMeta(const TrainOptions& o);
// sgd_after_swa.csv and its metadata.
std::string SgdAfterSwaCsv(const SgdAfterSwaResult& r);
Json SgdAfterSwaMeta(const SgdAfterSwaOptions& o);
// Metadata of a profile: probe metadata plus checkpoint, law, direction, sign agreement.
Json ProfileMeta(const ProfileOptions& o, const ProfileResult& r);
// The sidecar of a height-search profile: ProfileMeta's direction fields, the search's options
// and its evaluation count (no range or points).
Json HeightProfileMeta(const ProfileOptions& o, const HeightSearchOptions& search,
                       const HeightProfileResult& r);
// <stem>_heights.csv: a centre row (side 0) and one row per side and height; censored rows have
// empty losses.
inline constexpr const char* kHeightCsvHeader =
    "side,height,offset,t,rise,censored,train_loss,train_acc,test_loss,test_acc\n";
std::string HeightCsv(const HeightProfileResult& r);
// <stem>_search.csv: every offset the search evaluated, with its training loss.
std::string SearchTraceCsv(const HeightProfileResult& r);
Json ScoreJson(const ProfileScore& s);

// hessian_<checkpoint>.json: {"result": ..., "meta": ...}. The result holds `top_eigenvalue` only
// when the iteration converged; always the last Rayleigh quotient, the iterations, the cap, the
// tolerance, the last relative change and the summary line. The metadata: checkpoint and its
// SHA-256, sample size, BN state, parameter set and start vector.
Json HessianJson(const HessianOptions& o, const HessianResult& r);
// The result and metadata of `realnets hessian --top-k/--trace/--density`; `density_csv` names the
// density's file (empty without it).
Json HessianSpectrumJson(const HessianSpectrumOptions& o, const HessianSpectrumResult& r,
                         const std::string& density_csv);

// The result objects of the commands (the table `valleys realnets ...` prints and the JSON of
// docs/cli.md): train (losses of the last iterate and of SWA, rate), sgd-after-swa (the accepted
// epoch), profile on a grid (scores and asymmetry reports of both curves) or at heights (the width
// at each height, null where a side is censored; the ratio then null too), line (distance, slopes
// beyond its ends). `file` is the CSV that holds the curve.
Json TrainResultJson(const TrainSummary& s);
Json SgdAfterSwaResultJson(const SgdAfterSwaResult& r);
Json ProfileResultJson(const ProfileResult& r, const std::string& file);
Json HeightProfileResultJson(const HeightProfileResult& r, const std::string& file);
Json LineResultJson(const LineResult& r, const std::string& file);
// Metadata and file stem of a line: line_<from>_<to>_<bnmode>.
Json LineMeta(const LineOptions& o, const LineResult& r);
std::string LineStem(const LineOptions& o);

// File stem of a profile: profile_<checkpoint>_<law>_d<k>_<bnmode>[_nobn-dir | _bn-only-dir], the
// law with its parameter as -m<mean> (shifted-gaussian) or -r<agreement> (sign-agreement).
std::string ProfileStem(const ProfileOptions& o);

}  // namespace valleys::realnets
