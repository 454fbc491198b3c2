#include <gtest/gtest.h>

#include <mutex>

#include "querylens/core/clock.h"
#include "querylens/core/error.h"
#include "querylens/db/database.h"
#include "support/event_recorder.h"

namespace querylens::db {
namespace {

using Recorder = querylens::testing::EventRecorder;

class SqliteEventsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = Database::open("sqlite::memory:");
    conn_ = db_->connect();
    conn_->execute_script(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);"
        "INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c');");
    recorder_ = std::make_shared<Recorder>();
    db_->events().add(recorder_);
  }
  void TearDown() override { conn_.release(); }

  std::unique_ptr<Database> db_;
  PooledConnection conn_;
  std::shared_ptr<Recorder> recorder_;
};

TEST_F(SqliteEventsTest, QueryPublishesOneCompleteEvent) {
  int64_t before_us = wall_now_us();
  const std::string sql = "SELECT id, v FROM t WHERE id >= ?";
  conn_->set_tags({{"endpoint", "/items"}});
  EXPECT_EQ(conn_->query(sql, {int64_t{2}}).rows.size(), 2u);

  auto events = recorder_->take();
  ASSERT_EQ(events.size(), 1u);
  const OwnedQueryEvent& e = events[0];
  EXPECT_EQ(e.sql, sql);
  EXPECT_EQ(e.rows, 2);
  EXPECT_TRUE(e.error.empty());
  EXPECT_EQ(e.session, "sqlite#1");
  EXPECT_EQ(e.session, conn_->session_id());
  EXPECT_EQ(e.transaction_id, kUnknown);
  EXPECT_EQ(e.tags, (Tags{{"endpoint", "/items"}}));
  ASSERT_NE(e.shape, nullptr);
  EXPECT_EQ(e.shape, db_->shapes().classify(sql));
  EXPECT_GE(e.duration_ns, 0);
  EXPECT_GE(e.start_us, before_us - 1000);
  EXPECT_LE(e.start_us, wall_now_us() + 1000);
}

TEST_F(SqliteEventsTest, DmlCountsAffectedRows) {
  conn_->query("UPDATE t SET v = 'z' WHERE id <= ?", {int64_t{2}});
  auto events = recorder_->take();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].rows, 2);
  EXPECT_EQ(events[0].tags.size(), 0u);  // no tags set: the event carried an empty list
}

// A prepared statement's event is filled once, at prepare time: tags set later, and an error
// in one execution, must still show (and not linger) in the events of later executions.
TEST_F(SqliteEventsTest, ReusedStatementEventsFollowTagsAndErrors) {
  const std::string sql = "INSERT INTO t VALUES (?, 'x')";
  conn_->query(sql, {int64_t{10}});
  conn_->set_tags({{"job", "import"}});
  EXPECT_THROW(conn_->query(sql, {int64_t{10}}), Error);  // duplicate key
  conn_->set_tags({});
  conn_->query(sql, {int64_t{11}});

  auto events = recorder_->take();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_TRUE(events[0].tags.empty());
  EXPECT_TRUE(events[0].error.empty());
  EXPECT_EQ(events[0].rows, 1);
  EXPECT_EQ(events[1].tags, (Tags{{"job", "import"}}));
  EXPECT_NE(events[1].error.find("UNIQUE constraint failed"), std::string::npos);
  EXPECT_EQ(events[1].rows, kUnknown);
  EXPECT_TRUE(events[2].tags.empty());
  EXPECT_TRUE(events[2].error.empty());
  EXPECT_EQ(events[2].rows, 1);
  for (const auto& e : events) {
    EXPECT_EQ(e.sql, sql);
    EXPECT_EQ(e.session, conn_->session_id());
    EXPECT_EQ(e.shape, events[0].shape);
  }
}

TEST_F(SqliteEventsTest, FailingStatementsPublishTheirError) {
  EXPECT_THROW(conn_->query("INSERT INTO t VALUES (1, 'dup')"), Error);
  EXPECT_THROW(conn_->query("SELECT nope FROM t"), Error);  // rejected at prepare time
  auto events = recorder_->take();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_NE(events[0].error.find("UNIQUE constraint failed"), std::string::npos);
  EXPECT_EQ(events[0].rows, kUnknown);
  EXPECT_EQ(events[0].session, "sqlite#1");
  EXPECT_NE(events[0].shape, nullptr);
  EXPECT_NE(events[1].error.find("no such column: nope"), std::string::npos);
  EXPECT_EQ(events[1].sql, "SELECT nope FROM t");
}

TEST_F(SqliteEventsTest, PartialReadPublishesOnResetAndDestruction) {
  Statement& s = conn_->prepare("SELECT id FROM t ORDER BY id");
  ASSERT_TRUE(s.step());
  ASSERT_TRUE(s.step());
  EXPECT_TRUE(recorder_->take().empty());  // still running
  s.reset();
  auto events = recorder_->take();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].rows, 2);

  Statement& other = conn_->prepare("SELECT v FROM t");
  ASSERT_TRUE(other.step());
  conn_.invalidate();
  conn_.release();  // closing the connection finalizes the statement mid-read
  events = recorder_->take();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].sql, "SELECT v FROM t");
  EXPECT_EQ(events[0].rows, 1);
}

TEST_F(SqliteEventsTest, TransactionStatementsCarryTheirOrdinal) {
  conn_->begin();
  conn_->query("DELETE FROM t WHERE id = 3");
  conn_->commit();
  conn_->query("SELECT 1");
  auto events = recorder_->take();
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[0].sql, "BEGIN");
  EXPECT_EQ(events[1].rows, 1);
  EXPECT_EQ(events[2].sql, "COMMIT");
  for (int i = 0; i < 3; ++i) EXPECT_EQ(events[i].transaction_id, 1) << events[i].sql;
  EXPECT_EQ(events[3].transaction_id, kUnknown);

  conn_->begin();
  conn_->rollback();
  events = recorder_->take();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].sql, "ROLLBACK");
  EXPECT_EQ(events[1].transaction_id, 2);
}

TEST_F(SqliteEventsTest, ReadsInsideATransactionCarryItsOrdinal) {
  // A SELECT cannot end its transaction, so its probe reads the transaction only after it
  // ran: it must still report the one it ran in.
  conn_->query("SELECT v FROM t");
  conn_->begin();
  conn_->query("SELECT v FROM t WHERE id = 1");
  conn_->query("VALUES (1)");
  conn_->commit();
  auto events = recorder_->take();
  ASSERT_EQ(events.size(), 5u);
  EXPECT_EQ(events[0].transaction_id, kUnknown);
  EXPECT_EQ(events[2].transaction_id, 1) << events[2].sql;
  EXPECT_EQ(events[3].transaction_id, 1) << events[3].sql;
  EXPECT_EQ(events[4].sql, "COMMIT");
  EXPECT_EQ(events[4].transaction_id, 1);
}

TEST_F(SqliteEventsTest, ScriptsPublishOneEvent) {
  conn_->execute_script("INSERT INTO t VALUES (10, 'x'); INSERT INTO t VALUES (11, 'y');");
  EXPECT_THROW(conn_->execute_script("DROP TABLE missing"), Error);
  auto events = recorder_->take();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].rows, 2);
  EXPECT_TRUE(events[0].error.empty());
  EXPECT_NE(events[1].error.find("no such table"), std::string::npos);
}

TEST_F(SqliteEventsTest, NothingIsPublishedWithoutObservers) {
  db_->events().remove(recorder_.get());
  conn_->query("SELECT 1");
  EXPECT_TRUE(recorder_->take().empty());
  db_->events().add(recorder_);
  conn_->query("SELECT 1");  // prepared while unobserved: shape was still classified
  auto events = recorder_->take();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_NE(events[0].shape, nullptr);
}

TEST_F(SqliteEventsTest, ObserverFailuresDoNotFailQueries) {
  struct Throwing : QueryObserver {
    void on_query(const QueryEvent&) override { throw std::runtime_error("observer bug"); }
  };
  db_->events().add(std::make_shared<Throwing>());
  EXPECT_EQ(conn_->query("SELECT count(*) FROM t").rows[0][0], Value{int64_t{3}});
  EXPECT_EQ(db_->events().observer_failures(), 1u);
  EXPECT_EQ(recorder_->take().size(), 1u);
}

}  // namespace
}  // namespace querylens::db
