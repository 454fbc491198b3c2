// Pieces of the HTML report (private to src/report): escaping and the inline SVG charts.
//
// Every string that may come from the input goes through html_text() or html_lines() before it
// reaches the page, including text inside SVG (<text>, <title>) and attribute values.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "querylens/report/report.h"

namespace querylens::report {

// & < > " ' as entities; nothing else changes. Safe in element content and quoted attributes.
std::string html_escape(std::string_view text);
// One line of input text (invalid UTF-8 and control characters made harmless), escaped.
std::string html_text(std::string_view text);
// Multi-line input text for a <pre>: lines kept, each sanitized and escaped.
std::string html_lines(std::string_view text);

// Each chart is one <svg> element, or a short <p class="empty"> when there is nothing to draw.
// The shape's latency distribution: bars on a log-scale x axis, with p50 and p95 marked.
std::string latency_chart(const QueryRow& row);
// Horizontal bars: each listed shape's share of the total time, and the rest.
std::string share_chart(const Report& report);
// Calls per minute (bars) and p95 per minute (a line): two charts, or "no timestamps".
std::string timeline_charts(const std::vector<MinuteRow>& timeline);

}  // namespace querylens::report
