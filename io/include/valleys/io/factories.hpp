// Builds theory objects from spec strings, with InputError messages that name the key and range.
#pragma once

#include <string>

#include "valleys/theory/profile.hpp"
#include "valleys/theory/symmetric_law.hpp"

namespace valleys::io {

// linear:p=,c= | quadratic:hplus=,hminus= | linex:b=,alpha= | rpcl:r=,p=,c=,l= | table:file=PATH
// `what` names the input in messages ("profile", or the flag that carried it).
theory::ProfilePtr MakeProfile(const std::string& spec_text, const std::string& what = "profile");

// uniform:a= | gaussian:sigma= | rademacher:a=
theory::SymmetricLaw MakeShift(const std::string& spec_text, const std::string& what = "shift");

// gaussian:s= | uniform:s= | rademacher:s=  (s is the standard deviation)
// kind:s=S[,c=C]: standard deviation s, or s (1 + c |x|) at the position x (c >= 0; 0: the
// same everywhere).
struct NoiseSpec {
  theory::LawKind kind = theory::LawKind::kGaussian;
  double s = 1.0;
  double c = 0.0;
};
NoiseSpec MakeNoise(const std::string& spec_text, const std::string& what = "noise");
std::string NoiseSpecText(const NoiseSpec& noise);

}  // namespace valleys::io
