// Renderers: one Report, three forms.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "querylens/report/report.h"

namespace querylens::report {

enum class Format { kText, kJson, kMarkdown };
// "text" / "json" / "md" (also "markdown"); nullopt when unknown.
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
std::string render(const Report& report, Format format, const TextOptions& text = {});

}  // namespace querylens::report
