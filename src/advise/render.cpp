// The advisor's outputs: text for a terminal, JSON, and a maintenance script.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "querylens/advise/advise.h"
#include "querylens/sql/quote.h"

namespace querylens::advise {
namespace {

std::string size_text(int64_t bytes) {
  const double b = static_cast<double>(bytes);
  if (bytes >= (int64_t{1} << 30)) return fmt::format("{:.1f} GiB", b / (1 << 30));
  if (bytes >= (1 << 20)) return fmt::format("{:.1f} MiB", b / (1 << 20));
  if (bytes >= (1 << 10)) return fmt::format("{:.0f} KiB", b / (1 << 10));
  return fmt::format("{} B", bytes);
}

std::string cost_text(double cost) {
  if (cost >= 1e6) return fmt::format("{:.3g}", cost);
  return fmt::format("{:.1f}", cost);
}

std::string ms_text(double ms) {
  if (ms >= 100) return fmt::format("{:.0f}", ms);
  if (ms >= 1) return fmt::format("{:.2f}", ms);
  return fmt::format("{:.3f}", ms);
}

std::string one_line(const std::string& sql, size_t width) {
  std::string out;
  for (char c : sql) {
    if (c == '\n' || c == '\t' || c == '\r') c = ' ';
    if (c == ' ' && !out.empty() && out.back() == ' ') continue;
    out += c;
  }
  if (out.size() > width) out = out.substr(0, width - 3) + "...";
  return out;
}

std::string engine_name(Engine e) { return e == Engine::kPostgres ? "postgresql" : "sqlite"; }

std::string table_name(const IndexDef& d) {
  return d.schema.empty() ? d.table : d.schema + "." + d.table;
}

}  // namespace

std::string render_text(const AdviseResult& r) {
  std::string out;
  out += fmt::format(
      "querylens advise — {} shapes, {} candidate indexes, {} what-if calls "
      "({} answered from cache, {:.0f} ms)\n",
      r.workload.size(), r.candidates, r.whatif_calls, r.cache_hits, r.whatif_ms);
  if (r.cost_before > 0) {
    out += fmt::format("workload cost ({}, calls × cost): {} → {} ({:.0f}% less)\n", r.cost_unit,
                       cost_text(r.cost_before), cost_text(r.cost_after),
                       100.0 * (r.cost_before - r.cost_after) / r.cost_before);
  }
  if (r.verification.ran)
    out += fmt::format("measured on {} (median of {} runs, before → after the indexes):\n",
                       r.verification.target, r.verification.runs);
  out += "\n";
  if (r.cost_unit.empty()) {
    // The what-if never ran (HypoPG missing): say so before anything else.
    out += "No index could be costed: the what-if planning did not run (see the note below).\n";
  } else if (r.indexes.empty()) {
    out += "No new index is worth its cost for this workload.\n";
  }
  for (size_t i = 0; i < r.indexes.size(); ++i) {
    const Recommendation& x = r.indexes[i];
    out += fmt::format("{}. {}\n", i + 1, create_index_sql(x.index, r.engine));
    out += fmt::format("   table {}: {}; size ~{}; {:.0f}% of the total gain\n",
                       table_name(x.index), x.reason, size_text(x.size_bytes), 100 * x.share);
    if (x.writes > 0)
      out += fmt::format("   write overhead: ~{:.0f} rows written × one more index = {}\n",
                         x.writes, cost_text(x.write_overhead));
    for (const QueryEffect& e : x.queries) {
      const WorkloadQuery& q = r.workload[e.query];
      out += fmt::format("   {:>8} calls  cost {} → {}  {}\n", q.calls, cost_text(e.cost_before),
                         cost_text(e.cost_after), one_line(q.sql, 70));
    }
    if (r.verification.ran && i < r.verification.indexes.size()) {
      for (const QueryTiming& t : r.verification.indexes[i]) {
        const std::string& sql = r.workload[t.query].sql;
        if (!t.skipped.empty()) {
          out += fmt::format("   measured: not timed ({})  {}\n", t.skipped, one_line(sql, 50));
        } else {
          out +=
              fmt::format("   measured: {} ms → {} ms ({:.1f}× faster)  {}\n", ms_text(t.before_ms),
                          ms_text(t.after_ms), t.speedup, one_line(sql, 60));
        }
      }
    }
    out += "\n";
  }
  if (!r.drops.empty()) out += "Existing indexes to drop:\n";
  for (const DropSuggestion& d : r.drops) {
    out +=
        fmt::format("  [{}] {} ({})\n    {}\n", d.rule, d.reason, size_text(d.size_bytes), d.sql);
  }
  for (const std::string& n : r.notes) out += "note: " + n + "\n";
  for (const std::string& n : r.verification.notes) out += "verify: " + n + "\n";
  return out;
}

std::string render_json(const AdviseResult& r) {
  using nlohmann::json;
  json indexes = json::array();
  for (size_t i = 0; i < r.indexes.size(); ++i) {
    const Recommendation& x = r.indexes[i];
    json columns = json::array();
    for (const IndexKey& k : x.index.keys) {
      columns.push_back(
          {{"column", k.column},
           {"expression",
            k.function.empty() ? "" : k.function + "(" + sql::quote_identifier(k.column) + ")"},
           {"descending", k.descending}});
    }
    json queries = json::array();
    for (const QueryEffect& e : x.queries) {
      const WorkloadQuery& q = r.workload[e.query];
      queries.push_back({{"fingerprint", q.fingerprint},
                         {"query", q.sql},
                         {"calls", q.calls},
                         {"cost_before", e.cost_before},
                         {"cost_after", e.cost_after},
                         {"plan_before", e.plan_before},
                         {"plan_after", e.plan_after}});
    }
    indexes.push_back({{"name", x.index.name},
                       {"schema", x.index.schema},
                       {"table", x.index.table},
                       {"columns", columns},
                       {"include", x.index.include},
                       {"where", render_where(x.index, r.engine)},
                       {"ddl", create_index_sql(x.index, r.engine)},
                       {"reason", x.reason},
                       {"queries", queries},
                       {"cost_before", x.cost_before},
                       {"cost_after", x.cost_after},
                       {"size_bytes", x.size_bytes},
                       {"writes", x.writes},
                       {"write_overhead", x.write_overhead},
                       {"gain", x.gain},
                       {"share", x.share}});
    if (r.verification.ran && i < r.verification.indexes.size()) {
      json timed = json::array();
      for (const QueryTiming& t : r.verification.indexes[i]) {
        const WorkloadQuery& q = r.workload[t.query];
        json row = {{"fingerprint", q.fingerprint}, {"query", q.sql}, {"sql", t.sql}};
        if (t.skipped.empty()) {
          row["before_ms"] = t.before_ms;
          row["after_ms"] = t.after_ms;
          row["speedup"] = t.speedup;
        } else {
          row["skipped"] = t.skipped;
        }
        timed.push_back(std::move(row));
      }
      indexes.back()["verify"] = {{"queries", timed}};
    }
  }
  json drops = json::array();
  for (const DropSuggestion& d : r.drops) {
    drops.push_back({{"rule", d.rule},
                     {"schema", d.schema},
                     {"table", d.table},
                     {"index", d.index},
                     {"because_of", d.because_of},
                     {"size_bytes", d.size_bytes},
                     {"sql", d.sql},
                     {"reason", d.reason}});
  }
  json findings = json::array();
  for (const Finding& f : r.findings) {
    findings.push_back({{"rule", f.rule},
                        {"severity", std::string(to_string(f.severity))},
                        {"title", f.title},
                        {"detail", f.detail},
                        {"tables", f.tables},
                        {"recommendation", f.recommendation},
                        {"fix_sql", f.fix_sql}});
  }
  json out = {{"engine", engine_name(r.engine)},
              {"database", r.database},
              {"shapes", r.workload.size()},
              {"candidates", r.candidates},
              {"cost_unit", r.cost_unit},
              {"cost_before", r.cost_before},
              {"cost_after", r.cost_after},
              {"indexes", indexes},
              {"drop", drops},
              {"findings", findings},
              {"whatif_calls", r.whatif_calls},
              {"whatif_cache_hits", r.cache_hits},
              {"whatif_ms", r.whatif_ms},
              {"notes", r.notes}};
  if (r.verification.ran)
    out["verification"] = {{"target", r.verification.target},
                           {"runs", r.verification.runs},
                           {"notes", r.verification.notes}};
  return out.dump(2) + "\n";
}

std::string render_script(const AdviseResult& r) {
  std::string out = fmt::format(
      "-- querylens advise: maintenance script ({}{}).\n"
      "-- Review before running.{}\n\n",
      engine_name(r.engine), r.database.empty() ? "" : ", " + r.database,
      r.engine == Engine::kPostgres
          ? " CREATE INDEX CONCURRENTLY cannot run inside a transaction block."
          : "");
  for (const Recommendation& x : r.indexes) {
    out += fmt::format("-- {}: {:.0f}% of the gain, ~{}\n{}\n", table_name(x.index), 100 * x.share,
                       size_text(x.size_bytes), create_index_sql(x.index, r.engine));
  }
  if (!r.drops.empty()) out += "\n-- Superfluous indexes: uncomment to drop.\n";
  for (const DropSuggestion& d : r.drops)
    out += fmt::format("-- [{}] {}\n-- {}\n", d.rule, d.reason, d.sql);
  if (!r.indexes.empty()) {
    out += "\n-- Fresh statistics for the planner.\n";
    std::set<std::string> done;
    for (const Recommendation& x : r.indexes) {
      const std::string target = qualified_table(x.index);
      if (done.insert(target).second) out += "ANALYZE " + target + ";\n";
    }
  }
  return out;
}

}  // namespace querylens::advise

namespace querylens::advise {

std::vector<Finding> advice_findings(const AdviseResult& r) {
  std::vector<Finding> out;
  for (const Recommendation& x : r.indexes) {
    Finding f;
    f.rule = "missing-index";
    f.severity = x.share >= 0.5 ? Severity::kHigh : Severity::kMedium;
    std::string keys;
    for (const IndexKey& k : x.index.keys) {
      if (!keys.empty()) keys += ", ";
      keys += k.function.empty() ? k.column : k.function + "(" + k.column + ")";
    }
    f.title = fmt::format("Missing index on {} ({})", table_name(x.index), keys);
    f.detail = fmt::format(
        "{}; the queries it serves cost {} → {} ({}, calls × cost), {:.0f}% of the workload's "
        "gain from the advised indexes; estimated size {}",
        x.reason, cost_text(x.cost_before), cost_text(x.cost_after), r.cost_unit, 100 * x.share,
        size_text(x.size_bytes));
    for (const QueryEffect& e : x.queries) {
      const std::string& fp = r.workload[e.query].fingerprint;
      if (!fp.empty()) f.fingerprints.push_back(fp);
    }
    f.tables.push_back(table_name(x.index));
    f.recommendation =
        r.engine == Engine::kPostgres
            ? "Create the index (CONCURRENTLY: writes go on meanwhile); `querylens advise "
              "--verify --verify-db URL` measures it on a copy first"
            : "Create the index; `querylens advise --verify` measures it on a copy first";
    f.fix_sql = create_index_sql(x.index, r.engine);
    out.push_back(std::move(f));
  }
  for (const Finding& f : r.findings) out.push_back(f);
  return out;
}

}  // namespace querylens::advise
