// From log records to QueryEvents: which messages are statements, and what belongs together.
#include <charconv>
#include <cstring>
#include <unordered_map>

#include "capture/pglog_edge.h"
#include "capture/same_bytes.h"
#include "querylens/capture/pglog.h"
#include "querylens/plan/parse.h"

namespace querylens::capture {
namespace {

// `a` equals `b`, a literal: inlined, memcmp's length is a constant and the compiler compares
// by 8-, 4- and 2-byte loads, no call ("duration: " is two loads). A byte loop ran ~2
// instructions a byte; a call to memcmp with a length unknown was dearer still (~4% of a
// log digest).
inline bool same_text(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), b.size()) == 0;
}

inline bool starts_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && std::memcmp(s.data(), p.data(), p.size()) == 0;
}

// "12.345 ms" → nanoseconds; false when the text is not a duration in ms.
bool parse_duration_ms(std::string_view s, int64_t* ns, size_t* consumed) {
  size_t i = 0;
  int64_t whole = 0, frac = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') whole = whole * 10 + (s[i++] - '0');
  if (i == 0) return false;
  // The server writes "%ld.%03d ms": its three digits and " ms" read at once (what the loop
  // below makes of them).
  if (s.size() - i >= 7 && s[i] == '.') {
    unsigned d0 = static_cast<unsigned char>(s[i + 1]) - 48u;
    unsigned d1 = static_cast<unsigned char>(s[i + 2]) - 48u;
    unsigned d2 = static_cast<unsigned char>(s[i + 3]) - 48u;
    if (d0 <= 9 && d1 <= 9 && d2 <= 9 && s[i + 4] == ' ' && s[i + 5] == 'm' && s[i + 6] == 's') {
      *ns = whole * 1'000'000 + (d0 * 100 + d1 * 10 + d2) * 1000;
      *consumed = i + 7;
      return true;
    }
  }
  if (i < s.size() && s[i] == '.') {
    // Digits past the sixth (below a nanosecond) count for nothing; the fraction is scaled
    // once at the end, not by a division per digit.
    int digits = 0;
    for (++i; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
      if (digits < 6) {
        frac = frac * 10 + (s[i] - '0');
        ++digits;
      }
    }
    for (; digits < 6; ++digits) frac *= 10;  // the first digit is tenths of a ms: 100000 ns
  }
  if (!(i + 3 <= s.size() && s[i] == ' ' && s[i + 1] == 'm' && s[i + 2] == 's')) return false;
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
  // Most statements are out at their first two letters (SELECT, UPDATE, INSERT).
  char c = static_cast<char>(sql[i] | 0x20);
  char c2 = i + 1 < sql.size() ? static_cast<char>(sql[i + 1] | 0x20) : '\0';
  bool maybe = (c == 'b' && c2 == 'e') || (c == 's' && c2 == 't') || (c == 'c' && c2 == 'o') ||
               (c == 'e' && c2 == 'n') || (c == 'r' && c2 == 'o') || (c == 'a' && c2 == 'b');
  if (!maybe) return Txn::kNone;
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

using Waiting = WaitingStatement;

struct Backend {
  int64_t transaction = kUnknown;
  std::string session;
  Waiting waiting;
  // A part that starts mid-file has not seen this backend's earlier records: what its first
  // records do to a statement waiting from before goes to the edge (pglog_edge.h).
  bool fresh = false;
  // The pid as text, the session of its events when the prefix has no %c: written once, not
  // per event (to_chars was ~2% of a log digest).
  char pid_text[24];
  uint8_t pid_text_size = 0;
};

// The parts of one event, as a record or a waiting statement has them.
struct EventParts {
  int64_t pid = kUnknown;
  std::string_view sql, error;
  int64_t time_us = 0, duration_ns = kUnknown, transaction_id = kUnknown;
  bool time_is_end = false;
  std::string_view session, user, database, application, client, params;
  std::string_view pid_text;  // the pid as text when the caller has it ("" = from pid)
};

// Tag `k` of `tags` is name = value when the value is not empty. Inline, so that the name is a
// literal and its comparison unrolls (a call per tag was ~5% of a log digest, callgrind).
[[gnu::always_inline]] inline void put_tag(Tags& tags, size_t& k, std::string_view name,
                                           std::string_view value) {
  if (value.empty()) return;
  if (k < tags.size()) {
    auto& [tag_name, tag_value] = tags[k];
    if (!same_text(tag_name, name)) tag_name.assign(name);
    // user, database: the same from event to event
    if (tag_value.size() != value.size() ||
        !same_bytes(tag_value.data(), value.data(), value.size()))
      tag_value.assign(value);
  } else {
    tags.emplace_back(std::string(name), std::string(value));
  }
  ++k;
}

// The event's tags in the vector kept for their number (it has that many from its first use
// on): a steady stream of events allocates nothing. Null when there are none.
const Tags* set_tags(EventTags* scratch, const EventParts& p) {
  size_t n = !p.user.empty() + !p.database.empty() + !p.application.empty() + !p.client.empty() +
             !p.params.empty();
  if (n == 0) return nullptr;
  Tags& tags = scratch->by_count[n];
  size_t k = 0;
  put_tag(tags, k, "user", p.user);
  put_tag(tags, k, "database", p.database);
  put_tag(tags, k, "application", p.application);
  put_tag(tags, k, "client", p.client);
  put_tag(tags, k, "params", p.params);
  return &tags;
}

void publish(QueryObserver& out, const EventParts& p, EventTags* tags) {
  QueryEvent e;
  e.sql = p.sql;
  e.error = p.error;
  e.duration_ns = p.duration_ns;
  // A duration line is written when the statement ends: it started that much earlier.
  e.start_us = p.time_us > 0 && p.time_is_end && p.duration_ns > 0
                   ? p.time_us - p.duration_ns / 1000
                   : p.time_us;
  char pid_text[24];
  std::string_view session = p.session;
  if (session.empty() && !p.pid_text.empty()) {
    session = p.pid_text;
  } else if (session.empty() && p.pid != kUnknown) {
    auto [end, ec] = std::to_chars(pid_text, pid_text + sizeof pid_text, p.pid);
    session = std::string_view(pid_text, static_cast<size_t>(end - pid_text));
  }
  e.session = session;
  e.transaction_id = p.transaction_id;
  e.tags = set_tags(tags, p);
  out.on_query(e);
}

// Who ran it: the session and prefix fields a log record and a waiting statement both carry.
template <typename Source>
void set_origin(EventParts* p, const Source& s) {
  p->session = s.session;
  p->user = s.user;
  p->database = s.database;
  p->application = s.application;
  p->client = s.client;
}

EventParts waiting_parts(int64_t pid, const Waiting& w, int64_t duration_ns) {
  EventParts p;
  p.pid = pid;
  p.sql = w.sql;
  p.time_us = w.time_us;
  p.duration_ns = duration_ns;
  set_origin(&p, w);
  p.params = w.params;
  return p;
}

}  // namespace

void publish_waiting(QueryObserver& out, int64_t pid, const WaitingStatement& w,
                     int64_t duration_ns, int64_t transaction_id, EventTags* tags) {
  EventParts p = waiting_parts(pid, w, duration_ns);
  p.transaction_id = transaction_id;
  publish(out, p, tags);
}

struct PgLogEvents::Impl {
  QueryObserver& out;
  PgLogPart part;
  std::unordered_map<int64_t, Backend> backends;
  int64_t next_transaction = 1;
  uint64_t events = 0;
  uint64_t plans = 0;       // auto_explain JSON plans passed on
  uint64_t text_plans = 0;  // auto_explain plans in text format (not read)
  EventTags tags;
  PgLogEdge edge;

  Impl(QueryObserver& o, const PgLogPart& p)
      : out(o), part(p), next_transaction(p.first_transaction) {}

  Backend& backend(const PgLogRecord& r) {
    auto [it, inserted] = backends.try_emplace(r.pid);
    Backend& b = it->second;
    if (inserted && r.pid != kUnknown) {
      auto [end, ec] = std::to_chars(b.pid_text, b.pid_text + sizeof b.pid_text, r.pid);
      b.pid_text_size = static_cast<uint8_t>(end - b.pid_text);
    }
    // A pid first met in a part that starts mid-file (and not met before in it: a backend that
    // disconnected and came back is known to start clean).
    if (inserted && part.starts_mid_file) b.fresh = edge.starts.try_emplace(r.pid).second;
    if (!r.session.empty() && b.session != r.session) {  // the pid was reused by a new session
      if (!b.session.empty()) {
        deliver_waiting(r.pid, b, kUnknown);
        b.transaction = kUnknown;
      } else if (b.fresh) {
        edge.starts[r.pid].first_session.assign(r.session);  // the join compares it
      }
      b.session.assign(r.session);
    }
    return b;
  }

  // The first record of a fresh backend that settles what may be waiting from before.
  void touch(int64_t pid, Backend& b, FirstTouch how, int64_t duration_ns, std::string_view sql) {
    b.fresh = false;
    BackendStart& start = edge.starts[pid];
    start.touch = how;
    start.duration_ns = duration_ns;
    start.settle_sql.assign(sql);
  }

  void emit(int64_t pid, Backend& b, EventParts& p) {
    Txn txn = transaction_control(p.sql);
    if (txn == Txn::kBegin && b.transaction == kUnknown) b.transaction = next_transaction++;
    p.pid = pid;
    p.pid_text = std::string_view(b.pid_text, b.pid_text_size);
    p.transaction_id = b.transaction;
    if (txn == Txn::kEnd) b.transaction = kUnknown;
    publish(out, p, &tags);
    ++events;
  }

  void emit_record(const PgLogRecord& r, Backend& b, std::string_view sql, std::string_view error,
                   int64_t duration_ns, std::string_view params) {
    EventParts p;
    p.sql = sql;
    p.error = error;
    p.time_us = r.time_us;
    p.duration_ns = duration_ns;
    p.time_is_end = true;
    set_origin(&p, r);
    p.params = params;
    emit(r.pid, b, p);
  }

  void deliver_waiting(int64_t pid, Backend& b, int64_t duration_ns) {
    Waiting& w = b.waiting;
    if (!w.active) {
      if (b.fresh)
        touch(pid, b, duration_ns >= 0 ? FirstTouch::kTimed : FirstTouch::kUntimed, duration_ns,
              {});
      return;
    }
    w.active = false;
    EventParts p = waiting_parts(pid, w, duration_ns);
    emit(pid, b, p);
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
    if (!b.waiting.active) {
      if (b.fresh) touch(r.pid, b, FirstTouch::kSettle, kUnknown, sql);
      return;
    }
    if (b.waiting.sql == sql) {
      b.waiting.active = false;
    } else {
      deliver_waiting(r.pid, b, kUnknown);
    }
  }

  // auto_explain: the plan as JSON (log_format = json: the body is an object) or as text
  // ("Query Text: …" and the tree). A text plan must have both to be passed on.
  const char* plan(const PgLogRecord& r, std::string_view body, int64_t duration_ns) {
    size_t first = body.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return "an auto_explain plan entry with no plan in it";
    CapturedPlan p;
    if (body[first] == '{') {
      p.plan_json = body.substr(first);
    } else {
      p.plan_text = body.substr(first);
      if (!plan::postgres_text_plan_query_text(p.plan_text))
        return "an auto_explain plan in text format without its Query Text or plan tree";
      ++text_plans;
    }
    p.duration_ns = duration_ns;
    p.start_us = r.time_us > 0 && duration_ns > 0 ? r.time_us - duration_ns / 1000 : r.time_us;
    p.session = r.session;
    out.on_plan(p);
    ++plans;
    return nullptr;
  }

  void end_session(int64_t pid, Backend& b) {
    deliver_waiting(pid, b, kUnknown);
    backends.erase(pid);
  }

  // Inline into PgLogEvents::add(), its one caller: a call of its own per record.
  [[gnu::always_inline]] const char* add(const PgLogRecord& r) {
    std::string_view m = r.message;
    if (r.severity == "LOG") {
      if (starts_with(m, "duration: ")) {
        int64_t ns;
        size_t n;
        if (!parse_duration_ms(m.substr(10), &ns, &n)) return nullptr;
        std::string_view rest = m.substr(10 + n);
        Backend& b = backend(r);
        if (rest.empty()) {  // log_duration: times the log_statement line before it
          deliver_waiting(r.pid, b, ns);
          return nullptr;
        }
        std::string_view sql, params;
        if (starts_with(rest, "  statement: ")) {
          sql = rest.substr(13);
        } else if (starts_with(rest, "  execute ")) {
          sql = after_name(rest.substr(10));
          if (starts_with(r.detail, "parameters: ")) params = r.detail.substr(12);
        } else if (starts_with(rest, "  plan:")) {
          return plan(r, rest.substr(7), ns);
        } else {
          return nullptr;  // parse / bind phases, fastpath calls
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
      return nullptr;
    }
    bool fatal = r.severity == "FATAL" || r.severity == "PANIC";
    if (r.severity != "ERROR" && !fatal) return nullptr;
    Backend& b = backend(r);
    if (!r.statement.empty()) {
      settle_waiting(r, b, r.statement);
      emit_record(r, b, r.statement, m.empty() ? std::string_view("error") : without_position(m),
                  kUnknown, {});
    }
    if (fatal) end_session(r.pid, b);
    return nullptr;
  }
};

PgLogEvents::PgLogEvents(QueryObserver& out, const PgLogPart& part)
    : impl_(std::make_unique<Impl>(out, part)) {}
PgLogEvents::~PgLogEvents() = default;

const char* PgLogEvents::add(const PgLogRecord& record) {
  const char* problem = impl_->add(record);
  // Bounded memory whatever the log: backends that never said goodbye are forgotten in bulk
  // (delivered, also in a part: -j N is exact below this many live backends per part).
  if (impl_->backends.size() > 65536) {
    for (auto& [pid, b] : impl_->backends) impl_->deliver_waiting(pid, b, kUnknown);
    impl_->backends.clear();
  }
  return problem;
}

void PgLogEvents::finish() {
  for (auto& [pid, b] : impl_->backends) {
    if (!b.waiting.active) continue;  // (a fresh backend has nothing of its own waiting)
    if (impl_->part.ends_mid_file) {  // a later part may hold its duration line
      impl_->edge.sessions[pid] = b.session;
      impl_->edge.waiting[pid] = std::move(b.waiting);
    } else {
      impl_->deliver_waiting(pid, b, kUnknown);
    }
  }
  impl_->backends.clear();
}

uint64_t PgLogEvents::events() const { return impl_->events; }
uint64_t PgLogEvents::plans() const { return impl_->plans; }
uint64_t PgLogEvents::text_plans() const { return impl_->text_plans; }
const PgLogEdge& PgLogEvents::edge() const { return impl_->edge; }

}  // namespace querylens::capture
