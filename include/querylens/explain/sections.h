// Explaining many statements for a report: each becomes a report::PlanSection, and a
// statement that cannot be explained carries its error instead of stopping the others.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "querylens/explain/explain.h"
#include "querylens/report/report.h"

namespace querylens::explain {

// explain_statement() into a section; Error(kUsage / kDatabase) becomes section.error.
report::PlanSection explain_section(db::Connection& connection, std::string_view sql,
                                    const ExplainOptions& options, std::string fingerprint = {});

// The first `top` ranked shapes of a report (its order: costliest first) that can be explained
// (statements such as BEGIN, SET or DDL are passed over). Each is explained
// from its slowest sample when there is one (real values: the plan the slow call got), else
// from its normalized text ($n parameters: a generic plan on PostgreSQL).
std::vector<report::PlanSection> explain_top_shapes(db::Connection& connection,
                                                    const std::vector<report::QueryRow>& rows,
                                                    size_t top, const ExplainOptions& options);

// Findings of every section, each tagged with its shape's fingerprint: for Report::findings.
std::vector<Finding> section_findings(const std::vector<report::PlanSection>& sections);

}  // namespace querylens::explain
