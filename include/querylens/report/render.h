// Renderers: one Report, four forms.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "querylens/report/report.h"

namespace querylens::report {

enum class Format { kText, kJson, kMarkdown, kHtml };
// "text" / "json" / "md" (also "markdown") / "html"; nullopt when unknown.
std::optional<Format> parse_format(std::string_view text);

struct TextOptions {
  size_t width = 100;  // terminal width: long SQL is truncated with "…" to fit
  bool color = false;
};

// An aligned table for a terminal: summary line, top queries, findings.
std::string render_text(const Report& report, const TextOptions& options = {});
// The documented JSON schema (docs/report-json.md), pretty-printed, ending with a newline.
std::string render_json(const Report& report);
// GitHub-flavoured Markdown: summary, a table of top queries, findings with fixes in ```sql.
std::string render_markdown(const Report& report);
// One self-contained HTML page (docs/report-html.md): inline CSS, inline SVG charts, a small
// inline script that sorts the query table (the page reads fine without it), no network use.
// Every string from the input is HTML-escaped; a Content-Security-Policy allows only that script.
std::string render_html(const Report& report);
std::string render(const Report& report, Format format, const TextOptions& text = {});

}  // namespace querylens::report
