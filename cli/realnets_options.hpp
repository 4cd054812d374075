// Flags of the LibTorch commands of valleys-realnets and the steps from flags to options that
// they share.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "output.hpp"
#include "strict_option.hpp"
#include "valleys/realnets/commands.hpp"

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
inline constexpr EnumNames<realnets::Subset> kSubset{
    realnets::StringToSubset, realnets::SubsetToString, realnets::SubsetNames};

// --data --set --train-data --test-data --train-size --test-size, the model flags, --batch
// --bn-batches --seed --threads --device --out (required), --format.
void AddTrainFlags(CLI::App& app, realnets::TrainOptions& o, Format& format);
// --bn-mode --eval-size --augmented-train-eval
void AddProbeFlags(CLI::App& app, realnets::ProbeOptions& o);

// Whether the command line names the airbench network or schedule (--arch airbench, --schedule
// airbench, either with '='): its commands then start from realnets::AirbenchOptions().
bool AsksForAirbench(int argc, char** argv);

// `o` with its CIFAR-10 folder found as `valleys realnets data` finds it (unless both tensor
// files are given).
realnets::TrainOptions WithDataDir(realnets::TrainOptions o);

// `valleys realnets profile`: its flags beyond the run's, read into ProfileCommandOptions by
// ProfileCommandFromFlags (which throws io::InputError naming a bad flag).
struct ProfileFlags {
  realnets::ProfileCommandOptions run;
  Format format = Format::kTable;
  std::string law = "uniform01";  // a direction label (realnets::ParseDirectionLabel)
  bool exclude_bn = false, only_bn = false;
  std::string heights;  // "0.05,0.1,..." (empty: the fixed grid)
  realnets::HeightSearchOptions search;
};
void AddProfileFlags(CLI::App& app, ProfileFlags& flags);
realnets::ProfileCommandOptions ProfileCommandFromFlags(const ProfileFlags& flags);

// `valleys realnets surface`: its flags beyond the run's, read by SurfaceCommandFromFlags.
struct SurfaceFlags {
  realnets::SurfaceCommandOptions run;
  Format format = Format::kTable;
  std::string law = "filter";  // loss-landscape's default
  bool exclude_bn = false, only_bn = false;
  bool no_figures = false;
};
void AddSurfaceFlags(CLI::App& app, SurfaceFlags& flags);
realnets::SurfaceCommandOptions SurfaceCommandFromFlags(const SurfaceFlags& flags);
// The surface's contour and 3-D figures, titled by its checkpoint, law, indices and BN mode, with
// the mark of `out` (SurfaceCommand's result) where it has one.
void RenderSurfaceFiguresOf(const realnets::SurfaceOptions& o, const realnets::RunOutput& out);

}  // namespace valleys::cli
