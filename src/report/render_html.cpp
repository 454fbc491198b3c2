// The HTML form: one self-contained page (docs/report-html.md).
//
// Nothing is loaded from anywhere: CSS and the sorting script are inline, charts are SVG drawn
// in html_charts.cpp, and a Content-Security-Policy forbids every other source. Every string
// from the input (SQL, samples, sources, analyzer text) is escaped with html_text() /
// html_lines(); the CSP's per-page nonce is a second line of defence, so an injected <script>
// would not run even if an escape were ever missed.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <random>
#include <string>

#include "querylens/report/render.h"
#include "report/format_numbers.h"
#include "report/html.h"
#include "report/text_utf8.h"

namespace querylens::report {
namespace {

constexpr std::string_view kStyle = R"css(
:root{--fg:#1d2330;--muted:#5b6475;--line:#d9dde5;--bar:#3d7bd9;--err:#d64545;--bg:#fff;--code:#f4f6f9}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg);margin:0 auto;max-width:1200px;padding:16px 24px 48px}
h1{font-size:22px;margin:8px 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}h3{font-size:15px;margin:18px 0 6px}
.meta{color:var(--muted)}
dl.summary{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:8px;margin:12px 0}
dl.summary div{border:1px solid var(--line);border-radius:6px;padding:6px 10px}
dl.summary dt{color:var(--muted);font-size:12px}dl.summary dd{margin:0;font-size:17px;font-weight:600}
code,pre{font:12.5px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
pre{background:var(--code);border:1px solid var(--line);border-radius:6px;padding:8px 10px;white-space:pre-wrap;word-break:break-word;margin:6px 0}
table{border-collapse:collapse;width:100%;margin:8px 0}
th,td{border-bottom:1px solid var(--line);padding:5px 8px;text-align:right;vertical-align:top;white-space:nowrap}
th{background:#f7f8fa;position:sticky;top:0;white-space:nowrap}
th[data-sort]{cursor:pointer}th[aria-sort=ascending]::after{content:" ▲"}th[aria-sort=descending]::after{content:" ▼"}
td.sql,th.sql{text-align:left;white-space:normal}td.sql code{white-space:pre-wrap;word-break:break-word}
svg.chart{display:block;max-width:100%;height:auto;margin:6px 0}
svg .bar{fill:var(--bar)}svg .bar.error{fill:var(--err)}svg .axis{stroke:var(--fg)}svg .grid{stroke:var(--line)}
svg .tick,svg .label,svg .mark-label{font-size:11px;fill:var(--muted)}svg .label{fill:var(--fg)}
svg .mark{stroke:var(--err);stroke-dasharray:3 2}svg .line{fill:none;stroke:var(--bar);stroke-width:1.5;pointer-events:none}svg .dot{fill:var(--bar)}
svg a:hover .bar{fill:#2b5fae}
.empty{color:var(--muted);font-style:italic}
.finding{border:1px solid var(--line);border-left:5px solid var(--muted);border-radius:6px;padding:6px 14px;margin:12px 0}
.sev{display:inline-block;border-radius:4px;padding:0 6px;font-size:12px;font-weight:700;color:#fff;background:var(--muted)}
.finding.critical{border-left-color:#8b1a1a}.sev.critical{background:#8b1a1a}
.finding.high{border-left-color:var(--err)}.sev.high{background:var(--err)}
.finding.medium{border-left-color:#d98b1d}.sev.medium{background:#d98b1d}
.finding.low{border-left-color:#2f8fa8}.sev.low{background:#2f8fa8}
.detail{white-space:pre-wrap}
.shape{border-top:1px solid var(--line);padding-top:4px}
)css";

// Sorts every table.sortable by the clicked header; cells carry their sort key in data-v
// (numbers) so "1.2 s" sorts after "900 ms". Without script the table is in rank order.
constexpr std::string_view kScript = R"js(
(function () {
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var heads = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(heads, function (th, col) {
      th.setAttribute("data-sort", "");
      th.tabIndex = 0;
      function sort() {
        var asc = th.getAttribute("aria-sort") === "descending";
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        function key(row) {
          var cell = row.cells[col];
          var v = cell.getAttribute("data-v");
          return v !== null ? parseFloat(v) : cell.textContent.toLowerCase();
        }
        rows.sort(function (a, b) {
          var x = key(a), y = key(b);
          var c = typeof x === "number" ? x - y : (x < y ? -1 : x > y ? 1 : 0);
          return asc ? c : -c;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      }
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (e) {
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sort(); }
      });
    });
  });
})();
)js";

// A fresh nonce per page: input text cannot know it, so only our <script> may run.
std::string make_nonce() {
  std::random_device device;
  std::uniform_int_distribution<unsigned> hex(0, 15);
  std::string nonce;
  for (int i = 0; i < 32; ++i) nonce += "0123456789abcdef"[hex(device)];
  return nonce;
}

std::string plural(uint64_t n, std::string_view noun) {
  return fmt::format("{} {}{}", format_count(n), noun, n == 1 ? "" : "s");
}

void render_summary(const Report& report, std::string* out) {
  const Summary& s = report.summary;
  *out += "<h1>querylens report</h1>\n";
  *out += fmt::format("<p class=\"meta\">Generated {} by querylens {}", html_text(s.generated_at),
                      html_text(s.tool_version));
  if (!s.sources.empty()) {
    std::string list;
    for (const std::string& src : s.sources)
      list += (list.empty() ? "" : ", ") + ("<code>" + html_text(src) + "</code>");
    *out += " from " + list;
  }
  *out += "</p>\n";
  if (s.events == 0) *out += "<p><strong>No queries captured.</strong></p>\n";
  auto item = [&](std::string_view label, const std::string& value) {
    *out += fmt::format("<div><dt>{}</dt><dd>{}</dd></div>\n", label, html_escape(value));
  };
  *out += "<dl class=\"summary\">\n";
  item("Events", format_count(s.events));
  item("Query shapes", format_count(s.shapes));
  item("Total time", format_duration_ms(s.total_ms));
  item("Errors", format_count(s.errors));
  item("Findings", format_count(static_cast<uint64_t>(report.findings.size())));
  item("Skipped inputs", format_count(s.skipped_inputs));
  *out += "</dl>\n";
  if (std::string span = format_time_span(s.first_seen_us, s.last_seen_us); !span.empty()) {
    *out += "<p class=\"meta\">Time span: " + html_escape(span) + "</p>\n";
  }
}

// A table cell with its sort key; untimed values show "–" and sort below every timed one.
std::string num_cell(double sort_key, const std::string& shown) {
  return fmt::format("<td data-v=\"{}\">{}</td>", sort_key, html_escape(shown));
}

std::string time_cell(const QueryRow& row, double ms) {
  return row.timed_calls > 0 ? num_cell(ms, format_duration_ms(ms)) : num_cell(-1, "–");
}

void render_table(const Report& report, std::string* out) {
  *out += fmt::format("<h2 id=\"queries\">Top queries (by {})</h2>\n",
                      html_escape(ranked_by_label(report.summary.ranked_by)));
  if (report.queries.size() < report.summary.shapes) {
    *out += fmt::format("<p class=\"meta\">{} of {} shapes listed. Click a column to sort.</p>\n",
                        format_count(static_cast<uint64_t>(report.queries.size())),
                        format_count(report.summary.shapes));
  }
  *out +=
      "<table class=\"sortable\" id=\"top-queries\">\n<thead><tr><th>#</th><th>Calls</th>"
      "<th>Total</th><th>Mean</th><th>p50</th><th>p95</th><th>p99</th><th>Max</th>"
      "<th>Share</th><th>Rows</th><th>Errors</th><th "
      "class=\"sql\">Query</th></tr></thead>\n<tbody>\n";
  for (const QueryRow& row : report.queries) {
    *out +=
        "<tr>" + num_cell(row.rank, fmt::format("{}", row.rank)) +
        num_cell(static_cast<double>(row.calls), format_count(row.calls)) +
        time_cell(row, row.total_ms) + time_cell(row, row.mean_ms) + time_cell(row, row.p50_ms) +
        time_cell(row, row.p95_ms) + time_cell(row, row.p99_ms) + time_cell(row, row.max_ms) +
        (row.timed_calls > 0 ? num_cell(row.share, format_share(row.share)) : num_cell(-1, "–")) +
        num_cell(static_cast<double>(row.rows), format_count(row.rows)) +
        num_cell(static_cast<double>(row.errors), format_count(row.errors));
    *out += fmt::format("<td class=\"sql\"><a href=\"#q-{}\"><code>{}</code></a></td></tr>\n",
                        html_text(row.fingerprint),
                        html_text(truncate_to_width(one_line(row.query), 200)));
  }
  *out += "</tbody>\n</table>\n";
}

void render_shapes(const Report& report, std::string* out) {
  *out += "<h2 id=\"shapes\">Query shapes</h2>\n";
  for (const QueryRow& row : report.queries) {
    *out += fmt::format("<section class=\"shape\" id=\"q-{}\">\n<h3>#{} <code>{}</code></h3>\n",
                        html_text(row.fingerprint), row.rank, html_text(row.fingerprint));
    std::string stats = plural(row.calls, "call");
    if (row.timed_calls > 0) {
      stats += fmt::format(", total {}, mean {}, p50 {}, p95 {}, p99 {}, max {}",
                           format_duration_ms(row.total_ms), format_duration_ms(row.mean_ms),
                           format_duration_ms(row.p50_ms), format_duration_ms(row.p95_ms),
                           format_duration_ms(row.p99_ms), format_duration_ms(row.max_ms));
    }
    stats += ", " + plural(static_cast<uint64_t>(std::max<int64_t>(row.rows, 0)), "row") + ", " +
             plural(row.errors, "error");
    if (!row.parsed) stats += " (shaped by tokens: PostgreSQL's parser did not accept it)";
    *out += "<p>" + html_escape(stats) + "</p>\n";
    *out += "<pre class=\"sql\">" + html_lines(row.query) + "</pre>\n";
    if (!row.sample.empty() && row.sample != row.query) {
      *out += "<details><summary>Sample (slowest call)</summary><pre class=\"sql\">" +
              html_lines(row.sample) + "</pre></details>\n";
    }
    *out += latency_chart(row) + "</section>\n";
  }
}

void render_finding(const Finding& f, const std::map<std::string, int>& rank_of, std::string* out) {
  const std::string severity = html_text(to_string(f.severity));
  *out += fmt::format(
      "<div class=\"finding {0}\">\n<h3><span class=\"sev {0}\">{0}</span> {1} "
      "<code>{2}</code></h3>\n",
      severity, html_text(f.title), html_text(f.rule));
  if (!f.detail.empty()) *out += "<p class=\"detail\">" + html_lines(f.detail) + "</p>\n";
  std::string evidence;
  if (!f.fingerprints.empty()) {
    std::string list;
    for (const std::string& fp : f.fingerprints) {
      if (!list.empty()) list += ", ";
      auto it = rank_of.find(fp);
      list += it == rank_of.end() ? "<code>" + html_text(fp) + "</code>"
                                  : fmt::format("<a href=\"#q-{0}\"><code>{0}</code> (#{1})</a>",
                                                html_text(fp), it->second);
    }
    evidence += "<li>Queries: " + list + "</li>\n";
  }
  auto codes = [](const std::vector<std::string>& items) {
    std::string list;
    for (const std::string& item : items)
      list += (list.empty() ? "" : ", ") + ("<code>" + html_text(item) + "</code>");
    return list;
  };
  if (!f.tables.empty()) evidence += "<li>Tables: " + codes(f.tables) + "</li>\n";
  if (!f.plan_nodes.empty()) evidence += "<li>Plan: " + codes(f.plan_nodes) + "</li>\n";
  if (!evidence.empty()) *out += "<ul class=\"evidence\">\n" + evidence + "</ul>\n";
  if (!f.recommendation.empty()) {
    *out += "<p class=\"detail\"><strong>Recommendation:</strong> " + html_lines(f.recommendation) +
            "</p>\n";
  }
  if (!f.fix_sql.empty()) *out += "<pre class=\"fix\">" + html_lines(f.fix_sql) + "</pre>\n";
  *out += "</div>\n";
}

void render_plans(const Report& report, std::string* out) {
  *out += fmt::format("<h2 id=\"plans\">Plans ({})</h2>\n", report.plans.size());
  for (const PlanSection& s : report.plans) {
    *out += "<section class=\"shape\">\n<h3>";
    *out += s.fingerprint.empty()
                ? std::string("Statement")
                : fmt::format("<a href=\"#q-{0}\"><code>{0}</code></a>", html_text(s.fingerprint));
    *out += "</h3>\n<pre class=\"sql\">" + html_lines(s.sql) + "</pre>\n";
    if (!s.error.empty()) {
      *out += "<p class=\"detail\">Could not explain: " + html_text(s.error) + "</p>\n";
    } else {
      *out +=
          "<pre class=\"plan\">" + html_lines(render_plan_tree(s.plan, s.findings)) + "</pre>\n";
    }
    *out += "</section>\n";
  }
}

}  // namespace

std::string render_html(const Report& report) {
  const std::string nonce = make_nonce();
  std::string out = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
      "style-src 'unsafe-inline'; script-src 'nonce-{}'; img-src data:; base-uri 'none'; "
      "form-action 'none'\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<title>querylens report</title>\n<style>{}</style>\n</head>\n<body>\n",
      nonce, kStyle);
  render_summary(report, &out);

  out += "<h2 id=\"share\">Share of total time</h2>\n" + share_chart(report);
  out += "<h2 id=\"trend\">Per-minute trend</h2>\n" + timeline_charts(report.timeline);
  if (!report.queries.empty()) render_table(report, &out);

  out += fmt::format("<h2 id=\"findings\">Findings ({})</h2>\n", report.findings.size());
  if (report.findings.empty()) out += "<p class=\"empty\">No findings.</p>\n";
  std::map<std::string, int> rank_of;
  for (const QueryRow& row : report.queries) rank_of.emplace(row.fingerprint, row.rank);
  for (const Finding& f : report.findings) render_finding(f, rank_of, &out);

  if (!report.queries.empty()) render_shapes(report, &out);
  if (!report.plans.empty()) render_plans(report, &out);
  out += fmt::format("<script nonce=\"{}\">{}</script>\n</body>\n</html>\n", nonce, kScript);
  return out;
}

}  // namespace querylens::report
