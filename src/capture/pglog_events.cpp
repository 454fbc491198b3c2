// From log records to QueryEvents: which messages are statements, and what belongs together.
#include <charconv>
#include <unordered_map>

#include "querylens/capture/pglog.h"

namespace querylens::capture {
namespace {

bool starts_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.compare(0, p.size(), p) == 0;
}

// "12.345 ms" → nanoseconds; false when the text is not a duration in ms.
bool parse_duration_ms(std::string_view s, int64_t* ns, size_t* consumed) {
  size_t i = 0;
  int64_t whole = 0, frac = 0, scale = 100000;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') whole = whole * 10 + (s[i++] - '0');
  if (i == 0) return false;
  if (i < s.size() && s[i] == '.') {
    for (++i; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, scale /= 10)
      frac += (s[i] - '0') * scale;
  }
  if (s.compare(i, 3, " ms") != 0) return false;
  *ns = whole * 1'000'000 + frac;
  *consumed = i + 3;
  return true;
}

// The text after "<name>: " of "execute <name>: SQL" (also "execute fetch from S_1/C_2: SQL").
std::string_view after_name(std::string_view s) {
  size_t colon = s.find(": ");
  return colon == std::string_view::npos ? std::string_view{} : s.substr(colon + 2);
}

// The stderr log appends the error's cursor position to the message (" at character 15");
// csvlog and jsonlog keep it apart. The same error reads the same in every format.
std::string_view without_position(std::string_view m) {
  size_t at = m.rfind(" at character ");
  if (at == std::string_view::npos || at + 14 == m.size()) return m;
  for (size_t i = at + 14; i < m.size(); ++i) {
    if (m[i] < '0' || m[i] > '9') return m;
  }
  return m.substr(0, at);
}

enum class Txn { kNone, kBegin, kEnd };

// Transaction control by the statement's first words, case-insensitively. COMMIT PREPARED,
// ROLLBACK PREPARED and ROLLBACK TO SAVEPOINT do not end the session's transaction.
Txn transaction_control(std::string_view sql) {
  size_t i = 0;
  while (i < sql.size() && (sql[i] == ' ' || sql[i] == '\n' || sql[i] == '\t' || sql[i] == '\r'))
    ++i;
  if (i == sql.size()) return Txn::kNone;
  char c = static_cast<char>(sql[i] | 0x20);
  if (c != 'b' && c != 's' && c != 'c' && c != 'e' && c != 'r' && c != 'a')
    return Txn::kNone;  // most statements
  auto word = [&](size_t at, size_t* end) {
    size_t j = at;
    while (j < sql.size() && ((sql[j] | 0x20) >= 'a' && (sql[j] | 0x20) <= 'z')) ++j;
    *end = j;
    return sql.substr(at, j - at);
  };
  auto is = [](std::string_view w, std::string_view upper) {
    if (w.size() != upper.size()) return false;
    for (size_t k = 0; k < w.size(); ++k) {
      if ((w[k] & ~0x20) != upper[k]) return false;
    }
    return true;
  };
  size_t end = 0;
  std::string_view first = word(i, &end);
  while (end < sql.size() && (sql[end] == ' ' || sql[end] == '\n' || sql[end] == '\t')) ++end;
  std::string_view second = word(end, &end);
  if (is(first, "BEGIN") || (is(first, "START") && is(second, "TRANSACTION"))) return Txn::kBegin;
  if (is(first, "COMMIT") || is(first, "END") || is(first, "ROLLBACK") || is(first, "ABORT")) {
    if (is(second, "PREPARED") || is(second, "TO")) return Txn::kNone;
    return Txn::kEnd;
  }
  return Txn::kNone;
}

// A log_statement line waiting for its log_duration line; owns copies (the record is gone).
struct Waiting {
  bool active = false;
  int64_t time_us = 0;
  std::string sql, params, session, user, database, application, client;
};

struct Backend {
  int64_t transaction = kUnknown;
  std::string session;
  Waiting waiting;
};

}  // namespace

struct PgLogEvents::Impl {
  QueryObserver& out;
  std::unordered_map<int64_t, Backend> backends;
  int64_t next_transaction = 1;
  uint64_t events = 0;
  uint64_t plans = 0;       // auto_explain JSON plans passed on
  uint64_t text_plans = 0;  // auto_explain plans in text format (not read)
  Tags tags;
  char pid_text[24];

  explicit Impl(QueryObserver& o) : out(o) {}

  Backend& backend(const PgLogRecord& r) {
    Backend& b = backends[r.pid];
    if (!r.session.empty() && b.session != r.session) {  // the pid was reused by a new session
      if (!b.session.empty()) {
        deliver_waiting(r.pid, b, kUnknown);
        b.transaction = kUnknown;
      }
      b.session.assign(r.session);
    }
    return b;
  }

  // Reuses the strings of `tags` so a steady stream of events allocates nothing.
  void set_tag(size_t* n, std::string_view name, std::string_view value) {
    if (value.empty()) return;
    if (*n < tags.size()) {
      if (tags[*n].first != name) tags[*n].first.assign(name);
      tags[*n].second.assign(value);
    } else {
      tags.emplace_back(std::string(name), std::string(value));
    }
    ++*n;
  }

  void emit(int64_t pid, Backend& b, std::string_view sql, std::string_view error, int64_t time_us,
            int64_t duration_ns, bool time_is_end, std::string_view session, std::string_view user,
            std::string_view database, std::string_view application, std::string_view client,
            std::string_view params) {
    QueryEvent e;
    e.sql = sql;
    e.error = error;
    e.duration_ns = duration_ns;
    // A duration line is written when the statement ends: it started that much earlier.
    e.start_us =
        time_us > 0 && time_is_end && duration_ns > 0 ? time_us - duration_ns / 1000 : time_us;
    if (session.empty() && pid != kUnknown) {
      auto [end, ec] = std::to_chars(pid_text, pid_text + sizeof pid_text, pid);
      session = std::string_view(pid_text, static_cast<size_t>(end - pid_text));
    }
    e.session = session;
    Txn txn = transaction_control(sql);
    if (txn == Txn::kBegin && b.transaction == kUnknown) b.transaction = next_transaction++;
    e.transaction_id = b.transaction;
    if (txn == Txn::kEnd) b.transaction = kUnknown;
    size_t n = 0;
    set_tag(&n, "user", user);
    set_tag(&n, "database", database);
    set_tag(&n, "application", application);
    set_tag(&n, "client", client);
    set_tag(&n, "params", params);
    tags.resize(n);
    e.tags = n > 0 ? &tags : nullptr;
    out.on_query(e);
    ++events;
  }

  void emit_record(const PgLogRecord& r, Backend& b, std::string_view sql, std::string_view error,
                   int64_t duration_ns, std::string_view params) {
    emit(r.pid, b, sql, error, r.time_us, duration_ns, true, r.session, r.user, r.database,
         r.application, r.client, params);
  }

  void deliver_waiting(int64_t pid, Backend& b, int64_t duration_ns) {
    Waiting& w = b.waiting;
    if (!w.active) return;
    w.active = false;
    emit(pid, b, w.sql, {}, w.time_us, duration_ns, false, w.session, w.user, w.database,
         w.application, w.client, w.params);
  }

  // A log_statement line: it waits, because a bare `duration:` line may follow and time it.
  void wait(const PgLogRecord& r, Backend& b, std::string_view sql, std::string_view params) {
    deliver_waiting(r.pid, b, kUnknown);
    Waiting& w = b.waiting;
    w.active = true;
    w.time_us = r.time_us;
    w.sql.assign(sql);
    w.params.assign(params);
    w.session.assign(r.session);
    w.user.assign(r.user);
    w.database.assign(r.database);
    w.application.assign(r.application);
    w.client.assign(r.client);
  }

  // The statement's own timed or failed line: log_statement's earlier line for the same text
  // is the same execution, not another one.
  void settle_waiting(const PgLogRecord& r, Backend& b, std::string_view sql) {
    if (!b.waiting.active) return;
    if (b.waiting.sql == sql) {
      b.waiting.active = false;
    } else {
      deliver_waiting(r.pid, b, kUnknown);
    }
  }

  // auto_explain: the plan as JSON (auto_explain.log_format = json); text-format plans carry
  // no machine-readable tree and are counted, not read.
  void plan(const PgLogRecord& r, std::string_view body, int64_t duration_ns) {
    size_t brace = body.find('{');
    if (brace == std::string_view::npos) {
      ++text_plans;
      return;
    }
    CapturedPlan p;
    p.plan_json = body.substr(brace);
    p.duration_ns = duration_ns;
    p.start_us = r.time_us > 0 && duration_ns > 0 ? r.time_us - duration_ns / 1000 : r.time_us;
    p.session = r.session;
    out.on_plan(p);
    ++plans;
  }

  void end_session(int64_t pid, Backend& b) {
    deliver_waiting(pid, b, kUnknown);
    backends.erase(pid);
  }

  void add(const PgLogRecord& r) {
    std::string_view m = r.message;
    if (r.severity == "LOG") {
      if (starts_with(m, "duration: ")) {
        int64_t ns;
        size_t n;
        if (!parse_duration_ms(m.substr(10), &ns, &n)) return;
        std::string_view rest = m.substr(10 + n);
        Backend& b = backend(r);
        if (rest.empty()) {  // log_duration: times the log_statement line before it
          deliver_waiting(r.pid, b, ns);
          return;
        }
        std::string_view sql, params;
        if (starts_with(rest, "  statement: ")) {
          sql = rest.substr(13);
        } else if (starts_with(rest, "  execute ")) {
          sql = after_name(rest.substr(10));
          if (starts_with(r.detail, "parameters: ")) params = r.detail.substr(12);
        } else if (starts_with(rest, "  plan:")) {
          plan(r, rest.substr(7), ns);
          return;
        } else {
          return;  // parse / bind phases, fastpath calls
        }
        settle_waiting(r, b, sql);
        emit_record(r, b, sql, {}, ns, params);
      } else if (starts_with(m, "statement: ")) {
        wait(r, backend(r), m.substr(11), {});
      } else if (starts_with(m, "execute ")) {
        std::string_view params =
            starts_with(r.detail, "parameters: ") ? r.detail.substr(12) : std::string_view{};
        wait(r, backend(r), after_name(m.substr(8)), params);
      } else if (starts_with(m, "disconnection: ")) {
        end_session(r.pid, backend(r));
      }
      return;
    }
    bool fatal = r.severity == "FATAL" || r.severity == "PANIC";
    if (r.severity != "ERROR" && !fatal) return;
    Backend& b = backend(r);
    if (!r.statement.empty()) {
      settle_waiting(r, b, r.statement);
      emit_record(r, b, r.statement, m.empty() ? std::string_view("error") : without_position(m),
                  kUnknown, {});
    }
    if (fatal) end_session(r.pid, b);
  }
};

PgLogEvents::PgLogEvents(QueryObserver& out) : impl_(std::make_unique<Impl>(out)) {}
PgLogEvents::~PgLogEvents() = default;

void PgLogEvents::add(const PgLogRecord& record) {
  impl_->add(record);
  // Bounded memory whatever the log: backends that never said goodbye are forgotten in bulk.
  if (impl_->backends.size() > 65536) finish();
}

void PgLogEvents::finish() {
  for (auto& [pid, b] : impl_->backends) impl_->deliver_waiting(pid, b, kUnknown);
  impl_->backends.clear();
}

uint64_t PgLogEvents::events() const { return impl_->events; }
uint64_t PgLogEvents::plans() const { return impl_->plans; }
uint64_t PgLogEvents::text_plans() const { return impl_->text_plans; }

}  // namespace querylens::capture
