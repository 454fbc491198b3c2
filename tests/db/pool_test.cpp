#include "querylens/db/pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "querylens/core/error.h"
#include "support/test_env.h"

namespace querylens::db {
namespace {

using std::chrono::milliseconds;

class PoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = parse_database_url("sqlite:" + dir_.file("pool.db"));
    connect(url_, {})->execute_script("CREATE TABLE t (x INTEGER)");
  }
  PoolOptions options(int size, int overflow, milliseconds timeout = milliseconds(2000)) {
    PoolOptions o;
    o.pool_size = size;
    o.max_overflow = overflow;
    o.timeout = timeout;
    return o;
  }

  testing::TempDir dir_;
  DatabaseUrl url_;
};

TEST_F(PoolTest, TimesOutWhenEveryConnectionIsOut) {
  Pool pool(url_, options(1, 0, milliseconds(100)), {});
  PooledConnection held = pool.checkout();
  auto start = std::chrono::steady_clock::now();
  try {
    pool.checkout();
    FAIL() << "checkout should time out";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kDatabase);
    EXPECT_EQ(std::string(e.what()),
              "timed out after 100 ms waiting for a connection (pool_size=1, max_overflow=0, all "
              "1 in use)");
  }
  EXPECT_GE(std::chrono::steady_clock::now() - start, milliseconds(100));
  PoolStatus status = pool.status();
  EXPECT_EQ(status.timeouts, 1u);
  EXPECT_EQ(status.checked_out, 1);
}

TEST_F(PoolTest, OverflowOpensExtraConnectionsAndClosesThemOnReturn) {
  Pool pool(url_, options(1, 2, milliseconds(50)), {});
  {
    PooledConnection a = pool.checkout();
    PooledConnection b = pool.checkout();
    PooledConnection c = pool.checkout();
    PoolStatus status = pool.status();
    EXPECT_EQ(status.checked_out, 3);
    EXPECT_EQ(status.overflow, 2);
    EXPECT_EQ(status.idle, 0);
    EXPECT_EQ(status.opened, 3u);
    EXPECT_THROW(pool.checkout(), Error);
    EXPECT_NE(a->session_id(), b->session_id());
  }
  PoolStatus status = pool.status();
  EXPECT_EQ(status.checked_out, 0);
  EXPECT_EQ(status.overflow, 0);
  EXPECT_EQ(status.idle, 1);
  PooledConnection again = pool.checkout();  // the kept one: nothing new opened
  EXPECT_EQ(pool.status().opened, 3u);
}

TEST_F(PoolTest, WaiterGetsAReturnedConnection) {
  // A long timeout: the hand-over must happen, however late a loaded machine runs `returner`.
  Pool pool(url_, options(1, 0, milliseconds(30'000)), {});
  PooledConnection held = pool.checkout();
  std::string session = held->session_id();
  std::thread returner([&] {
    std::this_thread::sleep_for(milliseconds(50));
    held.release();
  });
  PooledConnection got = pool.checkout();
  returner.join();
  EXPECT_EQ(got->session_id(), session);
  EXPECT_EQ(pool.status().opened, 1u);
}

TEST_F(PoolTest, RecycleReplacesOldConnections) {
  PoolOptions o = options(1, 0);
  o.recycle = milliseconds(1);
  Pool pool(url_, o, {});
  std::string first = pool.checkout()->session_id();
  std::this_thread::sleep_for(milliseconds(5));
  PooledConnection second = pool.checkout();
  EXPECT_NE(second->session_id(), first);
  EXPECT_EQ(second->session_id(), "sqlite#2");
  PoolStatus status = pool.status();
  EXPECT_EQ(status.recycled, 1u);
  EXPECT_EQ(status.opened, 2u);
}

TEST_F(PoolTest, ReturnRollsBackAnOpenTransaction) {
  Pool pool(url_, options(1, 0), {});
  {
    PooledConnection c = pool.checkout();
    c->begin();
    c->query("INSERT INTO t VALUES (1)");
  }
  PooledConnection c = pool.checkout();
  EXPECT_FALSE(c->in_transaction());
  EXPECT_EQ(c->query("SELECT count(*) FROM t").rows[0][0], Value{int64_t{0}});
}

TEST_F(PoolTest, InvalidatedConnectionsAreClosed) {
  Pool pool(url_, options(2, 0), {});
  PooledConnection c = pool.checkout();
  std::string session = c->session_id();
  c.invalidate();
  c.release();
  EXPECT_FALSE(c);
  EXPECT_EQ(pool.status().idle, 0);
  EXPECT_NE(pool.checkout()->session_id(), session);
  EXPECT_EQ(pool.status().opened, 2u);
}

TEST_F(PoolTest, PrePingKeepsHealthyConnections) {
  PoolOptions o = options(1, 0);
  o.pre_ping = true;
  Pool pool(url_, o, {});
  std::string session = pool.checkout()->session_id();
  EXPECT_EQ(pool.checkout()->session_id(), session);
  EXPECT_EQ(pool.status().ping_failures, 0u);
}

TEST_F(PoolTest, MoveTransfersOwnership) {
  Pool pool(url_, options(1, 0, milliseconds(50)), {});
  PooledConnection a = pool.checkout();
  PooledConnection b = std::move(a);
  EXPECT_FALSE(a);
  ASSERT_TRUE(b);
  a = std::move(b);
  EXPECT_EQ(pool.status().checked_out, 1);
  a = PooledConnection();  // returns it
  EXPECT_EQ(pool.status().idle, 1);
}

TEST(Pool, InMemorySqliteIsOneSharedConnection) {
  PoolOptions o;
  o.pool_size = 5;
  o.max_overflow = 5;
  o.timeout = milliseconds(50);
  Pool pool(parse_database_url("sqlite::memory:"), o, {});
  EXPECT_EQ(pool.options().pool_size, 1);
  EXPECT_EQ(pool.options().max_overflow, 0);
  pool.checkout()->execute_script("CREATE TABLE kept (x); INSERT INTO kept VALUES (1);");
  PooledConnection c = pool.checkout();
  EXPECT_EQ(c->query("SELECT x FROM kept").rows.size(), 1u);
  EXPECT_THROW(pool.checkout(), Error);
}

TEST_F(PoolTest, ConcurrentCheckoutsKeepCountsConsistent) {
  Pool pool(url_, options(2, 2, milliseconds(20'000)), {});
  std::atomic<int> in_use{0}, max_in_use{0}, queries{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 40; ++i) {
        PooledConnection c = pool.checkout();
        int now = ++in_use;
        int seen = max_in_use.load();
        while (now > seen && !max_in_use.compare_exchange_weak(seen, now)) {
        }
        c->query("SELECT ? + 1", {int64_t{t * 100 + i}});
        if (i % 3 == 0) std::this_thread::yield();
        --in_use;
        ++queries;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(queries.load(), 8 * 40);
  EXPECT_LE(max_in_use.load(), 4);
  PoolStatus status = pool.status();
  EXPECT_EQ(status.checked_out, 0);
  EXPECT_EQ(status.overflow, 0);
  EXPECT_LE(status.idle, 2);
  EXPECT_GE(status.idle, 1);
  EXPECT_LE(status.opened, 8u * 40u);
  EXPECT_EQ(status.timeouts, 0u);
}

}  // namespace
}  // namespace querylens::db
