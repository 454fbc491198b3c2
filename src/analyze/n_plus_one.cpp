#include "analyze/n_plus_one.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "querylens/sql/lexer.h"
#include "querylens/sql/statement_model.h"

namespace querylens::analyze {

// Sessions kept at once; beyond it (a log of many short sessions) every open run is closed and
// the table starts over: a run cut there is at most one missed occurrence.
static constexpr size_t kMaxSessions = 1 << 16;

NPlusOneAnalyzer::NPlusOneAnalyzer(const AnalyzeOptions& options)
    : min_repeats_(options.n_plus_one_min_repeats),
      min_total_ns_(options.n_plus_one_min_total_ns) {}

bool NPlusOneAnalyzer::is_read(const QueryShape* shape) {
  auto [it, inserted] = read_cache_.try_emplace(shape, false);
  if (inserted) {
    // The first keyword says what the statement is; a WITH may hide a write, which is rare
    // enough in N+1 loops to accept.
    sql::LexResult lexed = sql::lex(shape->normalized);
    size_t i = 0;
    while (i < lexed.tokens.size() && lexed.tokens[i].is("(")) ++i;
    it->second = i < lexed.tokens.size() &&
                 (lexed.tokens[i].is_word("select") || lexed.tokens[i].is_word("with"));
  }
  return it->second;
}

namespace {

// The batched form of a repeated lookup `… WHERE key = $n`: `… WHERE key = ANY($n)` with the
// key added to the select list (so the caller can hand each row to its parent). Empty when
// the statement is not one equality lookup on a parameter that this can rewrite safely.
std::string batched_form(const std::string& text) {
  sql::StatementModel model = sql::build_statement_model(text);
  if (!model.analyzed || model.kind != sql::StatementKind::kSelect || model.blocks.empty())
    return {};
  const sql::QueryBlock& top = model.blocks[0];
  if (top.is_set_operation || top.limit || top.limit_param)
    return {};  // LIMIT per parent cannot be batched
  const sql::ColumnUse* key = nullptr;
  for (const sql::ColumnUse& use : model.columns) {
    if (use.block != 0 || use.clause != sql::Clause::kWhere ||
        use.role != sql::ColumnRole::kEqualityFilter)
      continue;
    if (key != nullptr) return {};  // two equality lookups: which one is the parent key is a guess
    key = &use;
  }
  if (key == nullptr || key->location < 0) return {};
  sql::LexResult lexed = sql::lex(text);
  if (!lexed.ok) return {};
  const auto& tokens = lexed.tokens;
  size_t i = 0;
  while (i < tokens.size() && tokens[i].offset < static_cast<size_t>(key->location)) ++i;
  // [qualifier .] column = $n
  if (i + 2 < tokens.size() && tokens[i + 1].is(".")) i += 2;
  if (i + 2 >= tokens.size() || !tokens[i + 1].is("=") ||
      tokens[i + 2].kind != sql::TokenKind::kParam)
    return {};
  const sql::Token& param = tokens[i + 2];
  std::string key_text(
      text.substr(static_cast<size_t>(key->location),
                  tokens[i].offset + tokens[i].text.size() - static_cast<size_t>(key->location)));
  // Where the select list ends: the first FROM at parenthesis depth 0.
  size_t from = std::string::npos;
  int depth = 0;
  for (const sql::Token& t : tokens) {
    if (t.is("(")) ++depth;
    if (t.is(")")) --depth;
    if (depth == 0 && t.is_word("from")) {
      from = t.offset;
      break;
    }
  }
  if (from == std::string::npos) return {};
  bool selected = top.star_over_table;
  for (const auto& [qualifier, column] : top.target_columns) selected |= column == key->column;
  std::string out = text.substr(0, param.offset);
  out += "ANY(" + std::string(param.text) + ")";
  out += text.substr(param.offset + param.text.size());
  if (!selected) {
    size_t end = from;
    while (end > 0 && std::isspace(static_cast<unsigned char>(out[end - 1]))) --end;
    out.insert(end, ", " + key_text);
  }
  return out + ";  -- " + std::string(param.text) +
         " = the array of parent keys (SQLite: IN (…) with the keys)";
}

}  // namespace

void NPlusOneAnalyzer::close(const std::string& session, Run& run) {
  if (run.head) {  // its parent and first repeats are in the part before: merge() closes it
    heads_.try_emplace(session, run);
    return;
  }
  if (run.shape == nullptr || run.parent == nullptr || run.count < min_repeats_ ||
      run.total_ns < min_total_ns_)
    return;
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
  run = Run{event.shape,
            1,
            duration,
            /*parent=*/run.shape,
            /*parent_rows=*/run.last_rows,
            event.rows,
            inserted && mid_stream_};
}

void NPlusOneAnalyzer::merge(Analyzer& other) {
  auto& later = static_cast<NPlusOneAnalyzer&>(other);
  for (auto& [key, p] : later.patterns_) {
    Pattern& mine = patterns_[key];
    mine.occurrences += p.occurrences;
    mine.repeats += p.repeats;
    mine.max_repeats = std::max(mine.max_repeats, p.max_repeats);
    mine.total_ns += p.total_ns;
  }
  for (auto& [session, tail] : later.sessions_) {
    // The session's first run in the later part, and whether a later run followed it there.
    auto closed = later.heads_.find(session);
    Run head = closed != later.heads_.end() ? closed->second : tail;
    bool head_closed = closed != later.heads_.end();
    head.head = false;
    Run next = tail;
    next.head = false;
    auto mine = sessions_.find(session);
    if (mine == sessions_.end()) {  // a new session: its first run has no parent
      head.parent = nullptr;
      head.parent_rows = kUnknown;
      if (head_closed) close(session, head);
      sessions_.emplace(session, head_closed ? next : head);
      continue;
    }
    Run& run = mine->second;
    if (run.shape == head.shape) {  // the run goes on across the edge
      run.count += head.count;
      run.total_ns += head.total_ns;
      run.last_rows = head.last_rows;
      if (head_closed) {
        close(session, run);
        run = next;
      }
      continue;
    }
    close(session, run);
    head.parent = run.shape;
    head.parent_rows = run.last_rows;
    if (head_closed) {
      close(session, head);
      run = next;
    } else {
      run = head;
    }
  }
  later.sessions_.clear();
  later.heads_.clear();
  later.patterns_.clear();
}

void NPlusOneAnalyzer::analyze(const AnalysisInput& input, std::vector<Finding>& out) {
  for (auto& [session, run] : sessions_) close(session, run);
  sessions_.clear();
  std::vector<std::pair<std::pair<const QueryShape*, const QueryShape*>, Pattern>> found(
      patterns_.begin(), patterns_.end());
  std::sort(found.begin(), found.end(),
            [](const auto& a, const auto& b) { return a.second.total_ns > b.second.total_ns; });
  for (const auto& [key, p] : found) {
    const auto& [parent, repeated] = key;
    double total_ms = static_cast<double>(p.total_ns) / 1e6;
    double mean_repeats = static_cast<double>(p.repeats) / static_cast<double>(p.occurrences);
    Finding f;
    f.rule = "n-plus-one";
    // Ten times the threshold in one pattern is user-visible latency on every such request.
    f.severity = p.total_ns >= 10 * input.options.n_plus_one_min_total_ns ? Severity::kHigh
                                                                          : Severity::kMedium;
    f.title = fmt::format("N+1: one query per parent row, {:.0f}× per request", mean_repeats);
    f.detail = fmt::format(
        "{} time(s), right after `{}`, the query `{}` ran {:.1f} times in a row on average (at "
        "most {}) — {:.1f} ms "
        "in all, {} calls that one query could answer.",
        p.occurrences, parent->normalized, repeated->normalized, mean_repeats, p.max_repeats,
        total_ms, p.repeats);
    f.fingerprints = {repeated->fingerprint_hex(), parent->fingerprint_hex()};
    f.fix_sql = batched_form(repeated->normalized);
    f.recommendation =
        "Fetch the children of all parent rows at once: one query with `IN (…)` / `= ANY($1)` over "
        "the parent keys, "
        "or a JOIN with the parent query. In an ORM, eager-load the relationship (SQLAlchemy "
        "selectinload / "
        "joinedload, Django prefetch_related / select_related).";
    out.push_back(std::move(f));
  }
}

}  // namespace querylens::analyze
