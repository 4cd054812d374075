// --scale as the CLI reads it: a named claim scale, or an error that names the flag.
#pragma once

#include <string>

#include <fmt/format.h>

#include "valleys/claims/claims.hpp"
#include "valleys/io/spec.hpp"

namespace valleys::cli {

inline claims::ClaimScale ScaleFromFlag(const std::string& text) {
  claims::ClaimScale scale;
  if (!claims::StringToClaimScale(text, &scale))
    throw io::InputError(fmt::format("--scale = '{}' is not a scale (allowed: quick, full)", text));
  return scale;
}

}  // namespace valleys::cli
