// Greedy selection over the cost cache; every cost question goes through CostCache.
#include "querylens/advise/select.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <map>
#include <set>

namespace querylens::advise {
namespace {

class Selector {
 public:
  Selector(const std::vector<WorkloadQuery>& workload, const std::vector<Candidate>& candidates,
           const Catalog& catalog, CostCache& cache, const SelectOptions& options)
      : workload_(workload),
        candidates_(candidates),
        catalog_(catalog),
        cache_(cache),
        options_(options) {}

  Selection run() {
    Selection out;
    for (size_t q = 0; q < workload_.size(); ++q) {
      if (!workload_[q].plannable) continue;
      const Evaluation& e = cache_.evaluate(q, workload_[q], {});
      if (!e.error.empty()) {
        out.notes.push_back(fmt::format("could not plan {}: {}", workload_[q].sql, e.error));
        continue;
      }
      queries_.push_back(q);
      base_[q] = e.cost;
    }
    for (size_t q : queries_) out.cost_before += weight(q) * base_[q];
    int64_t used_bytes = 0;
    std::vector<size_t> chosen;
    std::vector<bool> taken(candidates_.size(), false);
    // Lazy greedy: a candidate's net gain in an earlier round bounds its gain now (an index
    // gains less once others serve its queries), so each round evaluates candidates in the
    // order of that bound and stops at the first that cannot beat the best found. Gains can
    // also grow (the index on the other side of a join): the candidates of the tables joined
    // with a pick are measured again, and before stopping one exact round evaluates every
    // candidate. Most of the advisor's time is what-if calls; this cuts them severalfold.
    constexpr double kUnknown = std::numeric_limits<double>::infinity();
    std::vector<double> bound(candidates_.size(), kUnknown);
    bool exact = true;
    while (true) {
      const double now = workload_cost(chosen);
      const bool full = chosen.size() >= options_.max_indexes;
      struct Option {
        size_t c;
        int64_t size;
        double upper;  // bound on the score
      };
      std::vector<Option> options;
      for (size_t c = 0; c < candidates_.size(); ++c) {
        if (taken[c]) continue;
        // An index that extends a chosen one usually replaces it (prune checks): only the
        // difference in size is new.
        const int64_t replaced = replaced_bytes(chosen, c);
        // With every slot taken, only an index that may replace a chosen one is considered.
        if (full && replaced == 0) continue;
        const int64_t size = cache_.size(candidates_[c].index) - replaced;
        if (options_.max_size_bytes > 0 && used_bytes + size > options_.max_size_bytes) continue;
        const double per = static_cast<double>(std::max<int64_t>(size, 8192));
        options.push_back({c, size, exact ? kUnknown : bound[c] / per});
      }
      std::stable_sort(options.begin(), options.end(),
                       [](const Option& a, const Option& b) { return a.upper > b.upper; });
      double best_score = 0, best_net = 0;
      size_t best = candidates_.size();
      for (const Option& o : options) {
        if (o.upper <= best_score) break;  // neither this one nor any after it can win
        std::vector<size_t> with = chosen;
        with.push_back(o.c);
        const double net = now - workload_cost(with) - overhead(o.c);
        bound[o.c] = net;
        const double score = net / static_cast<double>(std::max<int64_t>(o.size, 8192));
        if (net > 0 && score > best_score) {
          best_score = score;
          best_net = net;
          best = o.c;
        }
      }
      // Relative to what is left: once the big scans are gone, an index that removes the
      // sorts of a hot query is still worth it though small next to the original cost.
      if (best == candidates_.size() || best_net < options_.min_gain * now) {
        if (exact) break;
        exact = true;  // a gain that grew since it was last measured: one full round
        continue;
      }
      exact = false;
      taken[best] = true;
      chosen.push_back(best);
      used_bytes += cache_.size(candidates_[best].index);
      // The index on the other side of a join: its gain grows with this one (part's index is
      // worth little while lineitem is scanned per part). Candidates on the other tables of
      // the queries whose plans take this one are measured again; those on its own table
      // only lose by it.
      const IndexDef& pick = candidates_[best].index;
      const std::string picked = lower(pick.table);
      const std::vector<const IndexDef*> all = defs(chosen);
      for (size_t q : queries_) {
        const std::set<std::string>& tables = workload_[q].tables;
        if (!tables.count(picked)) continue;
        const std::vector<std::string>& used = cache_.evaluate(q, workload_[q], all).used;
        if (std::find(used.begin(), used.end(), pick.key()) == used.end()) continue;
        for (size_t c = 0; c < candidates_.size(); ++c) {
          const std::string table = lower(candidates_[c].index.table);
          if (table != picked && tables.count(table)) bound[c] = kUnknown;
        }
      }
      // An index prune takes out no longer lowers any cost, so the bounds of the others stay
      // bounds: no re-evaluation for it.
      prune(chosen, used_bytes, out.notes);
      if (chosen.size() > options_.max_indexes) {
        // It extended a chosen index without making it useless: over the budget, undo.
        used_bytes -= cache_.size(candidates_[best].index);
        chosen.pop_back();
      }
    }
    out.cost_after = workload_cost(chosen);
    describe(chosen, out);
    return out;
  }

 private:
  double weight(size_t q) const { return static_cast<double>(workload_[q].calls); }

  std::vector<const IndexDef*> defs(const std::vector<size_t>& set) const {
    std::vector<const IndexDef*> out;
    for (size_t c : set) out.push_back(&candidates_[c].index);
    return out;
  }

  // Σ calls × cost over the plannable queries, with `set` added to the existing indexes.
  double workload_cost(const std::vector<size_t>& set) {
    const std::vector<const IndexDef*> indexes = defs(set);
    double total = 0;
    for (size_t q : queries_) {
      bool touched = std::any_of(indexes.begin(), indexes.end(), [&](const IndexDef* d) {
        return workload_[q].tables.count(lower(d->table)) > 0;
      });
      if (!touched) {
        total += weight(q) * base_[q];
        continue;
      }
      const Evaluation& e = cache_.evaluate(q, workload_[q], indexes);
      total += weight(q) * (e.error.empty() ? e.cost : base_[q]);
    }
    return total;
  }

  // Bytes of the chosen indexes whose keys lead candidate c's keys (same table, predicate).
  int64_t replaced_bytes(const std::vector<size_t>& chosen, size_t c) {
    const IndexDef& wide = candidates_[c].index;
    int64_t bytes = 0;
    for (size_t x : chosen) {
      const IndexDef& narrow = candidates_[x].index;
      if (lower(narrow.table) != lower(wide.table) || narrow.key() == wide.key() ||
          narrow.where_column != wide.where_column || narrow.keys.size() > wide.keys.size() ||
          !std::equal(narrow.keys.begin(), narrow.keys.end(), wide.keys.begin()))
        continue;
      // It replaces the narrow one only if it also holds what that one covers: two covering
      // variants of one key (l_orderkey + l_quantity, l_orderkey + l_suppkey, …) each keep
      // their own bytes. Counted as a replacement, each looked nearly free and the TPC-H
      // advice piled up five lineitem indexes on l_orderkey.
      const bool holds =
          std::all_of(narrow.include.begin(), narrow.include.end(), [&](const std::string& column) {
            auto same = [&](const std::string& x) { return lower(x) == lower(column); };
            return std::any_of(wide.include.begin(), wide.include.end(), same) ||
                   std::any_of(wide.keys.begin(), wide.keys.end(), [&](const IndexKey& k) {
                     return k.function.empty() && same(k.column);
                   });
          });
      if (!holds) continue;
      bytes += cache_.size(narrow);
    }
    return bytes;
  }

  // Rows written to the table over the workload: its own INSERT / UPDATE / DELETE calls; when
  // the workload has none, the table's write share since the stats reset (PostgreSQL
  // pg_stat_user_tables) applied to the workload's reads of it, at most 10 written rows per
  // read: a bulk load (or a restore) counts every row as written and would otherwise forbid
  // any index on a table that is in fact read-mostly.
  double writes(const std::string& table) const {
    double own = 0, reads = 0;
    for (const WorkloadQuery& q : workload_) {
      if (q.written.count(lower(table)))
        own += static_cast<double>(q.calls);
      else if (q.tables.count(lower(table)))
        reads += static_cast<double>(q.calls);
    }
    if (own > 0) return own;
    const TableInfo* info = catalog_.table(table);
    if (!info || info->tuples_written <= 0) return 0;
    const double w = static_cast<double>(info->tuples_written);
    const double r = static_cast<double>(std::max<int64_t>(info->scans, 1));
    return reads * std::min(10.0, w / r);
  }

  double overhead(size_t c) const {
    const IndexDef& index = candidates_[c].index;
    const TableInfo* info = catalog_.table(index.table);
    if (!info || options_.write_weight <= 0) return 0;
    return writes(index.table) * cache_.whatif().write_cost(*info) * options_.write_weight;
  }

  // Takes out an index the later ones made useless: without it the workload costs no more.
  void prune(std::vector<size_t>& chosen, int64_t& used_bytes, std::vector<std::string>& notes) {
    double now = workload_cost(chosen);
    // Only an index sharing a query with a changed table (the new pick's, a removed one's) can
    // have become useless: the others' queries cost what they did, and are not asked again.
    std::set<std::string> changed{lower(candidates_[chosen.back()].index.table)};
    auto affected = [&](size_t c) {
      const std::string table = lower(candidates_[c].index.table);
      return std::any_of(queries_.begin(), queries_.end(), [&](size_t q) {
        const std::set<std::string>& tables = workload_[q].tables;
        return tables.count(table) > 0 &&
               std::any_of(changed.begin(), changed.end(),
                           [&](const std::string& t) { return tables.count(t) > 0; });
      });
    };
    size_t i = 0;
    while (i + 1 < chosen.size()) {
      if (!affected(chosen[i])) {
        ++i;
        continue;
      }
      std::vector<size_t> without = chosen;
      without.erase(without.begin() + static_cast<std::ptrdiff_t>(i));
      const double cost_without = workload_cost(without);
      if (cost_without > now + 1e-9) {
        ++i;
        continue;
      }
      // The cost to beat is the one after this removal: comparing every later removal with
      // the cost before it took out indexes that still paid (found by bench/advise_tpch.sh,
      // where one removal lowered the cost and ten useful indexes followed it out).
      now = cost_without;
      changed.insert(lower(candidates_[chosen[i]].index.table));
      notes.push_back(fmt::format("{} was replaced by {}", candidates_[chosen[i]].index.name,
                                  candidates_[chosen.back()].index.name));
      used_bytes -= cache_.size(candidates_[chosen[i]].index);
      // Moved, not copied: g++ 12 at -O2 misreads the copy's bounds (-Wstringop-overflow).
      chosen = std::move(without);
    }
  }

  void describe(const std::vector<size_t>& chosen, Selection& out) {
    const std::vector<const IndexDef*> all = defs(chosen);
    for (size_t i = 0; i < chosen.size(); ++i) {
      const Candidate& c = candidates_[chosen[i]];
      Recommendation r;
      r.index = c.index;
      r.reason = c.reason;
      r.size_bytes = cache_.size(c.index);
      r.writes = writes(c.index.table);
      r.write_overhead = overhead(chosen[i]);
      std::vector<size_t> without = chosen;
      without.erase(without.begin() + static_cast<std::ptrdiff_t>(i));
      r.gain = workload_cost(without) - out.cost_after;
      for (size_t q : queries_) {
        if (!workload_[q].tables.count(lower(c.index.table))) continue;
        const Evaluation& after = cache_.evaluate(q, workload_[q], all);
        if (std::find(after.used.begin(), after.used.end(), c.index.key()) == after.used.end())
          continue;
        const Evaluation& before = cache_.evaluate(q, workload_[q], {});
        r.queries.push_back({q, before.cost, after.cost, before.plan, after.plan});
        r.cost_before += weight(q) * before.cost;
        r.cost_after += weight(q) * after.cost;
      }
      out.chosen.push_back(std::move(r));
    }
    // Marginal gains overlap (two indexes can serve one query), so the shares need not add
    // up to 1: each says how much of the total gain would be lost without that index.
    const double gained = out.cost_before - out.cost_after;
    for (Recommendation& r : out.chosen) r.share = gained > 0 ? r.gain / gained : 0;
  }

  const std::vector<WorkloadQuery>& workload_;
  const std::vector<Candidate>& candidates_;
  const Catalog& catalog_;
  CostCache& cache_;
  const SelectOptions& options_;
  std::vector<size_t> queries_;  // plannable, planned without error
  std::map<size_t, double> base_;
};

}  // namespace

Selection select_indexes(const std::vector<WorkloadQuery>& workload,
                         const std::vector<Candidate>& candidates, const Catalog& catalog,
                         CostCache& cache, const SelectOptions& options) {
  return Selector(workload, candidates, catalog, cache, options).run();
}

}  // namespace querylens::advise
