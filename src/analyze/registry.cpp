#include <algorithm>

#include "analyze/lint_analyzer.h"
#include "analyze/n_plus_one.h"
#include "analyze/slow_query.h"
#include "querylens/analyze/analyzer.h"

namespace querylens::analyze {

std::vector<std::unique_ptr<Analyzer>> default_analyzers(const AnalyzeOptions& options) {
  std::vector<std::unique_ptr<Analyzer>> out;
  out.push_back(std::make_unique<NPlusOneAnalyzer>(options));
  out.push_back(std::make_unique<SlowQueryAnalyzer>());
  out.push_back(std::make_unique<LintAnalyzer>());
  return out;
}

void sort_findings(std::vector<Finding>& findings) {
  std::stable_sort(findings.begin(), findings.end(),
                   [](const Finding& a, const Finding& b) { return a.severity > b.severity; });
}

}  // namespace querylens::analyze
