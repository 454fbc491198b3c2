// Greedy selection over the cost cache; every cost question goes through CostCache.
#include "querylens/advise/select.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <map>
#include <optional>
#include <set>

namespace querylens::advise {
namespace {

class Selector {
 public:
  Selector(const std::vector<WorkloadQuery>& workload, const std::vector<Candidate>& candidates,
           const Catalog& catalog, CostCache& cache, const SelectOptions& options)
      : workload_(workload),
        candidates_(candidates),
        originals_(candidates.size()),
        from_(candidates.size(), kNone),
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
    taken_.assign(candidates_.size(), false);
    for (const Candidate& c : candidates_) names_.insert(lower(c.index.name));
    for (const ExistingIndex& e : catalog_.indexes) names_.insert(lower(e.def.name));
    for (const auto& [name, table] : catalog_.tables) data_bytes_ += table.bytes;
    for (size_t c = 0; c < candidates_.size(); ++c) by_key_[candidates_[c].index.key()] = c;
    // Lazy greedy: a candidate's net gain in an earlier round bounds its gain now (an index
    // gains less once others serve its queries), so each round evaluates candidates in the
    // order of that bound and stops at the first that cannot beat the best found. Gains can
    // also grow (the index on the other side of a join): the candidates of the tables joined
    // with a pick are measured again, and before stopping one exact round evaluates every
    // candidate. Most of the advisor's time is what-if calls; this cuts them severalfold.
    bound_.assign(candidates_.size(), kUnknown);
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
        if (taken_[c]) continue;
        // A merge of a chosen index that is no longer chosen: its successor's merges replace it.
        const size_t from = from_[c];
        if (from != kNone && std::find(chosen.begin(), chosen.end(), from) == chosen.end())
          continue;
        // An index that extends a chosen one usually replaces it (prune checks), and a merge
        // replaces the index it was built from: only the difference in size is new.
        const int64_t replaced =
            from != kNone ? cache_.size(candidates_[from].index) : replaced_bytes(chosen, c);
        // With every slot taken, only an index that may replace a chosen one is considered.
        if (full && replaced == 0) continue;
        const int64_t size = cache_.size(candidates_[c].index) - replaced;
        if (options_.max_size_bytes > 0 && used_bytes + size > options_.max_size_bytes) continue;
        const double per = static_cast<double>(std::max<int64_t>(size, 8192));
        options.push_back({c, size, exact ? kUnknown : bound_[c] / per});
      }
      std::stable_sort(options.begin(), options.end(),
                       [](const Option& a, const Option& b) { return a.upper > b.upper; });
      double best_score = 0, best_net = 0;
      size_t best = candidates_.size();
      for (const Option& o : options) {
        if (o.upper <= best_score) break;  // neither this one nor any after it can win
        const double net = now - workload_cost(with_candidate(chosen, o.c)) - overhead(o.c);
        bound_[o.c] = net;
        const double score = net / static_cast<double>(std::max<int64_t>(o.size, 8192));
        if (net > 0 && score > best_score && pays_for_bytes(net, now, o.size)) {
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
      taken_[best] = true;
      if (const size_t from = from_[best]; from != kNone) {
        // A merge takes the place of the index it was built from.
        out.notes.push_back(fmt::format("{} was merged into {}", candidates_[from].index.name,
                                        candidates_[best].index.name));
        used_bytes -= cache_.size(candidates_[from].index);
        std::erase(chosen, from);
      }
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
          if (table != picked && tables.count(table)) bound_[c] = kUnknown;
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
      add_merges(chosen);
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

  // chosen + c; a merge replaces the index it was built from.
  std::vector<size_t> with_candidate(const std::vector<size_t>& chosen, size_t c) const {
    std::vector<size_t> with = chosen;
    if (from_[c] != kNone) std::erase(with, from_[c]);
    with.push_back(c);
    return with;
  }

  // The byte-weighed admission rule (SelectOptions::size_weight): the share of the remaining
  // cost an index saves against its share of the bytes of the tables the workload reads.
  bool pays_for_bytes(double net, double now, int64_t size) const {
    if (options_.size_weight <= 0 || now <= 0 || data_bytes_ <= 0) return true;
    const double added = static_cast<double>(std::max<int64_t>(size, 8192));
    return net / now >= options_.size_weight * added / static_cast<double>(data_bytes_);
  }

  // Merges: for each chosen index and each generated candidate on the same table led by the
  // same key (same predicate), one index with the chosen one's keys, the candidate's other
  // keys, and both sets of covering columns. It may serve both sets of queries with far fewer
  // bytes than two indexes (five covering variants of l_orderkey in the TPC-H benchmark);
  // whether it does is measured like any candidate, with it in place of the chosen index.
  void add_merges(const std::vector<size_t>& chosen) {
    for (size_t x : chosen) {
      const IndexDef a = candidates_[x].index;  // a copy: the push_back below reallocates
      if (a.keys.empty()) continue;
      for (size_t c = 0; c < originals_; ++c) {
        if (taken_[c]) continue;
        const IndexDef& b = candidates_[c].index;
        if (lower(b.table) != lower(a.table) || b.keys.empty() ||
            !(b.keys.front() == a.keys.front()) || !b.same_where(a))
          continue;
        std::optional<IndexDef> merged = merge(a, b);
        if (!merged) continue;
        const std::string key = merged->key();
        if (auto it = by_key_.find(key); it != by_key_.end()) {
          // Built before from an index since replaced, or generated as it is: measure it
          // again, now as a replacement of x.
          const size_t m = it->second;
          if (from_[m] != kNone && !taken_[m] &&
              std::find(chosen.begin(), chosen.end(), from_[m]) == chosen.end()) {
            from_[m] = x;
            bound_[m] = kUnknown;
          }
          continue;
        }
        merged->name = unique_name(make_index_name(*merged));
        Candidate m{std::move(*merged), candidates_[x].queries,
                    candidates_[x].reason + "; " + candidates_[c].reason};
        for (size_t q : candidates_[c].queries) {
          if (std::find(m.queries.begin(), m.queries.end(), q) == m.queries.end())
            m.queries.push_back(q);
        }
        by_key_[key] = candidates_.size();
        candidates_.push_back(std::move(m));
        from_.push_back(x);
        taken_.push_back(false);
        bound_.push_back(kUnknown);
      }
    }
  }

  // a's keys, then b's keys a lacks, then a's and b's covering columns; nullopt when that adds
  // nothing to a or is wider than SelectOptions::max_merged_columns.
  std::optional<IndexDef> merge(const IndexDef& a, const IndexDef& b) const {
    IndexDef m = a;
    auto has_key = [&](const std::string& column) {
      return std::any_of(m.keys.begin(), m.keys.end(), [&](const IndexKey& k) {
        return k.function.empty() && lower(k.column) == lower(column);
      });
    };
    for (const IndexKey& k : b.keys) {
      if (std::find(m.keys.begin(), m.keys.end(), k) != m.keys.end()) continue;
      // A column a holds as a covering column becomes a key: drop it from the include.
      if (k.function.empty())
        std::erase_if(m.include, [&](const std::string& c) { return lower(c) == lower(k.column); });
      m.keys.push_back(k);
    }
    for (const std::string& c : b.include) {
      if (has_key(c) || std::any_of(m.include.begin(), m.include.end(),
                                    [&](const std::string& x) { return lower(x) == lower(c); }))
        continue;
      m.include.push_back(c);
    }
    if (m.key() == a.key() || m.keys.size() + m.include.size() > options_.max_merged_columns)
      return std::nullopt;
    return m;
  }

  std::string unique_name(const std::string& name) { return unique_index_name(name, &names_); }

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
          !narrow.same_where(wide) || narrow.keys.size() > wide.keys.size() ||
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

  static constexpr size_t kNone = std::numeric_limits<size_t>::max();
  static constexpr double kUnknown = std::numeric_limits<double>::infinity();

  const std::vector<WorkloadQuery>& workload_;
  // The generated candidates, then the merges built during the selection.
  std::vector<Candidate> candidates_;
  size_t originals_;
  std::vector<size_t> from_;  // a merge: the chosen index it extends; kNone otherwise
  std::vector<bool> taken_;
  std::vector<double> bound_;  // lazy greedy: the net gain last measured (an upper bound)
  std::map<std::string, size_t> by_key_;
  std::set<std::string> names_;  // lower-case: every candidate's and existing index's name
  int64_t data_bytes_ = 0;       // the tables the workload reads, their own pages
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
