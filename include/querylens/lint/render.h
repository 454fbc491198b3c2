// Rendering lint results: text for a terminal, JSON (schema "querylens-lint/1"), SARIF 2.1.0
// (so code-scanning tools show findings inline).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "querylens/lint/lint.h"

namespace querylens::lint {

enum class LintFormat { kText, kJson, kSarif };
std::optional<LintFormat> parse_lint_format(std::string_view text);

std::string render_text(const LintResult& result);
std::string render_json(const LintResult& result);
std::string render_sarif(const LintResult& result);
std::string render(const LintResult& result, LintFormat format);

}  // namespace querylens::lint
