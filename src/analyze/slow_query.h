// slow-query: shapes whose p95 is above a threshold, or that take most of the total time.
#pragma once

#include "querylens/analyze/analyzer.h"

namespace querylens::analyze {

class SlowQueryAnalyzer : public Analyzer {
 public:
  std::string_view name() const override { return "slow-query"; }
  void analyze(const AnalysisInput& input, std::vector<Finding>& out) override;
};

}  // namespace querylens::analyze
