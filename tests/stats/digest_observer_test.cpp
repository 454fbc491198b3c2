#include "querylens/stats/digest_observer.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "querylens/db/database.h"
#include "querylens/sql/shape_registry.h"

namespace querylens::stats {
namespace {

// Deterministic pseudo-random durations with occasional slow outliers, so both the lane path
// (no slower than the known sample) and the direct path (a new slowest) are exercised.
struct Workload {
  uint64_t state = 42;
  int64_t next_duration() {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    int64_t base = 1'000 + static_cast<int64_t>((state >> 33) % 50'000);
    return (state >> 20) % 997 == 0 ? base * 40 : base;
  }
};

void expect_same_stats(const ShapeStats& a, const ShapeStats& b) {
  EXPECT_EQ(a.calls, b.calls);
  EXPECT_EQ(a.timed_calls, b.timed_calls);
  EXPECT_EQ(a.total_ns, b.total_ns);
  EXPECT_EQ(a.min_ns, b.min_ns);
  EXPECT_EQ(a.max_ns, b.max_ns);
  EXPECT_EQ(a.rows, b.rows);
  EXPECT_EQ(a.errors, b.errors);
  EXPECT_EQ(a.first_seen_us, b.first_seen_us);
  EXPECT_EQ(a.last_seen_us, b.last_seen_us);
  EXPECT_EQ(a.sample, b.sample);
  EXPECT_EQ(a.sample_duration_ns, b.sample_duration_ns);
  EXPECT_EQ(a.last_error, b.last_error);
  EXPECT_EQ(a.latency.count(), b.latency.count());
  EXPECT_EQ(a.latency.quantile(0.5), b.latency.quantile(0.5));
  EXPECT_EQ(a.latency.quantile(0.99), b.latency.quantile(0.99));
}

TEST(DigestObserverTest, SameDigestAsAddingEveryEventDirectly) {
  sql::ShapeRegistry shapes;
  DigestObserver observer(shapes);
  Digest direct(shapes);
  std::vector<std::string> texts = {"SELECT * FROM users WHERE id = 1",
                                    "SELECT * FROM users WHERE id = 2",  // same shape
                                    "SELECT count(*) FROM posts", "UPDATE posts SET views = 3"};
  Workload w;
  for (int i = 0; i < 20'000; ++i) {
    const std::string& sql = texts[static_cast<size_t>(i) % texts.size()];
    QueryEvent e;
    e.sql = sql;
    e.shape = i % 10 == 3 ? nullptr : shapes.classify(sql);  // some arrive unclassified
    e.duration_ns = i % 101 == 0 ? kUnknown : w.next_duration();
    e.start_us = 1'000'000 + i;
    e.rows = i % 7;
    if (i % 503 == 0) e.error = "deadlock detected";
    observer.on_query(e);
    direct.add(e);
  }
  observer.with_digest([&](const Digest& d) {
    EXPECT_EQ(d.total_calls(), direct.total_calls());
    EXPECT_EQ(d.total_errors(), direct.total_errors());
    EXPECT_EQ(d.total_ns(), direct.total_ns());
    EXPECT_EQ(d.first_seen_us(), direct.first_seen_us());
    EXPECT_EQ(d.last_seen_us(), direct.last_seen_us());
    ASSERT_EQ(d.shape_count(), direct.shape_count());
    for (const ShapeStats* s : direct.ranked(RankBy::kTotal)) {
      const ShapeStats* mine = d.find(s->shape->fingerprint);
      ASSERT_NE(mine, nullptr);
      expect_same_stats(*mine, *s);
    }
  });
  // Events took the cheap path — at least a lane's worth, which needs no drain to fit (how
  // many more depends on when the folding thread runs: a loaded machine starves it and full
  // lanes send events direct) — and none was lost on either path.
  EXPECT_GE(observer.laned_events(), 1'000u);
  EXPECT_EQ(observer.laned_events() + observer.direct_events(), 20'000u);
}

TEST(DigestObserverTest, AReadSeesEveryEventPublishedBeforeIt) {
  sql::ShapeRegistry shapes;
  DigestObserver observer(shapes);
  const QueryShape* shape = shapes.classify("SELECT 1");
  QueryEvent e;
  e.sql = "SELECT 1";
  e.shape = shape;
  e.duration_ns = 5'000;
  observer.on_query(e);  // the first of a shape goes direct: it is the slowest so far
  e.duration_ns = 10;
  for (int i = 0; i < 999; ++i) observer.on_query(e);  // these wait in a lane
  // No sleep, no flush: the read folds the lanes in itself, before the drainer's period.
  uint64_t calls = observer.with_digest([](const Digest& d) { return d.total_calls(); });
  EXPECT_EQ(calls, 1'000u);
  EXPECT_EQ(observer.laned_events(), 999u);
}

TEST(DigestObserverTest, ThreadsFillingTheirLanesLoseNothing) {
  sql::ShapeRegistry shapes;
  DigestObserver observer(shapes);
  const std::vector<std::string> texts = {"SELECT a FROM t WHERE id = $1", "SELECT b FROM u",
                                          "DELETE FROM v WHERE id = $1"};
  std::vector<const QueryShape*> classified;
  for (const auto& t : texts) classified.push_back(shapes.classify(t));
  constexpr int kThreads = 12;   // each with its own lane, all drained concurrently
  constexpr int kEach = 30'000;  // far more than a lane holds between two drains
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Workload w{static_cast<uint64_t>(t) + 1};
      for (int i = 0; i < kEach; ++i) {
        size_t k = static_cast<size_t>(i + t) % texts.size();
        QueryEvent e;
        e.sql = texts[k];
        e.shape = classified[k];
        e.duration_ns = w.next_duration();
        e.rows = 1;
        observer.on_query(e);
      }
    });
  }
  for (auto& t : threads) t.join();
  observer.with_digest([&](const Digest& d) {
    EXPECT_EQ(d.total_calls(), uint64_t{kThreads} * kEach);
    int64_t rows = 0;
    uint64_t histogram_count = 0;
    for (const ShapeStats* s : d.ranked(RankBy::kCalls)) {
      rows += s->rows;
      histogram_count += s->latency.count();
      EXPECT_EQ(s->sample_duration_ns, s->max_ns);  // the sample is the slowest call
    }
    EXPECT_EQ(rows, int64_t{kThreads} * kEach);
    EXPECT_EQ(histogram_count, uint64_t{kThreads} * kEach);
  });
  EXPECT_EQ(observer.laned_events() + observer.direct_events(), uint64_t{kThreads} * kEach);
}

// Publishes `n` events of one shape, the first slow enough that the rest take a lane.
void publish_some(DigestObserver& observer, const QueryShape* shape, int n) {
  QueryEvent e;
  e.sql = "SELECT 1";
  e.shape = shape;
  for (int i = 0; i < n; ++i) {
    e.duration_ns = i == 0 ? 1'000'000 : 100 + i;
    e.rows = 1;
    observer.on_query(e);
  }
}

TEST(DigestObserverTest, ExitedThreadsHandTheirLanesOn) {
  sql::ShapeRegistry shapes;
  DigestObserver observer(shapes);
  const QueryShape* shape = shapes.classify("SELECT 1");
  publish_some(observer, shape, 10);  // the main thread sets the sample and keeps a lane
  // 200 short-lived threads, one after another: each lane is reused by the next thread
  // instead of a thread-churning server growing one lane per thread it ever had. Reading the
  // digest after each thread drains the lanes, so no lane can be full because the drainer
  // was not scheduled in time (CI once saw that under load) and the counts below are exact.
  for (int t = 0; t < 200; ++t) {
    std::thread([&] { publish_some(observer, shape, 50); }).join();
    observer.with_digest([](const Digest&) { return 0; });
  }
  EXPECT_EQ(observer.lane_count(), 2u);  // the main thread's, and one passed from thread to thread
  uint64_t calls = observer.with_digest([](const Digest& d) { return d.total_calls(); });
  EXPECT_EQ(calls, 10u + 200u * 50u);
  // Each thread's first event finds no known sample in its fresh lease and goes direct; the
  // other 49 take the lane. Same for the main thread's 10.
  EXPECT_EQ(observer.direct_events(), 1u + 200u);
  EXPECT_EQ(observer.laned_events(), 9u + 200u * 49u);
}

TEST(DigestObserverTest, ThreadsBeyondTheLaneLimitPublishDirectly) {
  sql::ShapeRegistry shapes;
  DigestObserver observer(shapes);
  const QueryShape* shape = shapes.classify("SELECT 1");
  publish_some(observer, shape, 1);
  // More threads alive at once than there are lanes: the last ones get none and go direct.
  constexpr int kThreads = static_cast<int>(DigestObserver::kMaxLanes) + 6;
  std::mutex m;
  std::condition_variable cv;
  int published = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      publish_some(observer, shape, 20);
      std::unique_lock lock(m);
      ++published;
      cv.notify_all();
      cv.wait(lock, [&] { return published == kThreads; });  // nobody exits before all publish
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(observer.lane_count(), DigestObserver::kMaxLanes);
  uint64_t calls = observer.with_digest([](const Digest& d) { return d.total_calls(); });
  EXPECT_EQ(calls, 1u + uint64_t{kThreads} * 20u);
  EXPECT_GE(observer.direct_events(), 6u * 20u);  // the threads without a lane
  EXPECT_EQ(observer.laned_events() + observer.direct_events(), calls);
}

TEST(DigestObserverTest, FeedsFromTheInstrumentedSqliteLayer) {
  auto db = db::Database::open("sqlite::memory:");
  auto observer = std::make_shared<DigestObserver>(db->shapes());
  auto conn = db->connect();
  conn->execute_script(
      "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT);"
      "INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c');");
  db->events().add(observer);
  db::Statement& lookup = conn->prepare("SELECT v FROM t WHERE id = ?");
  int found = 0;
  for (int i = 0; i < 3'000; ++i) {
    lookup.bind(1, int64_t{i % 4});
    while (lookup.step()) ++found;
    lookup.reset();
  }
  EXPECT_EQ(found, 2'250);  // ids 1..3 of every 4
  observer->with_digest([](const Digest& d) {
    ASSERT_EQ(d.shape_count(), 1u);
    const ShapeStats& s = *d.ranked(RankBy::kCalls)[0];
    EXPECT_EQ(s.calls, 3'000u);
    EXPECT_EQ(s.timed_calls, 3'000u);
    EXPECT_EQ(s.rows, 2'250);
    EXPECT_EQ(s.sample, "SELECT v FROM t WHERE id = ?");
    EXPECT_GT(s.first_seen_us, 0);
  });
}

}  // namespace
}  // namespace querylens::stats
