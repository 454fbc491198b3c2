// Analyzer — one capability that turns the digest (and, when given, the database) into
// Findings. `querylens analyze` runs every registered analyzer; later capabilities (N+1,
// lint, explain, advise, doctor) plug in here by adding themselves to default_analyzers().
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "querylens/core/finding.h"
#include "querylens/stats/digest.h"

namespace querylens::analyze {

struct AnalyzeOptions {
  // slow-query: a shape is slow when its p95 exceeds this...
  int64_t slow_p95_ns = 100'000'000;
  // ...or when it takes at least this share of all query time (and runs at least min_calls).
  double heavy_share = 0.5;
  uint64_t heavy_min_calls = 10;
};

struct AnalysisInput {
  const stats::Digest& digest;
  const AnalyzeOptions& options;
};

class Analyzer {
 public:
  virtual ~Analyzer() = default;
  virtual std::string_view name() const = 0;
  virtual void analyze(const AnalysisInput& input, std::vector<Finding>& out) = 0;
};

std::vector<std::unique_ptr<Analyzer>> default_analyzers();

// Runs every analyzer; findings come back ordered by severity (highest first).
std::vector<Finding> run_analyzers(const AnalysisInput& input);

}  // namespace querylens::analyze
