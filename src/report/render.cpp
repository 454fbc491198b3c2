#include "querylens/report/render.h"

#include <algorithm>
#include <cctype>

namespace querylens::report {

std::optional<Format> parse_format(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower == "text") return Format::kText;
  if (lower == "json") return Format::kJson;
  if (lower == "md" || lower == "markdown") return Format::kMarkdown;
  if (lower == "html") return Format::kHtml;
  return std::nullopt;
}

std::string render(const Report& report, Format format, const TextOptions& text) {
  switch (format) {
    case Format::kText:
      return render_text(report, text);
    case Format::kJson:
      return render_json(report);
    case Format::kMarkdown:
      return render_markdown(report);
    case Format::kHtml:
      return render_html(report);
  }
  return render_text(report, text);
}

}  // namespace querylens::report
