// Checks over the existing indexes of the tables the workload touches.
#include "querylens/advise/existing.h"

#include <fmt/format.h>

#include <set>

namespace querylens::advise {
namespace {

std::string size_text(int64_t bytes) {
  if (bytes >= 1 << 20) return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / (1 << 20));
  if (bytes >= 1 << 10) return fmt::format("{:.1f} KiB", static_cast<double>(bytes) / (1 << 10));
  return fmt::format("{} B", bytes);
}

std::string key_list(const ExistingIndex& index) {
  std::string out;
  for (const IndexKey& k : index.def.keys)
    out += (out.empty() ? "" : ", ") + k.column + (k.descending ? " DESC" : "");
  if (!index.def.include.empty()) {
    out += ") INCLUDE (";
    for (size_t i = 0; i < index.def.include.size(); ++i)
      out += (i ? ", " : "") + index.def.include[i];
  }
  return "(" + out + ")";
}

bool same_keys(const std::vector<IndexKey>& a, const std::vector<IndexKey>& b, size_t n) {
  if (a.size() < n || b.size() < n) return false;
  for (size_t i = 0; i < n; ++i) {
    if (lower(a[i].column) != lower(b[i].column) || a[i].function != b[i].function ||
        a[i].descending != b[i].descending)
      return false;
  }
  return true;
}

std::vector<std::string> lowered(const std::vector<std::string>& v) {
  std::vector<std::string> out;
  for (const std::string& s : v) out.push_back(lower(s));
  return out;
}

// Indexes whose keys cannot be compared reliably are left out of duplicate / redundant checks:
// SQLite expressions (pragma_index_xinfo does not print them) and SQLite partial indexes.
bool comparable(const ExistingIndex& index, Engine engine) {
  if (engine == Engine::kSqlite && (index.expression || !index.predicate.empty())) return false;
  return index.valid;
}

}  // namespace

ExistingReport check_existing_indexes(const Catalog& catalog) {
  ExistingReport report;
  const Engine engine = catalog.engine;
  std::set<std::string> dropped;
  auto add = [&](const ExistingIndex& index, std::string rule, std::string because,
                 std::string reason, Severity severity) {
    if (!dropped.insert(lower(index.def.schema) + "." + lower(index.def.name)).second) return;
    DropSuggestion d;
    d.rule = std::move(rule);
    d.schema = index.def.schema;
    d.table = index.def.table;
    d.index = index.def.name;
    d.because_of = std::move(because);
    d.size_bytes = index.size_bytes;
    d.sql = drop_index_sql(index.def.schema, index.def.name, engine);
    d.reason = std::move(reason);
    Finding f;
    f.rule = d.rule;
    f.severity = severity;
    f.title = fmt::format("{} index {} on {}",
                          d.rule == "invalid-index" ? "Invalid" : "Superfluous", d.index, d.table);
    f.detail = fmt::format("{} ({})", d.reason, size_text(d.size_bytes));
    f.tables = {d.table};
    f.recommendation = "Drop it: writes maintain it and it takes space without serving reads.";
    f.fix_sql = d.sql;
    report.findings.push_back(std::move(f));
    report.drops.push_back(std::move(d));
  };

  const auto& all = catalog.indexes;
  for (const ExistingIndex& index : all) {
    if (!index.valid) {
      add(index, "invalid-index", "",
          fmt::format("{} is invalid (a CREATE INDEX CONCURRENTLY that failed): the planner "
                      "never uses it, but writes still maintain it",
                      index.def.name),
          Severity::kMedium);
    }
  }
  for (size_t i = 0; i < all.size(); ++i) {
    const ExistingIndex& a = all[i];
    if (!comparable(a, engine) || a.backs_constraint) continue;
    for (size_t j = 0; j < all.size(); ++j) {
      const ExistingIndex& b = all[j];
      if (i == j || !comparable(b, engine) || lower(a.def.table) != lower(b.def.table) ||
          a.method != b.method || a.predicate != b.predicate)
        continue;
      const bool equal_keys = a.def.keys.size() == b.def.keys.size() &&
                              same_keys(a.def.keys, b.def.keys, a.def.keys.size()) &&
                              lowered(a.def.include) == lowered(b.def.include);
      if (equal_keys) {
        // Keep the one backing a constraint, or a unique one, else the first by name.
        const bool keep_b =
            b.backs_constraint || (b.unique && !a.unique) || (b.unique == a.unique && j < i);
        if (!keep_b) continue;
        add(a, "duplicate-index", b.def.name,
            fmt::format("{} {} duplicates {} (same keys, method and predicate)", a.def.name,
                        key_list(a), b.def.name),
            Severity::kMedium);
        break;
      }
      // a's keys lead b's: b serves every lookup a serves. A unique a enforces something b
      // (longer) does not, and only b-trees use leading prefixes this way.
      if (a.method == "btree" && !a.unique && a.def.include.empty() &&
          a.def.keys.size() < b.def.keys.size() &&
          same_keys(a.def.keys, b.def.keys, a.def.keys.size())) {
        add(a, "redundant-index", b.def.name,
            fmt::format("{} {} is a leading prefix of {} {}", a.def.name, key_list(a), b.def.name,
                        key_list(b)),
            Severity::kLow);
        break;
      }
    }
  }
  for (const ExistingIndex& index : all) {
    if (!index.scans || *index.scans != 0 || index.backs_constraint || index.unique || !index.valid)
      continue;
    add(index, "unused-index", "",
        fmt::format("{} has not been scanned (idx_scan = 0) since the statistics were reset{}",
                    index.def.name,
                    catalog.stats_reset.empty() ? "" : " at " + catalog.stats_reset),
        Severity::kLow);
  }
  return report;
}

}  // namespace querylens::advise
