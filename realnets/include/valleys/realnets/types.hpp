// The enumerated choices of the real-network layer, each with its name as the command line and
// the outputs write it: XToString gives the name, StringToX parses one (false for anything else,
// leaving the value unchanged), XNames lists the names ("a, b, c") for messages.
#pragma once

#include <string>

namespace valleys::realnets {

enum class Arch {
  kPreResNet,
  kVgg16,
  kWideResNet,
  kAirbench
};                                                            // preresnet | vgg16 | wrn | airbench
enum class BlockType { kBasic, kBottleneck };                 // basic | bottleneck
enum class Activation { kRelu, kSigmoid, kSoftplus, kGelu };  // relu | sigmoid | softplus | gelu
enum class BnInit { kOnes, kUniform01, kNormal01 };           // ones | uniform01 | normal01
// swa: the SWA recipe; sgd: its plain-SGD baseline; airbench: the fast recipe of the airbench
// network (a decayed phase, then a constant-rate averaged phase)
enum class Schedule { kSwa, kSgd, kAirbench };  // swa | sgd | airbench
enum class Device { kCpu, kCuda };              // cpu | cuda
enum class BnMode { kRecompute, kFrozen };      // recompute | frozen
// uniform01 | gaussian | sign | filter | ones | shifted-gaussian | sign-agreement | logit-scale
enum class DirectionLaw {
  kUniform01,
  kGaussian,
  kSign,
  kFilter,
  kOnes,
  kShiftedGaussian,
  kSignAgreement,
  kLogitScale,
  kHessianTop,    // a saved eigenvector of the Hessian (ProfileOptions::eigenvector_file)
  kHessianBottom  // one of its smallest eigenvalues' vectors
};
enum class ParameterMask { kAll, kExcludeBn, kOnlyBn };  // all | exclude-bn | only-bn
// CIFAR-10: the balanced 10k/2k subset, or the full 50k/10k
enum class Subset { kSmall, kFull };  // small | full

const char* ArchToString(Arch v);
const char* BlockTypeToString(BlockType v);
const char* ActivationToString(Activation v);
const char* BnInitToString(BnInit v);
const char* ScheduleToString(Schedule v);
const char* DeviceToString(Device v);
const char* BnModeToString(BnMode v);
const char* DirectionLawToString(DirectionLaw v);
const char* ParameterMaskToString(ParameterMask v);
const char* SubsetToString(Subset v);

bool StringToArch(const std::string& name, Arch* v);
bool StringToBlockType(const std::string& name, BlockType* v);
bool StringToActivation(const std::string& name, Activation* v);
bool StringToBnInit(const std::string& name, BnInit* v);
bool StringToSchedule(const std::string& name, Schedule* v);
bool StringToDevice(const std::string& name, Device* v);
bool StringToBnMode(const std::string& name, BnMode* v);
bool StringToDirectionLaw(const std::string& name, DirectionLaw* v);
bool StringToParameterMask(const std::string& name, ParameterMask* v);
bool StringToSubset(const std::string& name, Subset* v);

std::string ArchNames();
std::string BlockTypeNames();
std::string ActivationNames();
std::string BnInitNames();
std::string ScheduleNames();
std::string DeviceNames();
std::string BnModeNames();
std::string DirectionLawNames();
std::string ParameterMaskNames();
std::string SubsetNames();

// A law's code in the direction's random stream and the figure data: 1 uniform01 .. 10
// hessian-bottom, in the order of the enumerators.
inline int DirectionLawCode(DirectionLaw law) {
  return static_cast<int>(law) + 1;
}

}  // namespace valleys::realnets
