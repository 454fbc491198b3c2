// Private to src/db: what both engines share — timing and publishing one QueryEvent per
// execution, classifying statements, and the statement cache's map type.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "querylens/capture/observer.h"
#include "querylens/core/clock.h"
#include "querylens/core/query_event.h"
#include "querylens/db/connection.h"

namespace querylens::db {

// False only for statements that cannot end the transaction they run in (SELECT, VALUES):
// the probe then skips reading the transaction before they run.
bool may_end_transaction(std::string_view sql) noexcept;

// Times one execution at a time and publishes its event. When nobody listens, start() costs a
// null check and one atomic load and finish() a compare: the SQLite hot path stays raw speed.
// Templated on the (final) connection class so that session_id() and in_transaction() are
// direct, inlinable calls rather than virtual ones.
template <class C>
class ExecutionProbe {
 public:
  // The event's fields that stay the same for every execution of the statement (its text, shape,
  // session and tags list) are filled once here: finish() writes only what one execution measured.
  // The views point into the statement and the connection, which outlive the probe.
  // `ends_transaction`: may the statement end its transaction (may_end_transaction(sql); a
  // script may, whatever its first statement)?
  ExecutionProbe(EventHub* events, const C& connection, std::string_view sql,
                 const QueryShape* shape, bool ends_transaction)
      : events_(events), connection_(connection), may_end_transaction_(ends_transaction) {
    event_.sql = sql;
    event_.shape = shape;
    event_.session = connection.session_id();
    event_.tags = &connection.tags();  // the connection's own list: current at every publish
  }

  void start() {
    if (events_ == nullptr || events_->empty()) return;
    start_ns_ = monotonic_ns();
    // COMMIT / ROLLBACK end the transaction they belong to: remember it from before they ran.
    // A read cannot, and finish() finds its transaction still open: one engine call saved.
    if (may_end_transaction_) transaction_at_start_ = transaction_id();
  }
  bool started() const { return start_ns_ >= 0; }
  // For a script, classified only once it is known that somebody listens.
  void set_shape(const QueryShape* shape) { event_.shape = shape; }

  // Publishes the event of the execution start() began; nothing when it did not start timing.
  void finish(int64_t rows, std::string_view error) noexcept {
    if (start_ns_ < 0) return;
    int64_t end_ns = monotonic_ns();
    event_.start_us = wall_us_from_monotonic(start_ns_, end_ns);
    event_.duration_ns = end_ns - start_ns_;
    event_.rows = rows;
    event_.error = error;
    event_.transaction_id = transaction_id();
    if (event_.transaction_id == kUnknown) event_.transaction_id = transaction_at_start_;
    start_ns_ = -1;
    events_->publish(event_);
  }

 private:
  // Connection::transaction_id() through the final class: a direct, inlinable call.
  int64_t transaction_id() const {
    return connection_.C::in_transaction() ? connection_.transaction_ordinal() : kUnknown;
  }

  EventHub* events_;
  const C& connection_;
  bool may_end_transaction_;
  int64_t start_ns_ = -1;
  QueryEvent event_;
  int64_t transaction_at_start_ = kUnknown;
};

// The statement's shape, classified once when it is prepared on an instrumented connection.
// Classification trouble never fails the application's statement: the event just has no shape.
const QueryShape* classify_statement(const ConnectOptions& options, std::string_view sql) noexcept;

// "SELECT … FROM t WHERE …" cut to a readable length for error messages.
std::string excerpt(std::string_view sql);
// Collapses runs of whitespace (libpq's multi-line messages) into single spaces and trims.
std::string one_line(std::string_view text);

struct StringHash {
  using is_transparent = void;  // find(string_view) without building a std::string
  size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};
template <class S>
using StatementMap =
    std::unordered_map<std::string, std::unique_ptr<S>, StringHash, std::equal_to<>>;

// Engine factories behind connect().
std::unique_ptr<Connection> connect_sqlite(const DatabaseUrl& url, const ConnectOptions& options);
std::unique_ptr<Connection> connect_postgres(const DatabaseUrl& url, const ConnectOptions& options);

}  // namespace querylens::db
