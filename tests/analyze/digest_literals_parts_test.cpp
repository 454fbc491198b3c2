// A PostgreSQL log read in parts (-j N) with literal tracking on: each part's digest compares
// the literals of its own calls and the merge gives what one reader of the whole log finds —
// a constant changed in one part only is not invariant, one kept in every part is.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "querylens/analyze/analysis.h"
#include "querylens/analyze/parted_analysis.h"
#include "querylens/capture/pglog.h"
#include "querylens/capture/pglog_parallel.h"
#include "querylens/sql/shape_registry.h"
#include "support/cli_run.h"
#include "support/test_env.h"

namespace querylens::analyze {
namespace {

// 200 entries; entry `odd_one` (if any) has is_published = 0.
std::string log_text(int odd_one) {
  std::string out;
  for (int i = 0; i < 200; ++i) {
    out += "2024-03-05 10:00:" + std::string(i % 60 < 10 ? "0" : "") + std::to_string(i % 60) +
           ".000 UTC [" + std::to_string(100 + i % 3) +
           "] app@shop LOG:  duration: 1.500 ms  statement: SELECT id FROM posts WHERE "
           "author_id = " +
           std::to_string(i) + " AND is_published = " + (i == odd_one ? "0" : "1") + " LIMIT 10\n";
  }
  return out;
}

// The shape's literal comparison after reading `text` in parts cut at `cuts`.
stats::LiteralInvariance read_in_parts(const std::string& text, std::vector<uint64_t> cuts) {
  testing::TempDir dir;
  testing::spit(dir.file("pg.log"), text);
  sql::ShapeRegistry shapes;
  AnalyzeOptions options;
  options.track_literals = true;
  Analysis analysis(shapes, options, /*run_analyzers=*/false);
  PartedAnalysis parted(analysis, shapes, options, false);
  Diagnostics diagnostics;
  capture::read_pg_log_parts(dir.file("pg.log"), capture::PgLogFormat::kStderr, "%m [%p] %q%u@%d ",
                             cuts, parted, diagnostics);
  report::ReportOptions report_options;
  report_options.top = 0;
  report::Report report = analysis.report(report_options);
  EXPECT_EQ(report.queries.size(), 1u);
  return report.queries.empty() ? stats::LiteralInvariance{} : report.queries[0].literals;
}

TEST(DigestLiteralsParts, MergedPartsAgreeWithOneReader) {
  const std::string same = log_text(-1);
  const std::string odd = log_text(150);  // in the last part
  for (const std::vector<uint64_t>& cuts :
       {std::vector<uint64_t>{}, std::vector<uint64_t>{same.size() / 3, 2 * same.size() / 3}}) {
    const stats::LiteralInvariance a = read_in_parts(same, cuts);
    EXPECT_EQ(a.calls, 200u) << cuts.size();
    EXPECT_FALSE(a.invariant(0));  // author_id
    EXPECT_TRUE(a.invariant(1)) << cuts.size();
    EXPECT_TRUE(a.invariant(2));  // LIMIT 10
    const stats::LiteralInvariance b = read_in_parts(odd, cuts);
    EXPECT_EQ(b.calls, 200u);
    EXPECT_FALSE(b.invariant(1)) << cuts.size();
    EXPECT_TRUE(b.invariant(2));
  }
}

}  // namespace
}  // namespace querylens::analyze
