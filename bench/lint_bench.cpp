// Lint throughput on typical ORM statements: parse (libpg_query JSON) + statement model +
// every rule. Target: >= 50,000 statements/s on one core.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "querylens/lint/lint.h"
#include "querylens/sql/statement_model.h"

namespace {

const std::vector<std::string>& orm_statements() {
  static const std::vector<std::string> statements = {
      "SELECT users.id, users.email, users.name, users.created_at FROM users WHERE users.id = $1 "
      "LIMIT 1",
      "SELECT posts.id, posts.title, posts.body FROM posts WHERE posts.user_id = $1 ORDER BY "
      "posts.created_at DESC LIMIT 20 OFFSET 40",
      "INSERT INTO comments (post_id, user_id, body, created_at) VALUES ($1, $2, $3, $4) RETURNING "
      "id",
      "UPDATE users SET last_login = $1 WHERE id = $2",
      "SELECT p.id, p.title, u.name FROM posts p JOIN users u ON u.id = p.user_id WHERE "
      "p.published AND p.created_at > $1 ORDER BY p.created_at DESC LIMIT 50",
      "SELECT count(*) FROM comments WHERE post_id IN ($1, $2, $3, $4, $5)",
      "DELETE FROM sessions WHERE expires_at < $1",
      "SELECT id, name FROM tags WHERE id IN (SELECT tag_id FROM post_tags WHERE post_id = $1)",
  };
  return statements;
}

void BM_Lint_OrmStatement(benchmark::State& state) {
  const auto& statements = orm_statements();
  querylens::lint::LintOptions options;
  size_t i = 0, findings = 0;
  for (auto _ : state) {
    const std::string& sql = statements[i++ % statements.size()];
    querylens::sql::StatementModel model = querylens::sql::build_statement_model(sql);
    findings += querylens::lint::lint_statement(sql, model, options).size();
  }
  benchmark::DoNotOptimize(findings);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Lint_OrmStatement);

void BM_Lint_Script(benchmark::State& state) {
  std::string script;
  for (int k = 0; k < 25; ++k) {
    for (const std::string& s : orm_statements()) script += s + ";\n";
  }
  querylens::lint::LintOptions options;
  for (auto _ : state) {
    querylens::lint::LintResult result;
    querylens::lint::lint_script(script, "bench.sql", options, result);
    benchmark::DoNotOptimize(result.findings.size());
  }
  state.SetItemsProcessed(state.iterations() * 25 * static_cast<int64_t>(orm_statements().size()));
}
BENCHMARK(BM_Lint_Script);

}  // namespace
