// The advisor's sequence: catalog → existing-index checks → candidates → what-if → selection.
#include "querylens/advise/advise.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "querylens/core/error.h"
#include "querylens/db/connection.h"
#include "querylens/db/database.h"
#include "querylens/db/url.h"

namespace querylens::advise {

std::unique_ptr<db::Connection> open_read_only(std::string_view url) {
  db::DatabaseUrl parsed = db::parse_database_url(url);
  const std::string shown = db::redact_url(url);
  db::require_existing_database(url);  // the db layer would create a missing file
  std::unique_ptr<db::Connection> conn = db::connect(parsed, {});
  if (parsed.backend == db::Backend::kSqlite) {
    conn->execute_script("PRAGMA query_only = ON");
  } else {
    conn->execute_script("SET default_transaction_read_only = on");
  }
  return conn;
}

namespace {

// idx_scan = 0 says nothing about a workload that has not run yet: an "unused" index the
// workload's own plans (with the recommendations) use is kept, with a note.
void keep_indexes_the_plans_use(const std::vector<WorkloadQuery>& workload,
                                const Selection& selection, CostCache& cache,
                                AdviseResult& result) {
  std::vector<const IndexDef*> chosen;
  for (const Recommendation& r : selection.chosen) chosen.push_back(&r.index);
  std::set<std::string> used;
  for (size_t q = 0; q < workload.size(); ++q) {
    if (!workload[q].plannable) continue;
    for (const std::string& name : cache.evaluate(q, workload[q], chosen).existing_used)
      used.insert(lower(name));
  }
  auto planned = [&](const std::string& rule, const std::string& index) {
    return rule == "unused-index" && used.count(lower(index)) > 0;
  };
  for (const DropSuggestion& d : result.drops) {
    if (planned(d.rule, d.index))
      result.notes.push_back(fmt::format(
          "{} has idx_scan = 0 but the workload's plans use it: not suggested for dropping",
          d.index));
  }
  std::erase_if(result.drops, [&](const DropSuggestion& d) { return planned(d.rule, d.index); });
  std::erase_if(result.findings, [&](const Finding& f) {
    return f.rule == "unused-index" && !f.fix_sql.empty() &&
           std::none_of(result.drops.begin(), result.drops.end(),
                        [&](const DropSuggestion& d) { return d.sql == f.fix_sql; });
  });
}

}  // namespace

AdviseResult advise(db::Connection& connection, std::vector<WorkloadQuery> workload,
                    const AdviseOptions& options) {
  AdviseResult result;
  result.engine =
      connection.backend() == db::Backend::kPostgres ? Engine::kPostgres : Engine::kSqlite;
  std::set<std::string> tables;
  for (const WorkloadQuery& q : workload) tables.insert(q.tables.begin(), q.tables.end());
  const Catalog catalog = read_catalog(connection, tables);
  ExistingReport existing = check_existing_indexes(catalog);
  result.drops = std::move(existing.drops);
  result.findings = std::move(existing.findings);
  std::unique_ptr<WhatIf> whatif;
  try {
    whatif = result.engine == Engine::kPostgres
                 ? make_postgres_whatif(connection, catalog)
                 : make_sqlite_whatif(connection, catalog, options.sqlite);
  } catch (const Error& e) {
    if (result.engine != Engine::kPostgres) throw;
    result.notes.push_back(e.message());  // HypoPG missing: how to install it
    result.candidates = generate_candidates(workload, catalog, options.candidates).size();
    result.workload = std::move(workload);
    return result;
  }
  // The engine's own reading of each query's columns, for covering variants: the statement
  // model names the columns of predicates and plain select-list items, not those inside
  // expressions (`avg(l_quantity)`).
  for (WorkloadQuery& q : workload) {
    if (q.plannable && !q.columns_read) q.columns_read = whatif->columns_read(q);
  }
  const std::vector<Candidate> candidates =
      generate_candidates(workload, catalog, options.candidates);
  result.candidates = candidates.size();
  result.cost_unit = whatif->cost_unit();
  CostCache cache(*whatif);
  const auto start = std::chrono::steady_clock::now();
  Selection selection = select_indexes(workload, candidates, catalog, cache, options.select);
  result.whatif_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  result.indexes = std::move(selection.chosen);
  result.cost_before = selection.cost_before;
  result.cost_after = selection.cost_after;
  keep_indexes_the_plans_use(workload, selection, cache, result);
  result.whatif_calls = cache.calls();
  result.cache_hits = cache.hits();
  for (std::string& n : selection.notes) result.notes.push_back(std::move(n));
  result.workload = std::move(workload);
  return result;
}

}  // namespace querylens::advise
