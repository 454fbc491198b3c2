// The terminal form: a summary line, an aligned table of the top query shapes, the findings.
#include <fmt/format.h>

#include <array>
#include <cctype>
#include <map>
#include <string>
#include <vector>

#include "querylens/report/render.h"
#include "report/format_numbers.h"
#include "report/text_utf8.h"

namespace querylens::report {
namespace {

constexpr size_t kMinQueryWidth = 20;
constexpr std::string_view kGap = "  ";

struct Style {
  bool color = false;
  std::string wrap(std::string_view text, std::string_view sgr) const {
    if (!color) return std::string(text);
    return fmt::format("\x1b[{}m{}\x1b[0m", sgr, text);
  }
};

std::string_view severity_sgr(Severity s) {
  switch (s) {
    case Severity::kCritical:
      return "1;31";
    case Severity::kHigh:
      return "31";
    case Severity::kMedium:
      return "33";
    case Severity::kLow:
      return "36";
  }
  return "0";
}

std::string upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string plural(uint64_t n, std::string_view noun) {
  return fmt::format("{} {}{}", format_count(n), noun, n == 1 ? "" : "s");
}

std::string time_or_dash(const QueryRow& row, double ms) {
  return row.timed_calls > 0 ? format_duration_ms(ms) : "-";
}

void render_summary(const Report& report, const Style& style, std::string* out) {
  const Summary& s = report.summary;
  std::string line = style.wrap(fmt::format("querylens {}", s.tool_version), "1") + " — ";
  if (s.events == 0) {
    line += "no queries captured";
  } else {
    line += fmt::format("{}, {}, {} total", plural(s.events, "event"), plural(s.shapes, "shape"),
                        format_duration_ms(s.total_ms));
    if (std::string span = format_time_span(s.first_seen_us, s.last_seen_us); !span.empty()) {
      line += ", " + span;
    }
    line += ", " + plural(s.errors, "error");
  }
  if (s.skipped_inputs > 0 || s.events > 0) {
    line += ", " + plural(s.skipped_inputs, "skipped input");
  }
  *out += line + "\n";
  if (!s.sources.empty()) {
    std::string sources;
    for (const std::string& src : s.sources)
      sources += (sources.empty() ? "" : ", ") + one_line(src);
    *out += "sources: " + sources + "\n";
  }
}

constexpr size_t kColumns = 10;
using Cells = std::array<std::string, kColumns>;
constexpr std::array<bool, kColumns> kRightAligned = {true, true, true, true, true,
                                                      true, true, true, true, false};

Cells row_cells(const QueryRow& row) {
  return {std::to_string(row.rank),
          format_count(row.calls),
          time_or_dash(row, row.total_ms),
          time_or_dash(row, row.mean_ms),
          time_or_dash(row, row.p95_ms),
          time_or_dash(row, row.p99_ms),
          row.timed_calls > 0 ? format_share(row.share) : "-",
          format_count(row.rows),
          format_count(row.errors),
          one_line(row.query)};
}

void render_table(const Report& report, const TextOptions& options, const Style& style,
                  std::string* out) {
  const Cells header = {"rank", "calls", "total", "mean", "p95",
                        "p99",  "share", "rows",  "err",  "query"};
  std::vector<Cells> rows;
  for (const QueryRow& row : report.queries) rows.push_back(row_cells(row));

  std::array<size_t, kColumns> widths{};
  for (size_t c = 0; c < kColumns; ++c) widths[c] = display_width(header[c]);
  for (const Cells& cells : rows) {
    for (size_t c = 0; c < kColumns; ++c) widths[c] = std::max(widths[c], display_width(cells[c]));
  }
  // The query column takes what the numbers leave of the terminal, and no less than a minimum.
  size_t fixed = 0;
  for (size_t c = 0; c + 1 < kColumns; ++c) fixed += widths[c] + kGap.size();
  const size_t available = options.width > fixed ? options.width - fixed : 0;
  widths.back() = std::min(widths.back(), std::max(available, kMinQueryWidth));

  auto line = [&](const Cells& cells) {
    std::string text;
    for (size_t c = 0; c < kColumns; ++c) {
      if (c > 0) text += kGap;
      const std::string cell = truncate_to_width(cells[c], widths[c]);
      text += kRightAligned[c] ? pad_left(cell, widths[c]) : pad_right(cell, widths[c]);
    }
    return text;
  };
  Cells rule;
  for (size_t c = 0; c < kColumns; ++c) {
    for (size_t i = 0; i < widths[c]; ++i) rule[c] += "─";
  }

  const Summary& s = report.summary;
  const std::string_view by = ranked_by_label(s.ranked_by);
  if (report.queries.size() < s.shapes) {
    *out += fmt::format("\nTop {} of {} query shapes by {}\n", format_count(report.queries.size()),
                        format_count(s.shapes), by);
  } else {
    *out += fmt::format("\n{} by {}\n", plural(report.queries.size(), "query shape"), by);
  }
  *out += style.wrap(line(header), "1") + "\n";
  *out += line(rule) + "\n";
  for (const Cells& cells : rows) *out += line(cells) + "\n";
}

void render_finding(const Finding& f, const std::map<std::string, int>& rank_of, const Style& style,
                    std::string* out) {
  const std::string tag = "[" + upper(to_string(f.severity)) + "]";
  *out += fmt::format("\n{} {}  {}\n", style.wrap(tag, severity_sgr(f.severity)), one_line(f.rule),
                      one_line(f.title));
  for (const std::string& line : sanitized_lines(f.detail)) *out += "  " + line + "\n";

  std::vector<std::string> evidence;
  if (!f.fingerprints.empty()) {
    std::string list;
    for (const std::string& fp : f.fingerprints) {
      if (!list.empty()) list += ", ";
      list += one_line(fp);
      if (auto it = rank_of.find(fp); it != rank_of.end())
        list += fmt::format(" (#{})", it->second);
    }
    evidence.push_back("queries: " + list);
  }
  auto join = [](std::string_view label, const std::vector<std::string>& items) {
    std::string text(label);
    for (size_t i = 0; i < items.size(); ++i) text += (i ? ", " : "") + one_line(items[i]);
    return text;
  };
  if (!f.tables.empty()) evidence.push_back(join("tables: ", f.tables));
  if (!f.plan_nodes.empty()) evidence.push_back(join("plan: ", f.plan_nodes));
  for (const std::string& e : evidence) *out += "  " + e + "\n";

  if (!f.recommendation.empty()) {
    const std::vector<std::string> lines = sanitized_lines(f.recommendation);
    for (size_t i = 0; i < lines.size(); ++i) {
      *out += (i == 0 ? "  → " : "    ") + lines[i] + "\n";
    }
  }
  if (!f.fix_sql.empty()) {
    *out += "  fix:\n";
    for (const std::string& line : sanitized_lines(f.fix_sql)) *out += "    " + line + "\n";
  }
}

}  // namespace

std::string render_text(const Report& report, const TextOptions& options) {
  const Style style{options.color};
  std::string out;
  render_summary(report, style, &out);
  if (!report.queries.empty()) render_table(report, options, style, &out);

  if (!report.findings.empty()) {
    std::map<std::string, int> rank_of;
    for (const QueryRow& row : report.queries) rank_of.emplace(row.fingerprint, row.rank);
    out += fmt::format("\n{}\n",
                       style.wrap(fmt::format("Findings ({})", report.findings.size()), "1"));
    for (const Finding& f : report.findings) render_finding(f, rank_of, style, &out);
  } else if (report.summary.events > 0) {
    out += "\nNo findings.\n";
  }
  if (!report.plans.empty()) {
    out += fmt::format("\n{}\n", style.wrap(fmt::format("Plans ({})", report.plans.size()), "1"));
    for (const PlanSection& s : report.plans) {
      out += fmt::format("\n{}  {}\n", s.fingerprint, truncate_to_width(one_line(s.sql), 200));
      std::string body = s.error.empty() ? render_plan_tree(s.plan, s.findings)
                                         : "   could not explain: " + s.error;
      for (const std::string& line : sanitized_lines(body)) out += line + "\n";
    }
  }
  return out;
}

}  // namespace querylens::report
