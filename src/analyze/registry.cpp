#include <algorithm>

#include "analyze/slow_query.h"
#include "querylens/analyze/analyzer.h"

namespace querylens::analyze {

std::vector<std::unique_ptr<Analyzer>> default_analyzers() {
  std::vector<std::unique_ptr<Analyzer>> out;
  out.push_back(std::make_unique<SlowQueryAnalyzer>());
  return out;
}

std::vector<Finding> run_analyzers(const AnalysisInput& input) {
  std::vector<Finding> findings;
  for (auto& analyzer : default_analyzers()) analyzer->analyze(input, findings);
  std::stable_sort(findings.begin(), findings.end(),
                   [](const Finding& a, const Finding& b) { return a.severity > b.severity; });
  return findings;
}

}  // namespace querylens::analyze
