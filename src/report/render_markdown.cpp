// The Markdown form (GitHub-flavoured): for pull-request comments and CI job summaries.
//
// Everything that comes from the input (SQL, sources, analyzer text quoting SQL or table
// names) is escaped: prose cannot open HTML tags (<script>) or emphasis, table cells cannot
// break the table, code spans and fences are always longer than any backtick run inside.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "querylens/report/render.h"
#include "report/format_numbers.h"
#include "report/text_utf8.h"

namespace querylens::report {
namespace {

constexpr size_t kMaxSqlInTable = 160;  // characters; the JSON form has the full text

// Markdown-significant punctuation gets a backslash; HTML-significant characters become entities.
std::string escape_prose(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '\\':
      case '`':
      case '*':
      case '_':
      case '[':
      case ']':
      case '|':
      case '#':
      case '~':
        out += '\\';
        out += c;
        break;
      default:
        out += c;
    }
  }
  return out;
}

size_t longest_backtick_run(std::string_view text) {
  size_t longest = 0, run = 0;
  for (char c : text) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  return longest;
}

// An inline code span holding `text` (one line) verbatim. In a table cell `|` must still be
// escaped: GFM splits cells before it parses code spans, and drops the backslash inside them.
std::string code_span(std::string_view text, bool in_table) {
  std::string body;
  for (char c : text) {
    if (in_table && c == '|') body += '\\';
    body += c;
  }
  if (body.empty()) return "";
  const std::string fence(longest_backtick_run(body) + 1, '`');
  // Spaces keep a leading or trailing backtick off the fence; one of each side is stripped.
  const bool pad = body.front() == '`' || body.back() == '`';
  return pad ? fence + " " + body + " " + fence : fence + body + fence;
}

std::string time_cell(const QueryRow& row, double ms) {
  return row.timed_calls > 0 ? format_duration_ms(ms) : "-";
}

void render_summary(const Report& report, std::string* out) {
  const Summary& s = report.summary;
  *out += "# querylens report\n\n";
  if (s.events == 0) *out += "**No queries captured.**\n\n";
  *out += fmt::format("- **Events:** {}\n", format_count(s.events));
  *out += fmt::format("- **Query shapes:** {}\n", format_count(s.shapes));
  *out += fmt::format("- **Total time:** {}\n", format_duration_ms(s.total_ms));
  if (std::string span = format_time_span(s.first_seen_us, s.last_seen_us); !span.empty()) {
    *out += "- **Time span:** " + span + "\n";
  }
  *out += fmt::format("- **Errors:** {}\n", format_count(s.errors));
  *out += fmt::format("- **Skipped inputs:** {}\n", format_count(s.skipped_inputs));
  if (!s.sources.empty()) {
    std::string list;
    for (const std::string& src : s.sources) {
      list += (list.empty() ? "" : ", ") + code_span(one_line(src), false);
    }
    *out += "- **Sources:** " + list + "\n";
  }
  *out += fmt::format("- **Generated:** {} by querylens {}\n", escape_prose(s.generated_at),
                      escape_prose(s.tool_version));
}

void render_queries(const Report& report, std::string* out) {
  *out += fmt::format("\n## Top queries (by {})\n\n", ranked_by_label(report.summary.ranked_by));
  *out += "| # | Calls | Total | Mean | p95 | p99 | Share | Rows | Errors | Query |\n";
  *out += "|--:|--:|--:|--:|--:|--:|--:|--:|--:|:--|\n";
  for (const QueryRow& row : report.queries) {
    const std::string sql = truncate_to_width(one_line(row.query), kMaxSqlInTable);
    *out += fmt::format(
        "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n", row.rank, format_count(row.calls),
        time_cell(row, row.total_ms), time_cell(row, row.mean_ms), time_cell(row, row.p95_ms),
        time_cell(row, row.p99_ms), row.timed_calls > 0 ? format_share(row.share) : "-",
        format_count(row.rows), format_count(row.errors), code_span(sql, true));
  }
}

std::string code_list(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += ", ";
    out += code_span(one_line(item), false);
  }
  return out;
}

std::string prose(std::string_view text) {
  std::string out;
  for (const std::string& line : sanitized_lines(text)) {
    // Appended in two steps: `const char* + std::string` trips g++ 12's false -Wrestrict.
    if (!out.empty()) out += '\n';
    out += escape_prose(line);
  }
  return out;
}

void render_finding(const Finding& f, size_t index, std::string* out) {
  std::string severity(to_string(f.severity));
  std::transform(severity.begin(), severity.end(), severity.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  *out += fmt::format("\n### {}. {} {}\n\n", index, escape_prose("[" + severity + "]"),
                      escape_prose(one_line(f.title)));
  *out += fmt::format("- **Rule:** {}\n", code_span(one_line(f.rule), false));
  *out += fmt::format("- **Severity:** {}\n", severity);
  if (!f.fingerprints.empty()) *out += "- **Queries:** " + code_list(f.fingerprints) + "\n";
  if (!f.tables.empty()) *out += "- **Tables:** " + code_list(f.tables) + "\n";
  if (!f.plan_nodes.empty()) *out += "- **Plan:** " + code_list(f.plan_nodes) + "\n";
  if (!f.detail.empty()) *out += fmt::format("\n{}\n", prose(f.detail));
  if (!f.recommendation.empty())
    *out += fmt::format("\n**Recommendation:** {}\n", prose(f.recommendation));
  if (!f.fix_sql.empty()) {
    std::string body;
    for (const std::string& line : sanitized_lines(f.fix_sql)) body += line + "\n";
    const std::string fence(std::max<size_t>(3, longest_backtick_run(body) + 1), '`');
    *out += "\n" + fence + "sql\n" + body + fence + "\n";
  }
}

// The costliest shapes' plans: the tree in a fenced block (the text renderer's), then which
// findings sit on it (they are listed in full under Findings).
void render_plans(const Report& report, std::string* out) {
  *out += fmt::format("\n## Plans ({})\n", report.plans.size());
  for (const PlanSection& s : report.plans) {
    *out += fmt::format("\n### {}\n\n", s.fingerprint.empty() ? std::string("Statement")
                                                              : code_span(s.fingerprint, false));
    *out +=
        code_span(one_line(s.sql.size() > 300 ? s.sql.substr(0, 300) + " …" : s.sql), false) + "\n";
    if (!s.error.empty()) {
      *out += fmt::format("\nCould not explain: {}\n", prose(s.error));
      continue;
    }
    std::string body;
    for (const std::string& line : sanitized_lines(render_plan_tree(s.plan, s.findings)))
      body += line + "\n";
    const std::string fence(std::max<size_t>(3, longest_backtick_run(body) + 1), '`');
    *out += "\n" + fence + "text\n" + body + fence + "\n";
    if (!s.findings.empty()) {
      std::vector<std::string> rules;
      for (const plan::PlanFinding& f : s.findings) rules.push_back(f.finding.rule);
      *out += "\nPlan findings: " + code_list(rules) + "\n";
    }
  }
}

}  // namespace

std::string render_markdown(const Report& report) {
  std::string out;
  render_summary(report, &out);
  if (!report.queries.empty()) render_queries(report, &out);
  if (!report.findings.empty()) {
    out += fmt::format("\n## Findings ({})\n", report.findings.size());
    for (size_t i = 0; i < report.findings.size(); ++i) {
      render_finding(report.findings[i], i + 1, &out);
    }
  } else if (report.summary.events > 0) {
    out += "\n## Findings\n\nNo findings.\n";
  }
  if (!report.plans.empty()) render_plans(report, &out);
  return out;
}

}  // namespace querylens::report
