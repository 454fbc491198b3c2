// libFuzzer target: arbitrary bytes through the script splitter, the statement model and
// every lint rule. Nothing may crash, hang or trip a sanitizer; rejected input must come back
// as "not analyzed".
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "querylens/lint/lint.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view script(reinterpret_cast<const char*>(data), size);
  querylens::lint::LintOptions options;
  querylens::lint::LintResult result;
  querylens::lint::lint_script(script, "fuzz.sql", options, result);
  // The model alone, on the whole input as one statement.
  querylens::sql::StatementModel model = querylens::sql::build_statement_model(script);
  (void)querylens::lint::lint_statement(script, model, options);
  return 0;
}
