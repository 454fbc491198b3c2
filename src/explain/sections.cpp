#include "querylens/explain/sections.h"

#include "querylens/core/error.h"
#include "querylens/db/connection.h"
#include "querylens/db/url.h"

namespace querylens::explain {

report::PlanSection explain_section(db::Connection& connection, std::string_view sql,
                                    const ExplainOptions& options, std::string fingerprint) {
  report::PlanSection s;
  s.fingerprint = std::move(fingerprint);
  s.sql = db::redact_secrets(sql);
  try {
    ExplainResult r = explain_statement(connection, sql, options);
    s.generic_plan = r.generic_plan;
    s.note = std::move(r.note);
    s.plan = std::move(r.plan);
    s.findings = std::move(r.findings);
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::kInternal) throw;
    s.error = db::redact_secrets(e.what());
    s.refused = e.kind() == ErrorKind::kUsage;
  }
  return s;
}

std::vector<report::PlanSection> explain_top_shapes(db::Connection& connection,
                                                    const std::vector<report::QueryRow>& rows,
                                                    size_t top, const ExplainOptions& options) {
  std::vector<report::PlanSection> out;
  for (const report::QueryRow& row : rows) {
    if (out.size() >= top) break;
    // A sample was redacted for the report when it set a password: then it equals nothing
    // worth running, and the normalized text is used.
    const std::string& sql = row.sample.empty() ? row.query : row.sample;
    // BEGIN, SET, DDL… take no plan: skip them rather than fill the report with refusals.
    if (!classify_statement(row.query, sql::build_statement_model(row.query)).explainable) {
      continue;
    }
    report::PlanSection s = explain_section(connection, sql, options, row.fingerprint);
    if (!s.error.empty() && sql != row.query) {
      // The sample may not run as-is (a truncated log line, say): try the shape's text.
      report::PlanSection retry = explain_section(connection, row.query, options, row.fingerprint);
      if (retry.error.empty()) s = std::move(retry);
    }
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<Finding> section_findings(const std::vector<report::PlanSection>& sections) {
  std::vector<Finding> out;
  for (const report::PlanSection& s : sections) {
    for (const plan::PlanFinding& f : s.findings) {
      Finding finding = f.finding;
      if (!s.fingerprint.empty()) finding.fingerprints.push_back(s.fingerprint);
      out.push_back(std::move(finding));
    }
  }
  return out;
}

}  // namespace querylens::explain
