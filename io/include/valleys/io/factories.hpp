// Builds theory objects from spec strings, with InputError messages that name the key and range.
#pragma once

#include <string>

#include "valleys/theory/profile.hpp"
#include "valleys/theory/symmetric_law.hpp"

namespace valleys::io {

// linear:p=,c= | quadratic:hplus=,hminus= | linex:b=,alpha= | rpcl:r=,p=,c=,l= | table:file=PATH
theory::ProfilePtr MakeProfile(const std::string& spec_text);

// uniform:a= | gaussian:sigma= | rademacher:a=
theory::SymmetricLaw MakeShift(const std::string& spec_text);

// gaussian:s= | uniform:s= | rademacher:s=  (s is the standard deviation)
struct NoiseSpec {
  theory::LawKind kind = theory::LawKind::kGaussian;
  double s = 1.0;
};
NoiseSpec MakeNoise(const std::string& spec_text);
std::string NoiseSpecText(const NoiseSpec& noise);

}  // namespace valleys::io
