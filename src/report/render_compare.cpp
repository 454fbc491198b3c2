// The forms of a Comparison (compare.h): text for a terminal or CI log, JSON for tools,
// Markdown for a pull-request comment. The worst news comes first in all three.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <string>

#include "querylens/report/compare.h"
#include "report/format_numbers.h"
#include "report/text_utf8.h"

namespace querylens::report {
namespace {

constexpr size_t kMaxSql = 120;  // characters of SQL per line; the JSON form has it all
constexpr Change kListed[] = {Change::kRegressed, Change::kImproved, Change::kNew, Change::kGone};

std::string pct(const ShapeDelta& d) {
  return d.change_pct ? fmt::format("{:+.1f}%", *d.change_pct) : std::string("n/a");
}

std::string signed_ms(double ms) { return (ms < 0 ? "-" : "+") + format_duration_ms(std::abs(ms)); }

std::string side_ms(const std::optional<ReportedShape>& s, double ReportedShape::*field) {
  if (!s) return "–";
  return s->timed ? format_duration_ms((*s).*field) : "-";
}

std::string arrow(const ShapeDelta& d, double ReportedShape::*field) {
  return side_ms(d.before, field) + " → " + side_ms(d.after, field);
}

std::string calls(const ShapeDelta& d) {
  auto side = [](const std::optional<ReportedShape>& s) {
    return s ? format_count(s->calls) : std::string("–");
  };
  return side(d.before) + " → " + side(d.after);
}

std::string heading(Change c) {
  std::string name(to_string(c));
  name[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(name[0])));
  return name;
}

std::string counts_line(const Comparison& c) {
  return fmt::format("{} regressed, {} improved, {} new, {} gone, {} unchanged",
                     c.count(Change::kRegressed), c.count(Change::kImproved), c.count(Change::kNew),
                     c.count(Change::kGone), c.count(Change::kUnchanged));
}

std::string criteria(const Comparison& c) {
  return fmt::format("{} latency, threshold {}% and {}", to_string(c.options.metric),
                     c.options.threshold_pct, format_duration_ms(c.options.min_change_ms));
}

std::string file_line(const ReportFile& f) {
  std::string line = fmt::format("{} ({} events, {} total", one_line(f.name),
                                 format_count(f.events), format_duration_ms(f.total_ms));
  if (!f.generated_at.empty()) line += ", generated " + one_line(f.generated_at);
  if (f.truncated())
    line += fmt::format("; lists {} of {} shapes", format_count(f.queries.size()),
                        format_count(f.shapes));
  return line + ")";
}

std::string truncation_note(const Comparison& c) {
  const bool any = c.before.truncated() || c.after.truncated();
  return any ? "A report lists only its top shapes: \"new\" and \"gone\" may only have entered or "
               "left "
               "that list. Write both reports with --top 0 to compare every shape."
             : "";
}

std::string render_text(const Comparison& c) {
  std::string out = "querylens compare — " + criteria(c) + "\n";
  out += "before: " + file_line(c.before) + "\n";
  out += "after:  " + file_line(c.after) + "\n";
  out += counts_line(c) + "\n";
  for (Change change : kListed) {
    if (c.count(change) == 0) continue;
    out += fmt::format("\n{} ({})\n", heading(change), c.count(change));
    for (const ShapeDelta& d : c.shapes) {
      if (d.change != change) continue;
      std::string head = "  ";
      if (d.change_ms) head += fmt::format("{} ({})  ", pct(d), signed_ms(*d.change_ms));
      out += head + truncate_to_width(one_line(d.query), kMaxSql) + "  [" +
             one_line(d.fingerprint) + "]\n";
      out += fmt::format("      calls {} · mean {} · p95 {} · p99 {}\n", calls(d),
                         arrow(d, &ReportedShape::mean_ms), arrow(d, &ReportedShape::p95_ms),
                         arrow(d, &ReportedShape::p99_ms));
    }
  }
  if (std::string note = truncation_note(c); !note.empty()) out += "\n" + note + "\n";
  return out;
}

// A Markdown code span holding `text` verbatim inside a table cell: the fence is longer than
// any backtick run in it, and '|' is escaped because GFM splits cells before code spans.
std::string md_code(std::string_view text) {
  std::string body;
  size_t run = 0, longest = 0;
  for (char c : text) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
    if (c == '|') body += '\\';
    body += c;
  }
  if (body.empty()) return "";
  const std::string fence(longest + 1, '`');
  return fence + " " + body + " " + fence;
}

std::string md_escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else if (c == '&')
      out += "&amp;";
    else {
      if (std::string_view("\\`*_[]|#~").find(c) != std::string_view::npos) out += '\\';
      out += c;
    }
  }
  return out;
}

std::string render_markdown(const Comparison& c) {
  std::string out = "# querylens compare\n\n";
  out += "- **Criteria:** " + md_escape(criteria(c)) + "\n";
  out += "- **Before:** " + md_escape(file_line(c.before)) + "\n";
  out += "- **After:** " + md_escape(file_line(c.after)) + "\n";
  out += "- **Result:** " + counts_line(c) + "\n";
  for (Change change : kListed) {
    if (c.count(change) == 0) continue;
    out += fmt::format("\n## {} ({})\n\n", heading(change), c.count(change));
    out += "| Change | Calls | Mean | p95 | p99 | Query |\n|--:|--:|--:|--:|--:|:--|\n";
    for (const ShapeDelta& d : c.shapes) {
      if (d.change != change) continue;
      out += fmt::format("| {} | {} | {} | {} | {} | {} |\n",
                         d.change_ms ? pct(d) + " (" + signed_ms(*d.change_ms) + ")" : "–",
                         calls(d), arrow(d, &ReportedShape::mean_ms),
                         arrow(d, &ReportedShape::p95_ms), arrow(d, &ReportedShape::p99_ms),
                         md_code(truncate_to_width(one_line(d.query), kMaxSql)));
    }
  }
  if (std::string note = truncation_note(c); !note.empty()) out += "\n> " + note + "\n";
  return out;
}

using Json = nlohmann::ordered_json;

Json ms_json(double ms) { return std::round(ms * 1e6) / 1e6; }

Json side_json(const std::optional<ReportedShape>& s) {
  if (!s) return nullptr;
  Json j;
  j["calls"] = s->calls;
  j["total_ms"] = s->timed ? ms_json(s->total_ms) : Json(nullptr);
  j["mean_ms"] = s->timed ? ms_json(s->mean_ms) : Json(nullptr);
  j["p95_ms"] = s->timed ? ms_json(s->p95_ms) : Json(nullptr);
  j["p99_ms"] = s->timed ? ms_json(s->p99_ms) : Json(nullptr);
  return j;
}

Json file_json(const ReportFile& f) {
  return {
      {"file", f.name},     {"generated_at", f.generated_at}, {"events", f.events},
      {"shapes", f.shapes}, {"listed", f.queries.size()},     {"total_ms", ms_json(f.total_ms)}};
}

std::string render_json(const Comparison& c) {
  Json j;
  j["schema_version"] = 1;
  j["kind"] = "querylens-compare";
  j["metric"] = std::string(to_string(c.options.metric));
  j["threshold_pct"] = c.options.threshold_pct;
  j["min_change_ms"] = c.options.min_change_ms;
  j["before"] = file_json(c.before);
  j["after"] = file_json(c.after);
  Json counts;
  for (Change change :
       {Change::kRegressed, Change::kImproved, Change::kNew, Change::kGone, Change::kUnchanged}) {
    counts[std::string(to_string(change))] = c.count(change);
  }
  j["counts"] = counts;
  j["shapes"] = Json::array();
  for (const ShapeDelta& d : c.shapes) {
    Json s;
    s["fingerprint"] = d.fingerprint;
    s["query"] = d.query;
    s["change"] = std::string(to_string(d.change));
    s["change_ms"] = d.change_ms ? ms_json(*d.change_ms) : Json(nullptr);
    s["change_pct"] = d.change_pct ? Json(std::round(*d.change_pct * 100) / 100) : Json(nullptr);
    s["before"] = side_json(d.before);
    s["after"] = side_json(d.after);
    j["shapes"].push_back(s);
  }
  return j.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace

std::string render_comparison(const Comparison& comparison, Format format) {
  switch (format) {
    case Format::kJson:
      return render_json(comparison);
    case Format::kMarkdown:
      return render_markdown(comparison);
    case Format::kText:
    case Format::kHtml:
      break;
  }
  return render_text(comparison);
}

}  // namespace querylens::report
