// lint over the workload: every captured shape's statement goes through the lint rules
// (lint/lint.h), so `analyze` and `demo` report the anti-patterns of what actually ran, each
// finding tied to its shape's fingerprint.
#pragma once

#include "querylens/analyze/analyzer.h"

namespace querylens::analyze {

class LintAnalyzer : public Analyzer {
 public:
  std::string_view name() const override { return "lint"; }
  void analyze(const AnalysisInput& input, std::vector<Finding>& out) override;
};

}  // namespace querylens::analyze
