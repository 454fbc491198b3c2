// querylens_advise_tpch — the index-advice benchmark on SQLite (run by bench/advise_tpch.sh):
//
//   querylens_advise_tpch --db PATH --queries FILE --querylens BIN [--sqlite3 BIN]
//                         [--budgets 1,3,5,10] [--min-gain PCT] [--size-weight W] [--runs 5]
//                         [--skip-none 1]
//
// 1. Runs `querylens advise FILE --db sqlite:PATH --max-indexes B --format json` for each
//    budget B: indexes chosen, workload cost before → after (querylens's estimate), advisor
//    wall time.
// 2. Asks sqlite3's `.expert` about every query of FILE, one at a time (it has no workload view),
//    and takes the union of what it proposes.
// 3. Times every query, for real, on three copies of the database: no new index, .expert's
//    set, querylens's set at the largest budget (each followed by ANALYZE, as querylens's
//    maintenance script does, so both sets meet the planner on equal terms). The median of
//    --runs runs per query; a query is "at least as well served" by querylens when its median
//    is within 10% (+0.05 ms of timer noise) of .expert's. Each smaller budget's set is timed
//    too, for a summary line per budget. `--skip-none 1` leaves out the
//    no-index pass (minutes: Q20 alone runs for over a minute), for quicker iterations.
// Prints Markdown tables for docs/PERFORMANCE.md. Nothing is written to PATH: the copies are
// temporary files next to it.
#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "querylens/sql/splitter.h"

namespace {

namespace fs = std::filesystem;

struct Options {
  std::string db, queries, querylens, sqlite3 = "sqlite3";
  std::vector<int> budgets = {1, 3, 5, 10};
  int runs = 5;
  std::string min_gain = "1";  // percent, as --min-gain takes it
  std::string size_weight;     // passed to --size-weight when set
  bool skip_none = false;      // no timing pass without indexes
};

struct Query {
  std::string label;  // the comment line above it
  std::string sql;
};

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// Runs a shell command, returns its standard output; throws when it fails.
std::string run(const std::string& command) {
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) throw std::runtime_error("cannot run " + command);
  std::string out;
  char buffer[65536];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  const int status = pclose(pipe);
  if (status != 0) throw std::runtime_error(fmt::format("'{}' failed ({})", command, status));
  return out;
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::vector<Query> load_queries(const std::string& path) {
  const std::string script = read_file(path);
  std::vector<std::string> lines;
  std::stringstream in(script);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  std::vector<Query> queries;
  for (const auto& s : querylens::sql::split_script(script).statements) {
    Query q;
    q.sql = std::string(s.text);
    const size_t above = static_cast<size_t>(s.line) >= 2 ? static_cast<size_t>(s.line) - 2 : 0;
    if (above < lines.size() && lines[above].rfind("-- ", 0) == 0) q.label = lines[above].substr(3);
    if (q.label.empty()) q.label = fmt::format("query {}", queries.size() + 1);
    queries.push_back(std::move(q));
  }
  return queries;
}

struct Advice {
  int budget = 0;
  std::vector<std::string> ddl;
  double cost_before = 0, cost_after = 0, whatif_ms = 0, wall_ms = 0;
  int64_t whatif_calls = 0;
};

Advice run_querylens(const Options& o, int budget) {
  const std::string command = fmt::format(
      "{} advise {} --db {} --max-indexes {} --min-gain {}{} --format json",
      shell_quote(o.querylens), shell_quote(o.queries), shell_quote("sqlite:" + o.db), budget,
      o.min_gain, o.size_weight.empty() ? "" : " --size-weight " + shell_quote(o.size_weight));
  const auto start = std::chrono::steady_clock::now();
  const nlohmann::json result = nlohmann::json::parse(run(command));
  Advice a;
  a.budget = budget;
  a.wall_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  for (const auto& index : result.at("indexes")) a.ddl.push_back(index.at("ddl"));
  a.cost_before = result.at("cost_before");
  a.cost_after = result.at("cost_after");
  a.whatif_ms = result.at("whatif_ms");
  a.whatif_calls = result.at("whatif_calls");
  return a;
}

// .expert for one query: the CREATE INDEX lines it prints.
std::vector<std::string> run_expert(const Options& o, const Query& q, const fs::path& scratch) {
  const fs::path input = scratch / "expert-input.sql";
  std::ofstream(input) << ".expert\n" << q.sql << ";\n";
  const std::string out = run(fmt::format("{} {} < {} 2>&1", shell_quote(o.sqlite3),
                                          shell_quote(o.db), shell_quote(input.string())));
  std::vector<std::string> ddl;
  std::stringstream in(out);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("CREATE INDEX", 0) == 0) ddl.push_back(line);
  }
  return ddl;
}

void check(int rc, sqlite3* db, const std::string& what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
    throw std::runtime_error(fmt::format("{}: {}", what, sqlite3_errmsg(db)));
}

struct Measured {
  std::vector<double> median_ms;  // per query
  std::vector<bool> full_scan;    // some SCAN of a table (not of an index) in the plan
  int64_t index_bytes = 0;        // the added indexes, from dbstat
};

// A copy of the database with `ddl` built and ANALYZEd; every query timed.
Measured measure(const Options& o, const std::vector<Query>& queries,
                 const std::vector<std::string>& ddl, const fs::path& scratch) {
  const fs::path copy = scratch / "copy.db";
  fs::copy_file(o.db, copy, fs::copy_options::overwrite_existing);
  sqlite3* db = nullptr;
  check(sqlite3_open(copy.c_str(), &db), db, "open copy");
  Measured m;
  std::set<std::string> before;
  auto index_names = [&]() {
    std::set<std::string> names;
    sqlite3_stmt* s = nullptr;
    check(sqlite3_prepare_v2(db, "SELECT name FROM sqlite_schema WHERE type = 'index'", -1, &s,
                             nullptr),
          db, "list indexes");
    while (sqlite3_step(s) == SQLITE_ROW)
      names.insert(reinterpret_cast<const char*>(sqlite3_column_text(s, 0)));
    sqlite3_finalize(s);
    return names;
  };
  before = index_names();
  for (const std::string& statement : ddl)
    check(sqlite3_exec(db, statement.c_str(), nullptr, nullptr, nullptr), db, statement);
  check(sqlite3_exec(db, "ANALYZE", nullptr, nullptr, nullptr), db, "ANALYZE");
  for (const std::string& name : index_names()) {
    if (before.count(name)) continue;
    sqlite3_stmt* s = nullptr;
    check(sqlite3_prepare_v2(db, "SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name = ?", -1,
                             &s, nullptr),
          db, "dbstat");
    sqlite3_bind_text(s, 1, name.c_str(), -1, SQLITE_TRANSIENT);
    if (sqlite3_step(s) == SQLITE_ROW) m.index_bytes += sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
  }
  for (const Query& q : queries) {
    sqlite3_stmt* s = nullptr;
    check(sqlite3_prepare_v2(db, ("EXPLAIN QUERY PLAN " + q.sql).c_str(), -1, &s, nullptr), db,
          q.label);
    bool scan = false;
    while (sqlite3_step(s) == SQLITE_ROW) {
      const std::string detail = reinterpret_cast<const char*>(sqlite3_column_text(s, 3));
      if (detail.rfind("SCAN ", 0) == 0 && detail.find(" USING ") == std::string::npos &&
          detail.find("CONSTANT ROW") == std::string::npos)
        scan = true;
    }
    sqlite3_finalize(s);
    m.full_scan.push_back(scan);
    check(sqlite3_prepare_v2(db, q.sql.c_str(), -1, &s, nullptr), db, q.label);
    std::vector<double> times;
    for (int r = 0; r < o.runs; ++r) {
      const auto start = std::chrono::steady_clock::now();
      while (sqlite3_step(s) == SQLITE_ROW) {
      }
      sqlite3_reset(s);
      times.push_back(
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
              .count());
      if (times.back() > 2000) break;  // one run of a multi-second query is precise enough
    }
    sqlite3_finalize(s);
    std::sort(times.begin(), times.end());
    m.median_ms.push_back(times[times.size() / 2]);
  }
  sqlite3_close(db);
  fs::remove(copy);
  return m;
}

std::vector<int> parse_budgets(const std::string& text) {
  std::vector<int> out;
  std::stringstream in(text);
  for (std::string part; std::getline(in, part, ',');) out.push_back(std::stoi(part));
  return out;
}

std::string short_ms(double ms) {
  return ms >= 100 ? fmt::format("{:.0f}", ms)
         : ms >= 1 ? fmt::format("{:.1f}", ms)
                   : fmt::format("{:.3f}", ms);
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--db")
      o.db = value;
    else if (flag == "--queries")
      o.queries = value;
    else if (flag == "--querylens")
      o.querylens = value;
    else if (flag == "--sqlite3")
      o.sqlite3 = value;
    else if (flag == "--budgets")
      o.budgets = parse_budgets(value);
    else if (flag == "--runs")
      o.runs = std::max(1, std::atoi(value.c_str()));
    else if (flag == "--min-gain")
      o.min_gain = value;
    else if (flag == "--size-weight")
      o.size_weight = value;
    else if (flag == "--skip-none")
      o.skip_none = value != "0";
    else {
      std::fprintf(stderr, "querylens_advise_tpch: unknown option %s\n", flag.c_str());
      return 2;
    }
  }
  if (o.db.empty() || o.queries.empty() || o.querylens.empty() || o.budgets.empty()) {
    std::fprintf(stderr,
                 "usage: querylens_advise_tpch --db PATH --queries FILE --querylens BIN "
                 "[--sqlite3 BIN] [--budgets 1,3,5,10] [--min-gain PCT] [--size-weight W] "
                 "[--runs 5] [--skip-none 1]\n");
    return 2;
  }
  try {
    const std::vector<Query> queries = load_queries(o.queries);
    const fs::path scratch = fs::path(o.db).parent_path() / "advise_tpch.scratch";
    fs::create_directories(scratch);

    std::printf("## querylens advise at several budgets (%zu queries, --min-gain %s)\n\n",
                queries.size(), o.min_gain.c_str());
    std::printf(
        "| --max-indexes | indexes | workload cost (est. rows visited) | what-if calls | "
        "what-if time | advisor wall time |\n|---|---|---|---|---|---|\n");
    Advice largest;
    std::vector<Advice> advices;
    for (int budget : o.budgets) {
      Advice a = run_querylens(o, budget);
      std::printf("| %d | %zu | %.3g → %.3g (%.1f%% less) | %lld | %.2f s | %.2f s |\n", budget,
                  a.ddl.size(), a.cost_before, a.cost_after,
                  a.cost_before > 0 ? 100.0 * (1 - a.cost_after / a.cost_before) : 0.0,
                  static_cast<long long>(a.whatif_calls), a.whatif_ms / 1000, a.wall_ms / 1000);
      std::fflush(stdout);
      advices.push_back(a);
      if (budget >= largest.budget) largest = std::move(a);
    }

    std::vector<std::vector<std::string>> expert_per_query;
    std::set<std::string> expert_union;
    const auto expert_start = std::chrono::steady_clock::now();
    for (const Query& q : queries) {
      expert_per_query.push_back(run_expert(o, q, scratch));
      expert_union.insert(expert_per_query.back().begin(), expert_per_query.back().end());
    }
    const double expert_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - expert_start).count();
    const std::vector<std::string> expert(expert_union.begin(), expert_union.end());

    Measured none;
    if (o.skip_none) {
      none.median_ms.assign(queries.size(), 0);
      none.full_scan.assign(queries.size(), false);
    } else {
      none = measure(o, queries, {}, scratch);
    }
    const Measured by_expert = measure(o, queries, expert, scratch);
    const Measured by_querylens = measure(o, queries, largest.ddl, scratch);

    std::printf("\n## Query by query: no index, sqlite3 .expert, querylens (--max-indexes %d)\n\n",
                largest.budget);
    std::printf("Median of %d runs each, ms; * = the plan still scans a table in full.\n\n",
                o.runs);
    std::printf(
        "| query | none | .expert (its indexes) | querylens | querylens at least as well "
        "served |\n|---|---|---|---|---|\n");
    int as_well = 0;
    double sum_none = 0, sum_expert = 0, sum_querylens = 0;
    for (size_t i = 0; i < queries.size(); ++i) {
      auto cell = [&](const Measured& m) {
        if (&m == &none && o.skip_none) return std::string("—");
        return short_ms(m.median_ms[i]) + (m.full_scan[i] ? "*" : "");
      };
      const bool ok = by_querylens.median_ms[i] <= by_expert.median_ms[i] * 1.10 + 0.05;
      as_well += ok ? 1 : 0;
      sum_none += none.median_ms[i];
      sum_expert += by_expert.median_ms[i];
      sum_querylens += by_querylens.median_ms[i];
      std::printf(
          "| %s | %s | %s (%zu) | %s | %s |\n", queries[i].label.c_str(), cell(none).c_str(),
          cell(by_expert).c_str(), expert_per_query[i].size(), cell(by_querylens).c_str(),
          ok ? "yes"
             : fmt::format("**no** ({:.1f}×)", by_querylens.median_ms[i] / by_expert.median_ms[i])
                   .c_str());
    }
    std::printf("| **all %zu** | %s | %s | %s | %d of %zu |\n\n", queries.size(),
                o.skip_none ? "—" : short_ms(sum_none).c_str(), short_ms(sum_expert).c_str(),
                short_ms(sum_querylens).c_str(), as_well, queries.size());
    // Every budget's set, measured the same way: how few indexes already serve the workload.
    auto served = [&](const Measured& m) {
      int n = 0;
      for (size_t i = 0; i < queries.size(); ++i)
        n += m.median_ms[i] <= by_expert.median_ms[i] * 1.10 + 0.05 ? 1 : 0;
      return n;
    };
    auto total = [](const Measured& m) {
      double sum = 0;
      for (double ms : m.median_ms) sum += ms;
      return sum;
    };
    std::printf(
        "| set | indexes | their size | all %zu queries, ms | at least as well served as with "
        ".expert |\n|---|---|---|---|---|\n",
        queries.size());
    std::printf("| sqlite3 .expert | %zu | %.1f MiB | %s | |\n", expert.size(),
                static_cast<double>(by_expert.index_bytes) / 1048576.0,
                short_ms(total(by_expert)).c_str());
    for (const Advice& a : advices) {
      const Measured m =
          a.budget == largest.budget ? by_querylens : measure(o, queries, a.ddl, scratch);
      std::printf("| querylens --max-indexes %d | %zu | %.1f MiB | %s | %d of %zu |\n", a.budget,
                  a.ddl.size(), static_cast<double>(m.index_bytes) / 1048576.0,
                  short_ms(total(m)).c_str(), served(m), queries.size());
    }
    std::printf("\n| | indexes | their size | advisor time |\n|---|---|---|---|\n");
    std::printf("| sqlite3 .expert | %zu | %.1f MiB | %.2f s (20 separate runs) |\n", expert.size(),
                static_cast<double>(by_expert.index_bytes) / 1048576.0, expert_s);
    std::printf("| querylens advise | %zu | %.1f MiB | %.2f s |\n", largest.ddl.size(),
                static_cast<double>(by_querylens.index_bytes) / 1048576.0, largest.wall_ms / 1000);
    std::printf("\nquerylens's indexes:\n\n```sql\n");
    for (const std::string& d : largest.ddl) std::printf("%s\n", d.c_str());
    std::printf("```\n\n.expert's indexes:\n\n```sql\n");
    for (const std::string& d : expert) std::printf("%s\n", d.c_str());
    std::printf("```\n");
    fs::remove_all(scratch);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "querylens_advise_tpch: %s\n", e.what());
    return 1;
  }
  return 0;
}
