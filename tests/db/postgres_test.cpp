// PostgreSQL integration: needs the throwaway server scripts/test starts.
#include <gtest/gtest.h>

#include <cstdlib>
#include <mutex>
#include <random>
#include <thread>

#include "querylens/core/error.h"
#include "querylens/db/database.h"
#include "support/test_env.h"

namespace querylens::db {
namespace {

class Recorder : public QueryObserver {
 public:
  void on_query(const QueryEvent& event) override {
    std::lock_guard lock(mutex_);
    events_.emplace_back(event);
  }
  std::vector<OwnedQueryEvent> take() {
    std::lock_guard lock(mutex_);
    return std::exchange(events_, {});
  }

 private:
  std::mutex mutex_;
  std::vector<OwnedQueryEvent> events_;
};

// Drops the test's table whatever happens.
class PostgresTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (!table_.empty() && conn_ && *conn_) {
      if (conn().in_transaction()) conn().rollback();
      conn().execute_script("DROP TABLE IF EXISTS " + table_);
    }
  }
  void open(const std::string& url) {
    db_ = Database::open(url);
    conn_ = std::make_unique<PooledConnection>(db_->connect());
    table_ = testing::unique_name("ql_db");
  }
  Connection& conn() { return **conn_; }

  std::unique_ptr<Database> db_;
  std::unique_ptr<PooledConnection> conn_;
  std::string table_;
};

TEST_F(PostgresTest, TypedAccessAndParameters) {
  QUERYLENS_REQUIRE_PG_URL(url);
  open(url);
  EXPECT_EQ(conn().backend(), Backend::kPostgres);
  conn().execute_script("CREATE TABLE " + table_ +
                        " (id bigint PRIMARY KEY, small smallint, price float8, amount numeric, "
                        "ok boolean, name text)");
  ResultSet inserted = conn().query("INSERT INTO " + table_ + " VALUES ($1, $2, $3, $4, $5, $6)",
                                    {int64_t{1}, int64_t{7}, 1.5, std::string("12.25"),
                                     std::string("true"), std::string("it's")});
  EXPECT_EQ(inserted.rows_affected, 1);
  conn().query("INSERT INTO " + table_ + " VALUES ($1, NULL, NULL, NULL, NULL, $2)",
               {int64_t{2}, Value{}});

  ResultSet rows = conn().query(
      "SELECT id, small, price, amount, ok, name FROM " + table_ + " WHERE id >= $1 ORDER BY id",
      {int64_t{1}});
  ASSERT_EQ(rows.columns,
            (std::vector<std::string>{"id", "small", "price", "amount", "ok", "name"}));
  ASSERT_EQ(rows.rows.size(), 2u);
  const auto& r = rows.rows[0];
  EXPECT_EQ(r[0], Value{int64_t{1}});
  EXPECT_EQ(r[1], Value{int64_t{7}});
  EXPECT_EQ(r[2], Value{1.5});
  EXPECT_EQ(r[3], Value{12.25});
  EXPECT_EQ(r[4], Value{int64_t{1}});
  EXPECT_EQ(r[5], Value{std::string("it's")});
  for (size_t c = 1; c < rows.rows[1].size(); ++c) {
    EXPECT_TRUE(is_null(rows.rows[1][c])) << c << ": " << to_display(rows.rows[1][c]);
  }
  EXPECT_EQ(rows.rows_affected, 0);

  Statement& s = conn().prepare("SELECT name, price, ok FROM " + table_ + " WHERE id = $1");
  EXPECT_EQ(s.column_count(), 3);
  s.bind(1, int64_t{1});
  ASSERT_TRUE(s.step());
  EXPECT_EQ(s.get_text(0), "it's");
  EXPECT_DOUBLE_EQ(s.get_double(1), 1.5);
  EXPECT_EQ(s.get_int(2), 1);
  EXPECT_FALSE(s.step());
  s.reset();
  EXPECT_EQ(&s, &conn().prepare("SELECT name, price, ok FROM " + table_ + " WHERE id = $1"));
  EXPECT_EQ(conn().query("UPDATE " + table_ + " SET small = 1").rows_affected, 2);
}

TEST_F(PostgresTest, ErrorsCarryTheServerMessage) {
  QUERYLENS_REQUIRE_PG_URL(url);
  open(url);
  auto recorder = std::make_shared<Recorder>();
  db_->events().add(recorder);
  try {
    conn().query("SELECT * FROM " + table_ + "_missing");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kDatabase);
    std::string what = e.what();
    EXPECT_NE(what.find("does not exist"), std::string::npos) << what;
    EXPECT_NE(what.find("42P01"), std::string::npos) << what;
  }
  auto events = recorder->take();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_NE(events[0].error.find("does not exist"), std::string::npos);
  try {
    conn().query("SELECT $1::int", {int64_t{1}, int64_t{2}});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kUsage);
  }
}

TEST_F(PostgresTest, TransactionsAndEvents) {
  QUERYLENS_REQUIRE_PG_URL(url);
  open(url);
  conn().execute_script("CREATE TABLE " + table_ + " (x int)");
  auto recorder = std::make_shared<Recorder>();
  db_->events().add(recorder);
  conn().set_tags({{"app", "test"}});

  conn().begin();
  EXPECT_TRUE(conn().in_transaction());
  conn().query("INSERT INTO " + table_ + " VALUES (1), (2)");
  conn().rollback();
  EXPECT_FALSE(conn().in_transaction());
  {
    Transaction tx(conn());
    conn().query("INSERT INTO " + table_ + " VALUES (3)");
    tx.commit();
  }
  // A failed statement aborts the transaction; rollback recovers the session.
  conn().begin();
  EXPECT_THROW(conn().query("INSERT INTO " + table_ + " VALUES ('x')"), Error);
  EXPECT_TRUE(conn().in_transaction());
  conn().rollback();
  EXPECT_EQ(conn().query("SELECT count(*) FROM " + table_).rows[0][0], Value{int64_t{1}});

  auto events = recorder->take();
  ASSERT_EQ(events.size(), 10u);
  EXPECT_EQ(events[1].rows, 2);
  EXPECT_EQ(events[1].transaction_id, 1);
  EXPECT_EQ(events[2].sql, "ROLLBACK");
  EXPECT_EQ(events[2].transaction_id, 1);
  EXPECT_EQ(events[4].transaction_id, 2);
  EXPECT_FALSE(events[7].error.empty());
  EXPECT_EQ(events[7].transaction_id, 3);
  EXPECT_EQ(events[9].rows, 1);
  EXPECT_EQ(events[9].transaction_id, kUnknown);
  for (const auto& e : events) {
    EXPECT_EQ(e.session, conn().session_id());
    EXPECT_EQ(e.tags, (Tags{{"app", "test"}}));
    EXPECT_NE(e.shape, nullptr) << e.sql;
  }
  EXPECT_EQ(conn().session_id().rfind("pg#1:pid ", 0), 0u) << conn().session_id();
}

TEST_F(PostgresTest, CommitOfAFailedTransactionThrows) {
  QUERYLENS_REQUIRE_PG_URL(url);
  open(url);
  conn().execute_script("CREATE TABLE " + table_ + " (x int)");
  Transaction tx(conn());
  conn().query("INSERT INTO " + table_ + " VALUES (1)");
  EXPECT_THROW(conn().query("SELECT 1 / 0"), Error);
  try {
    tx.commit();
    FAIL() << "COMMIT of an aborted transaction must not look like success";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("rolled back"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(conn().in_transaction());
  EXPECT_EQ(conn().query("SELECT count(*) FROM " + table_).rows[0][0], Value{int64_t{0}});
}

int64_t backend_pid(Connection& c) {
  return std::get<int64_t>(c.query("SELECT pg_backend_pid()").rows.at(0).at(0));
}

TEST(PostgresPool, PrePingSurvivesAServerRestart) {
  QUERYLENS_REQUIRE_PG_URL(url);
  std::string restart = testing::pg_restart_command();
  ASSERT_FALSE(restart.empty()) << "QUERYLENS_TEST_PG_RESTART unset";
  testing::hold_pg_server_exclusively();
  DatabaseUrl parsed = parse_database_url(url);
  PoolOptions pinging;
  pinging.pool_size = 1;
  pinging.pre_ping = true;
  PoolOptions trusting = pinging;
  trusting.pre_ping = false;
  Pool with_ping(parsed, pinging, {});
  Pool without_ping(parsed, trusting, {});
  with_ping.checkout()->query("SELECT 1");  // one idle connection in each pool
  without_ping.checkout()->query("SELECT 1");

  // One restart serves both pools; pg_ctl's progress lines are noise in the test log.
  ASSERT_EQ(std::system((restart + " >/dev/null").c_str()), 0) << restart;

  {
    PooledConnection c = with_ping.checkout();
    EXPECT_EQ(c->query("SELECT 41 + 1").rows[0][0], Value{int64_t{42}});
  }
  EXPECT_EQ(with_ping.status().ping_failures, 1u);
  EXPECT_EQ(with_ping.status().opened, 2u);

  PooledConnection stale = without_ping.checkout();
  EXPECT_THROW(stale->query("SELECT 1"), Error);
  stale.invalidate();
}

TEST(PostgresPool, PrePingReplacesATerminatedBackend) {
  QUERYLENS_REQUIRE_PG_URL(url);
  PoolOptions options;
  options.pool_size = 1;
  options.pre_ping = true;
  Pool pool(parse_database_url(url), options, {});
  int64_t pid = backend_pid(*pool.checkout());

  auto killer = connect(parse_database_url(url), {});
  EXPECT_EQ(killer->query("SELECT pg_terminate_backend($1::int)", {pid}).rows[0][0],
            Value{int64_t{1}});
  // pg_terminate_backend only signals: wait until the backend is gone (up to 30 s on a loaded
  // machine).
  bool gone = false;
  for (int i = 0; i < 3000 && !gone; ++i) {
    if (i > 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    gone = killer->query("SELECT 1 FROM pg_stat_activity WHERE pid = $1::int", {pid}).rows.empty();
  }
  ASSERT_TRUE(gone) << "backend " << pid << " still there 30 s after pg_terminate_backend";

  PooledConnection c = pool.checkout();
  EXPECT_NE(backend_pid(*c), pid);
  EXPECT_EQ(pool.status().ping_failures, 1u);
}

}  // namespace
}  // namespace querylens::db
