// libFuzzer target: arbitrary bytes through the three plan parsers and every plan check. Nothing
// may crash, hang or trip a sanitizer; what is not a plan must come back as Error(kInput).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "querylens/core/error.h"
#include "querylens/plan/checks.h"
#include "querylens/plan/parse.h"
#include "querylens/sql/statement_model.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  static const querylens::sql::StatementModel model =
      querylens::sql::build_statement_model("SELECT * FROM t WHERE a = 1 ORDER BY b");
  try {
    querylens::plan::Plan plan = querylens::plan::parse_postgres_plan(text);
    (void)querylens::plan::check_plan(plan, &model);
  } catch (const querylens::Error& e) {
    if (e.kind() != querylens::ErrorKind::kInput) __builtin_trap();
  }
  try {  // the same bytes as EXPLAIN text output (auto_explain log_format = text)
    (void)querylens::plan::postgres_text_plan_query_text(text);
    querylens::plan::Plan plan = querylens::plan::parse_postgres_text_plan(text);
    (void)querylens::plan::check_plan(plan, &model);
  } catch (const querylens::Error& e) {
    if (e.kind() != querylens::ErrorKind::kInput) __builtin_trap();
  }
  // SQLite rows: each input line is one plan line; the first byte of a line picks its parent.
  std::vector<querylens::plan::SqlitePlanRow> rows;
  int id = 0;
  size_t start = 0;
  while (start < text.size() && rows.size() < 200) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    ++id;
    int parent = line.empty() ? 0 : static_cast<unsigned char>(line[0]) % (id + 1);
    rows.push_back({id, parent, std::string(line.empty() ? line : line.substr(1))});
    start = end + 1;
  }
  querylens::plan::Plan plan = querylens::plan::parse_sqlite_plan(rows);
  (void)querylens::plan::check_plan(plan, &model);
  return 0;
}
