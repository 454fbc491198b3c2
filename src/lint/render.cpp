#include "querylens/lint/render.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace querylens::lint {
namespace {

std::string_view sarif_level(Severity s) {
  return s >= Severity::kHigh ? "error" : s == Severity::kMedium ? "warning" : "note";
}

}  // namespace

std::optional<LintFormat> parse_lint_format(std::string_view text) {
  if (text == "text") return LintFormat::kText;
  if (text == "json") return LintFormat::kJson;
  if (text == "sarif") return LintFormat::kSarif;
  return std::nullopt;
}

std::string render_text(const LintResult& r) {
  std::string out;
  for (const LintFinding& f : r.findings) {
    out += fmt::format("{}:{}:{}: {} [{}] {}\n", f.file, f.line, f.column,
                       to_string(f.finding.severity), f.finding.rule, f.finding.title);
    if (!f.finding.recommendation.empty())
      out += fmt::format("    fix: {}\n", f.finding.recommendation);
    if (!f.finding.fix_sql.empty()) {
      out += "    rewrite:\n";
      size_t start = 0;
      std::string_view sql = f.finding.fix_sql;
      while (start <= sql.size()) {
        size_t nl = sql.find('\n', start);
        out += fmt::format(
            "      {}\n",
            sql.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start));
        if (nl == std::string_view::npos) break;
        start = nl + 1;
      }
    }
  }
  for (const NotAnalyzed& n : r.not_analyzed) {
    out += fmt::format("{}:{}:{}: note: statement {} not analyzed: {}\n", n.file, n.line, n.column,
                       n.statement, n.message);
  }
  for (const std::string& e : r.errors)
    out += fmt::format("{}: error: {}\n", e, "input could not be split past here");
  out += fmt::format("{} statement{}, {} finding{}, {} not analyzed\n", r.statements,
                     r.statements == 1 ? "" : "s", r.findings.size(),
                     r.findings.size() == 1 ? "" : "s", r.not_analyzed.size());
  return out;
}

std::string render_json(const LintResult& r) {
  nlohmann::ordered_json doc;
  doc["schema"] = "querylens-lint/1";
  doc["statements"] = r.statements;
  auto& findings = doc["findings"] = nlohmann::ordered_json::array();
  for (const LintFinding& f : r.findings) {
    nlohmann::ordered_json j;
    j["rule"] = f.finding.rule;
    j["severity"] = to_string(f.finding.severity);
    j["file"] = f.file;
    j["statement"] = f.statement;
    j["line"] = f.line;
    j["column"] = f.column;
    j["message"] = f.finding.title;
    j["recommendation"] = f.finding.recommendation;
    if (!f.finding.fix_sql.empty()) j["rewrite"] = f.finding.fix_sql;
    if (!f.finding.tables.empty()) j["tables"] = f.finding.tables;
    findings.push_back(std::move(j));
  }
  auto& skipped = doc["not_analyzed"] = nlohmann::ordered_json::array();
  for (const NotAnalyzed& n : r.not_analyzed) {
    skipped.push_back({{"file", n.file},
                       {"statement", n.statement},
                       {"line", n.line},
                       {"column", n.column},
                       {"message", n.message}});
  }
  doc["errors"] = r.errors;
  return doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string render_sarif(const LintResult& r) {
  using J = nlohmann::ordered_json;
  J rules_json = J::array();
  for (const RuleInfo& info : rules()) {
    rules_json.push_back({{"id", info.id},
                          {"shortDescription", {{"text", info.summary}}},
                          {"helpUri", fmt::format("docs/rules.md#{}", info.id)},
                          {"defaultConfiguration", {{"level", sarif_level(info.severity)}}}});
  }
  J results = J::array();
  for (const LintFinding& f : r.findings) {
    std::string text = f.finding.title + ". " + f.finding.recommendation;
    if (!f.finding.fix_sql.empty()) text += "\nRewrite:\n" + f.finding.fix_sql;
    results.push_back(
        {{"ruleId", f.finding.rule},
         {"level", sarif_level(f.finding.severity)},
         {"message", {{"text", text}}},
         {"locations",
          J::array({{{"physicalLocation",
                      {{"artifactLocation", {{"uri", f.file}}},
                       {"region", {{"startLine", f.line}, {"startColumn", f.column}}}}}}})},
         {"properties",
          {{"severity", to_string(f.finding.severity)}, {"statement", f.statement}}}});
  }
  J notes = J::array();
  for (const NotAnalyzed& n : r.not_analyzed) {
    notes.push_back(
        {{"level", "note"},
         {"message",
          {{"text", fmt::format("statement {} not analyzed: {}", n.statement, n.message)}}},
         {"locations",
          J::array({{{"physicalLocation",
                      {{"artifactLocation", {{"uri", n.file}}},
                       {"region", {{"startLine", n.line}, {"startColumn", n.column}}}}}}})}});
  }
  J run = {
      {"tool", {{"driver", {{"name", "querylens"}, {"version", "0.1.0"}, {"rules", rules_json}}}}},
      {"results", results},
      {"invocations", J::array({{{"executionSuccessful", r.errors.empty()},
                                 {"toolExecutionNotifications", notes}}})}};
  J doc = {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
           {"version", "2.1.0"},
           {"runs", J::array({run})}};
  return doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string render(const LintResult& result, LintFormat format) {
  switch (format) {
    case LintFormat::kText:
      return render_text(result);
    case LintFormat::kJson:
      return render_json(result);
    case LintFormat::kSarif:
      return render_sarif(result);
  }
  return render_text(result);
}

}  // namespace querylens::lint
