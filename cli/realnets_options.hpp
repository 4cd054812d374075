// Flags and output helpers shared by the LibTorch commands of valleys-realnets.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "output.hpp"
#include "valleys/realnets/experiment.hpp"

namespace valleys::cli {

// --data --set --train-size --test-size, the model flags, --seed --threads --device --out
// (required). `subset` receives the --set text; call FinishTrainOptions after parsing.
void AddTrainFlags(CLI::App& app, realnets::TrainOptions& o, std::string& subset);
// --bn-mode --eval-size --augmented-train-eval
void AddProbeFlags(CLI::App& app, realnets::ProbeOptions& o);

// Resolves --set and the data folder; throws io::InputError naming a bad value.
void FinishTrainOptions(realnets::TrainOptions& o, const std::string& subset);
// Refuses an empty --out and creates the folder, before any work (a command of valleys-realnets
// that writes into --out calls it first, so an unusable folder fails at once).
void PrepareOutDir(const std::string& out_dir);

// Model, data and run metadata of an output.
Json RunMeta(const std::string& command, const realnets::TrainOptions& o);
Json ProbeMeta(const std::string& command, const realnets::ProbeOptions& p);

// Writes DIR/STEM.csv and its sidecar DIR/STEM.csv.json, both atomically.
void WriteCsv(const std::string& dir, const std::string& stem, const std::string& csv,
              const Json& meta);

std::string CurveCsv(const realnets::ProbeCurve& c, const char* x_name);

// epochs.csv: the header line and one row.
extern const char* const kEpochCsvHeader;
std::string EpochCsvRow(const realnets::EpochRow& r);
// Metadata of training outputs (run metadata, schedule, epochs, rate).
Json TrainMeta(const realnets::TrainOptions& o);
// sgd_after_swa.csv and its metadata.
std::string SgdAfterSwaCsv(const realnets::SgdAfterSwaResult& r);
Json SgdAfterSwaMeta(const realnets::SgdAfterSwaOptions& o);
// Metadata of a profile: probe metadata plus checkpoint, law, direction, sign agreement.
Json ProfileMeta(const realnets::ProfileOptions& o, const realnets::ProfileResult& r);
Json ScoreJson(const realnets::ProfileScore& s);

}  // namespace valleys::cli
