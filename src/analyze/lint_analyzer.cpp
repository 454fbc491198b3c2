#include "analyze/lint_analyzer.h"

#include "querylens/lint/lint.h"
#include "querylens/sql/statement_model.h"

namespace querylens::analyze {

void LintAnalyzer::analyze(const AnalysisInput& input, std::vector<Finding>& out) {
  lint::LintOptions options;
  for (const stats::ShapeStats* s : input.digest.ranked(stats::RankBy::kTotal)) {
    if (!s->shape->parsed) continue;  // libpg_query could not read it: nothing precise to say
    // The sample keeps what the normalized text hides (a literal LIKE pattern, an OFFSET value).
    const std::string& sql = s->sample.empty() ? s->shape->normalized : s->sample;
    sql::StatementModel model = sql::build_statement_model(sql);
    if (!model.analyzed) continue;
    for (lint::StatementFinding& found : lint::lint_statement(sql, model, options)) {
      Finding f = std::move(found.finding);
      f.fingerprints.insert(f.fingerprints.begin(), s->shape->fingerprint_hex());
      out.push_back(std::move(f));
    }
  }
}

}  // namespace querylens::analyze
