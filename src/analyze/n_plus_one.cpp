#include "analyze/n_plus_one.h"

#include <algorithm>
#include <fmt/format.h>

#include "querylens/sql/lexer.h"

namespace querylens::analyze {

// Sessions kept at once; beyond it (a log of many short sessions) every open run is closed and
// the table starts over: a run cut there is at most one missed occurrence.
static constexpr size_t kMaxSessions = 1 << 16;

NPlusOneAnalyzer::NPlusOneAnalyzer(const AnalyzeOptions& options)
    : min_repeats_(options.n_plus_one_min_repeats), min_total_ns_(options.n_plus_one_min_total_ns) {}

bool NPlusOneAnalyzer::is_read(const QueryShape* shape) {
  auto [it, inserted] = read_cache_.try_emplace(shape, false);
  if (inserted) {
    // The first keyword says what the statement is; a WITH may hide a write, which is rare
    // enough in N+1 loops to accept.
    sql::LexResult lexed = sql::lex(shape->normalized);
    size_t i = 0;
    while (i < lexed.tokens.size() && lexed.tokens[i].is("(")) ++i;
    it->second = i < lexed.tokens.size() && (lexed.tokens[i].is_word("select") || lexed.tokens[i].is_word("with"));
  }
  return it->second;
}

void NPlusOneAnalyzer::close(const std::string& session, Run& run) {
  (void)session;
  if (run.shape == nullptr || run.parent == nullptr || run.count < min_repeats_ || run.total_ns < min_total_ns_) return;
  if (run.parent_rows == 0) return;  // the parent query returned nothing to loop over
  if (!is_read(run.shape)) return;
  Pattern& p = patterns_[{run.parent, run.shape}];
  ++p.occurrences;
  p.repeats += run.count;
  p.max_repeats = std::max(p.max_repeats, run.count);
  p.total_ns += run.total_ns;
}

void NPlusOneAnalyzer::observe(const QueryEvent& event) {
  if (event.shape == nullptr) return;
  if (sessions_.size() >= kMaxSessions && !sessions_.count(std::string(event.session))) {
    for (auto& [session, run] : sessions_) close(session, run);
    sessions_.clear();
  }
  auto [it, inserted] = sessions_.try_emplace(std::string(event.session));
  Run& run = it->second;
  int64_t duration = event.timed() ? event.duration_ns : 0;
  if (run.shape == event.shape) {
    ++run.count;
    run.total_ns += duration;
    run.last_rows = event.rows;
    return;
  }
  close(it->first, run);
  run = Run{event.shape, 1, duration, /*parent=*/run.shape, /*parent_rows=*/run.last_rows, event.rows};
}

void NPlusOneAnalyzer::analyze(const AnalysisInput& input, std::vector<Finding>& out) {
  for (auto& [session, run] : sessions_) close(session, run);
  sessions_.clear();
  std::vector<std::pair<std::pair<const QueryShape*, const QueryShape*>, Pattern>> found(patterns_.begin(),
                                                                                       patterns_.end());
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.second.total_ns > b.second.total_ns; });
  for (const auto& [key, p] : found) {
    const auto& [parent, repeated] = key;
    double total_ms = static_cast<double>(p.total_ns) / 1e6;
    double mean_repeats = static_cast<double>(p.repeats) / static_cast<double>(p.occurrences);
    Finding f;
    f.rule = "n-plus-one";
    // Ten times the threshold in one pattern is user-visible latency on every such request.
    f.severity = p.total_ns >= 10 * input.options.n_plus_one_min_total_ns ? Severity::kHigh : Severity::kMedium;
    f.title = fmt::format("N+1: one query per parent row, {:.0f}× per request", mean_repeats);
    f.detail = fmt::format(
        "{} time(s), right after `{}`, the query `{}` ran {:.1f} times in a row on average (at most {}) — {:.1f} ms "
        "in all, {} calls that one query could answer.",
        p.occurrences, parent->normalized, repeated->normalized, mean_repeats, p.max_repeats, total_ms, p.repeats);
    f.fingerprints = {repeated->fingerprint_hex(), parent->fingerprint_hex()};
    f.recommendation =
        "Fetch the children of all parent rows at once: one query with `IN (…)` / `= ANY($1)` over the parent keys, "
        "or a JOIN with the parent query. In an ORM, eager-load the relationship (SQLAlchemy selectinload / "
        "joinedload, Django prefetch_related / select_related).";
    out.push_back(std::move(f));
  }
}

}  // namespace querylens::analyze
