// The report of `valleys reproduce` as text: the header, the Theorem 1 and Theorem 2 tables, the
// C1-C9 and C19 verdicts with their criteria and example draws, the figure list and the
// real-network section.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "valleys/claims/claims.hpp"
#include "valleys/claims/theory_tables.hpp"

namespace valleys::claims {

// The figure (A-I) that shows a claim C1-C9 and C19, "" when none does; throws std::out_of_range
// for another id.
const char* ClaimFigure(const std::string& claim);

// What to read from figure A-I (one or two sentences, naming the claims it shows); "" for other
// ids.
const char* FigureCaption(const std::string& id);

struct FigureLink {
  std::string id, title;
};

struct ReproduceFacts {
  nlohmann::json meta;  // io::Metadata of the run
  std::string scale;    // ClaimScaleNames()
  std::uint64_t seed = 1;
  double wall_seconds = 0;
  std::vector<RiskRow> risk;
  std::vector<SgdRow> sgd;
  std::vector<ClaimResult> claims;
  std::vector<FigureLink> figures;
  std::string realnets_section;  // Markdown, links relative to the report's folder
};

std::string ReproduceReport(const ReproduceFacts& facts);

// A section written for its own folder (figure links "](figures/", file names in backticks),
// with every link rewritten to point into `subfolder` of the folder that includes it.
std::string RelinkSection(std::string markdown, const std::string& subfolder);

}  // namespace valleys::claims
