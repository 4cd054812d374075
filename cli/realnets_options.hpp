// Flags and output helpers shared by the LibTorch commands of valleys-realnets.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "enum_option.hpp"
#include "output.hpp"
#include "valleys/realnets/outputs.hpp"

namespace valleys::cli {

// The names of the realnets enums, for AddEnumOption.
inline constexpr EnumNames<realnets::Arch> kArch{realnets::StringToArch, realnets::ArchToString,
                                                 realnets::ArchNames};
inline constexpr EnumNames<realnets::BlockType> kBlock{
    realnets::StringToBlockType, realnets::BlockTypeToString, realnets::BlockTypeNames};
inline constexpr EnumNames<realnets::Activation> kActivation{
    realnets::StringToActivation, realnets::ActivationToString, realnets::ActivationNames};
inline constexpr EnumNames<realnets::BnInit> kBnInit{
    realnets::StringToBnInit, realnets::BnInitToString, realnets::BnInitNames};
inline constexpr EnumNames<realnets::Schedule> kSchedule{
    realnets::StringToSchedule, realnets::ScheduleToString, realnets::ScheduleNames};
inline constexpr EnumNames<realnets::Device> kDevice{
    realnets::StringToDevice, realnets::DeviceToString, realnets::DeviceNames};
inline constexpr EnumNames<realnets::BnMode> kBnMode{
    realnets::StringToBnMode, realnets::BnModeToString, realnets::BnModeNames};
inline constexpr EnumNames<realnets::DirectionLaw> kDirectionLaw{
    realnets::StringToDirectionLaw, realnets::DirectionLawToString, realnets::DirectionLawNames};

// The flags of a command that are text until it runs: --set and --format.
struct RunFlags {
  std::string subset = "small";    // small | full
  Format format = Format::kTable;  // table | csv | json (the printed result)
};

// --data --set --train-size --test-size, the model flags, --seed --threads --device --out
// (required), --format. Call FinishTrainOptions after parsing.
void AddTrainFlags(CLI::App& app, realnets::TrainOptions& o, RunFlags& flags);
// --bn-mode --eval-size --augmented-train-eval
void AddProbeFlags(CLI::App& app, realnets::ProbeOptions& o);

// Resolves --set and the data folder; throws io::InputError naming a bad value.
void FinishTrainOptions(realnets::TrainOptions& o, const std::string& subset);
// Refuses an empty --out and creates the folder, before any work (a command of valleys-realnets
// that writes into --out calls it first, so an unusable folder fails at once).
void PrepareOutDir(const std::string& out_dir);

// The commands (realnets_runs.cpp): finish the options, run, write the files, print the result.
void RunTrain(realnets::TrainOptions& o, const RunFlags& flags);
void RunSgdAfterSwa(realnets::SgdAfterSwaOptions& o, const RunFlags& flags);
// `valleys realnets profile`: the fixed grid, or, with heights, the height search; the direction
// saved to save_direction when given.
struct ProfileCommand {
  realnets::ProfileOptions options;
  RunFlags flags;
  std::string law = "uniform01";  // a direction label (realnets::ParseDirectionLabel)
  bool exclude_bn = false, only_bn = false;
  std::string heights;  // "0.05,0.1,..." (empty: the fixed grid)
  realnets::HeightSearchOptions search;
  std::string save_direction;  // a path (empty: not saved)
};
void RunProfile(ProfileCommand& c);
void RunLine(realnets::LineOptions& o, const RunFlags& flags);
void RunHessian(realnets::HessianOptions& o, const RunFlags& flags);

}  // namespace valleys::cli
