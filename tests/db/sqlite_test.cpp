#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <string>

#include "querylens/core/error.h"
#include "querylens/db/connection.h"
#include "querylens/db/database.h"
#include "support/test_env.h"

namespace querylens::db {
namespace {

std::unique_ptr<Connection> open_memory() {
  return connect(parse_database_url("sqlite::memory:"), ConnectOptions{});
}

std::string error_text(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

class SqliteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = open_memory();
    db_->execute_script(
        "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price REAL, note TEXT);"
        "INSERT INTO items VALUES (1, 'apple', 0.5, NULL), (2, 'pear', 1.25, 'it''s ripe');");
  }
  std::unique_ptr<Connection> db_;
};

TEST_F(SqliteTest, TypedAccessThroughStatement) {
  Statement& s = db_->prepare("SELECT id, name, price, note FROM items WHERE id = ?");
  ASSERT_EQ(s.column_count(), 4);
  EXPECT_EQ(s.column_name(1), "name");
  s.bind(1, int64_t{2});
  ASSERT_TRUE(s.step());
  EXPECT_EQ(s.get_int(0), 2);
  EXPECT_EQ(s.get_text(1), "pear");
  EXPECT_DOUBLE_EQ(s.get_double(2), 1.25);
  EXPECT_EQ(s.get_text(3), "it's ripe");
  EXPECT_FALSE(s.is_null(3));
  EXPECT_FALSE(s.step());
  s.reset();

  s.bind(1, int64_t{1});
  ASSERT_TRUE(s.step());
  EXPECT_TRUE(s.is_null(3));
  EXPECT_EQ(s.get_text(3), "");
  EXPECT_TRUE(is_null(s.get(3)));
  EXPECT_EQ(std::get<int64_t>(s.get(0)), 1);
  EXPECT_EQ(std::get<std::string>(s.get(1)), "apple");
  EXPECT_DOUBLE_EQ(std::get<double>(s.get(2)), 0.5);
  s.reset();
}

TEST_F(SqliteTest, TypedBindsKeepIntegersAndFloatsApart) {
  Statement& s = db_->prepare("SELECT typeof(?1), ?1");
  auto bound_as = [&s](auto value) {
    s.bind(1, value);
    EXPECT_TRUE(s.step());
    std::string type(s.get_text(0));
    s.reset();
    return type;
  };
  EXPECT_EQ(bound_as(7), "integer");  // int
  EXPECT_EQ(bound_as(int64_t{1} << 40), "integer");
  EXPECT_EQ(bound_as(uint16_t{9}), "integer");
  EXPECT_EQ(bound_as(2.5), "real");  // never truncated to an integer
  EXPECT_EQ(bound_as(2.5f), "real");
  EXPECT_EQ(bound_as(Value{std::string("x")}), "text");
  EXPECT_EQ(bound_as("literal"), "text");  // a C string is text, not a pointer or a bool
  s.bind(1, -3);
  ASSERT_TRUE(s.step());
  EXPECT_EQ(s.get_int(1), -3);
  s.reset();
  EXPECT_THROW(s.bind(2, 1), Error);  // out of range, through the typed path too
}

TEST_F(SqliteTest, QueryBindsEveryValueKind) {
  ResultSet inserted = db_->query("INSERT INTO items (id, name, price, note) VALUES (?, ?, ?, ?)",
                                  {int64_t{3}, std::string("fig"), 2.0, Value{}});
  EXPECT_EQ(inserted.rows_affected, 1);
  EXPECT_TRUE(inserted.columns.empty());

  ResultSet rows =
      db_->query("SELECT id, name, price, note FROM items WHERE price >= ? ORDER BY id", {1.0});
  ASSERT_EQ(rows.columns, (std::vector<std::string>{"id", "name", "price", "note"}));
  ASSERT_EQ(rows.rows.size(), 2u);
  EXPECT_EQ(rows.rows[1][0], Value{int64_t{3}});
  EXPECT_EQ(rows.rows[1][1], Value{std::string("fig")});
  EXPECT_TRUE(is_null(rows.rows[1][3]));
  EXPECT_EQ(rows.rows_affected, 0);

  EXPECT_EQ(db_->query("UPDATE items SET price = price * 2").rows_affected, 3);
  EXPECT_EQ(db_->query("DELETE FROM items WHERE id > ?", {int64_t{5}}).rows_affected, 0);
  // DDL after DML changes nothing: its count is not the previous statement's.
  EXPECT_EQ(db_->query("CREATE TABLE other (x)").rows_affected, 0);
}

TEST_F(SqliteTest, ErrorsNameTheProblem) {
  std::string syntax = error_text([&] { db_->query("SELEC id FROM items"); });
  EXPECT_NE(syntax.find("syntax error"), std::string::npos) << syntax;
  EXPECT_NE(syntax.find("SELEC id FROM items"), std::string::npos) << syntax;

  std::string missing = error_text([&] { db_->query("SELECT * FROM nope"); });
  EXPECT_NE(missing.find("no such table: nope"), std::string::npos) << missing;

  std::string constraint =
      error_text([&] { db_->query("INSERT INTO items (id, name) VALUES (1, 'dup')"); });
  EXPECT_NE(constraint.find("UNIQUE constraint failed"), std::string::npos) << constraint;

  try {
    db_->query("SELECT ?", {int64_t{1}, int64_t{2}});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kUsage);
    EXPECT_NE(std::string(e.what()).find("parameter 2 out of range"), std::string::npos);
  }
  EXPECT_THROW(db_->prepare("SELECT 1; SELECT 2"), Error);
  EXPECT_NO_THROW(db_->prepare("SELECT 1; -- trailing comment"));
  EXPECT_THROW(db_->prepare("  "), Error);
  // The failed statement did not poison the cache: the same text fails again, others work.
  EXPECT_THROW(db_->query("INSERT INTO items (id, name) VALUES (1, 'dup')"), Error);
  EXPECT_EQ(db_->query("SELECT count(*) FROM items").rows[0][0], Value{int64_t{2}});
}

TEST_F(SqliteTest, TransactionsCommitAndRollBack) {
  EXPECT_FALSE(db_->in_transaction());
  EXPECT_EQ(db_->transaction_id(), kUnknown);
  db_->begin();
  EXPECT_TRUE(db_->in_transaction());
  EXPECT_EQ(db_->transaction_id(), 1);
  db_->query("DELETE FROM items");
  db_->rollback();
  EXPECT_FALSE(db_->in_transaction());
  EXPECT_EQ(db_->query("SELECT count(*) FROM items").rows[0][0], Value{int64_t{2}});

  db_->begin();
  EXPECT_EQ(db_->transaction_id(), 2);
  db_->query("DELETE FROM items WHERE id = 1");
  db_->commit();
  EXPECT_EQ(db_->query("SELECT count(*) FROM items").rows[0][0], Value{int64_t{1}});
}

TEST_F(SqliteTest, TransactionGuardRollsBackUnlessCommitted) {
  {
    Transaction tx(*db_);
    db_->query("DELETE FROM items");
  }
  EXPECT_FALSE(db_->in_transaction());
  EXPECT_EQ(db_->query("SELECT count(*) FROM items").rows[0][0], Value{int64_t{2}});
  {
    Transaction tx(*db_);
    db_->query("DELETE FROM items");
    tx.commit();
  }
  EXPECT_EQ(db_->query("SELECT count(*) FROM items").rows[0][0], Value{int64_t{0}});
}

TEST_F(SqliteTest, StatementCacheReturnsTheSameStatementReset) {
  Statement& first = db_->prepare("SELECT name FROM items ORDER BY id");
  ASSERT_TRUE(first.step());
  EXPECT_EQ(first.get_text(0), "apple");
  Statement& again = db_->prepare("SELECT name FROM items ORDER BY id");
  EXPECT_EQ(&first, &again);
  ASSERT_TRUE(again.step());  // reset by prepare(): starts from the first row
  EXPECT_EQ(again.get_text(0), "apple");
  EXPECT_NE(&first, &db_->prepare("SELECT name FROM items ORDER BY id DESC"));
  again.reset();
}

TEST_F(SqliteTest, ResetClearsBindings) {
  Statement& s = db_->prepare("SELECT ?1 IS NULL, ?2 IS NULL");
  s.bind_all({int64_t{1}, std::string("two")});
  ASSERT_TRUE(s.step());
  EXPECT_EQ(s.get_int(0), 0);
  EXPECT_EQ(s.get_int(1), 0);
  s.reset();
  s.bind(2, 2.5);  // parameter 1 is not bound again: it must read as NULL, not as 1
  ASSERT_TRUE(s.step());
  EXPECT_EQ(s.get_int(0), 1);
  EXPECT_EQ(s.get_int(1), 0);
  s.reset();
  ASSERT_TRUE(s.step());
  EXPECT_EQ(s.get_int(0), 1);
  EXPECT_EQ(s.get_int(1), 1);
  s.reset();
}

TEST_F(SqliteTest, RebindingAfterAPartialReadRestarts) {
  Statement& s = db_->prepare("SELECT name FROM items WHERE id >= ? ORDER BY id");
  s.bind(1, int64_t{1});
  ASSERT_TRUE(s.step());
  s.bind(1, int64_t{2});  // no reset() in between: bind finishes the running execution
  ASSERT_TRUE(s.step());
  EXPECT_EQ(s.get_text(0), "pear");
  s.reset();
}

TEST(Sqlite, FileDatabaseIsSharedAcrossConnections) {
  testing::TempDir dir;
  DatabaseUrl url = parse_database_url("sqlite:" + dir.file("app.db"));
  auto writer = connect(url, {});
  writer->execute_script("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (7);");
  auto reader = connect(url, {});
  EXPECT_EQ(reader->query("SELECT x FROM t").rows.at(0).at(0), Value{int64_t{7}});
  EXPECT_TRUE(reader->ping());
  EXPECT_EQ(reader->backend(), Backend::kSqlite);
}

TEST(Sqlite, UnopenableFileFailsWithItsName) {
  try {
    Database::open("sqlite:/nonexistent-querylens-dir/app.db");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kDatabase);
    EXPECT_NE(std::string(e.what()).find("/nonexistent-querylens-dir/app.db"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace querylens::db
