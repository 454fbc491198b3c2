// Per-shape literal invariance (stats/literal_invariance.h) and the digest's tracking of it:
// positions, IN-lists and parameters varying, the 64-position bound, statements of one shape
// with another number of positions, and merging the digests of a log's parts (-j N).
#include "querylens/stats/literal_invariance.h"

#include <gtest/gtest.h>

#include <string>

#include "querylens/sql/shape_registry.h"
#include "querylens/stats/digest.h"

namespace querylens::stats {
namespace {

LiteralInvariance observed(std::initializer_list<std::string> statements) {
  LiteralInvariance inv;
  for (const std::string& s : statements) inv.observe(s);
  return inv;
}

std::string by_author(int author, int published) {
  return "SELECT id FROM posts WHERE author_id = " + std::to_string(author) +
         " AND is_published = " + std::to_string(published) + " LIMIT 10";
}

TEST(LiteralInvariance, OnlyTheLiteralsThatNeverVaried) {
  LiteralInvariance inv = observed({by_author(1, 1), by_author(2, 1), by_author(3, 1)});
  EXPECT_EQ(inv.calls, 3u);
  EXPECT_EQ(inv.positions, 3u);
  EXPECT_FALSE(inv.invariant(0));  // author_id
  EXPECT_TRUE(inv.invariant(1));   // is_published
  EXPECT_TRUE(inv.invariant(2));   // LIMIT
  EXPECT_FALSE(inv.invariant(3));  // no such position
  // One call that differs is enough.
  inv.observe(by_author(4, 0));
  EXPECT_FALSE(inv.invariant(1));
  EXPECT_TRUE(inv.invariant(2));
}

TEST(LiteralInvariance, OneCallProvesNothing) {
  LiteralInvariance inv = observed({by_author(1, 1)});
  EXPECT_FALSE(inv.invariant(1));
  inv.observe(by_author(1, 1));
  EXPECT_TRUE(inv.invariant(0));
  EXPECT_TRUE(inv.invariant(1));
}

TEST(LiteralInvariance, InListsAndParametersVary) {
  LiteralInvariance inv = observed({"SELECT 1 FROM t WHERE a IN (1, 2) AND b = $1 AND c = 'x'",
                                    "SELECT 1 FROM t WHERE a IN (1, 2) AND b = $1 AND c = 'x'"});
  EXPECT_EQ(inv.positions, 4u);
  EXPECT_TRUE(inv.invariant(0));   // SELECT 1
  EXPECT_FALSE(inv.invariant(1));  // the IN-list, even the same one each time
  EXPECT_FALSE(inv.invariant(2));  // $1: its value is not in the text
  EXPECT_TRUE(inv.invariant(3));
  // A longer list is the same position: c stays the fourth.
  inv.observe("SELECT 1 FROM t WHERE a IN (1, 2, 3, 4) AND b = $1 AND c = 'x'");
  EXPECT_TRUE(inv.invariant(3));
}

TEST(LiteralInvariance, SignsAndSpellingsCount) {
  EXPECT_FALSE(
      observed({"SELECT a FROM t WHERE b = 5", "SELECT a FROM t WHERE b = -5"}).invariant(0));
  EXPECT_FALSE(
      observed({"SELECT a FROM t WHERE b = 'x'", "SELECT a FROM t WHERE b = 'X'"}).invariant(0));
  EXPECT_TRUE(
      observed({"SELECT a FROM t WHERE b = -5", "select a from t where b = - 5"}).invariant(0));
}

TEST(LiteralInvariance, AnotherNumberOfPositionsClearsEverything) {
  LiteralInvariance inv =
      observed({"SELECT a FROM t WHERE b = 1 AND c = 2", "SELECT a FROM t WHERE b = 1 AND c = 2"});
  EXPECT_TRUE(inv.invariant(0));
  inv.observe("SELECT a FROM t WHERE b = 1 AND c = 2 AND d = 3");
  EXPECT_EQ(inv.same, 0u);
  inv.observe("SELECT a FROM t WHERE b = 1 AND c = 2");  // nothing comes back
  EXPECT_FALSE(inv.invariant(0));
  EXPECT_EQ(inv.calls, 4u);
}

TEST(LiteralInvariance, BoundedToTheFirst64Positions) {
  auto statement = [](int varying_at) {
    std::string sql = "SELECT a FROM t WHERE a = a";
    for (int i = 0; i < 80; ++i)
      sql += " AND c" + std::to_string(i) + " = " + std::to_string(i == varying_at ? 1000 : i);
    return sql;
  };
  LiteralInvariance inv = observed({statement(-1), statement(70), statement(5)});
  EXPECT_EQ(inv.positions, 80u);
  EXPECT_EQ(inv.first.size(), LiteralInvariance::kMaxPositions);
  EXPECT_TRUE(inv.invariant(0));
  EXPECT_FALSE(inv.invariant(5));
  EXPECT_TRUE(inv.invariant(63));
  EXPECT_FALSE(inv.invariant(70));  // beyond the bound: never called invariant
}

TEST(LiteralInvariance, MergeKeepsWhatBothPartsAgreeOn) {
  LiteralInvariance a = observed({by_author(1, 1), by_author(2, 1)});
  LiteralInvariance b = observed({by_author(3, 1), by_author(4, 1)});
  LiteralInvariance merged = a;
  merged.merge(b);
  EXPECT_EQ(merged.calls, 4u);
  EXPECT_TRUE(merged.invariant(1));
  EXPECT_FALSE(merged.invariant(0));
  // Each part invariant on its own, with different constants: not invariant together.
  LiteralInvariance c = observed({by_author(5, 0), by_author(5, 0)});
  EXPECT_TRUE(c.invariant(0));
  merged.merge(c);
  EXPECT_FALSE(merged.invariant(1));
  EXPECT_TRUE(merged.invariant(2));
  // A part with one call of its own still counts against the others.
  LiteralInvariance one = observed({by_author(1, 1)});
  LiteralInvariance d = observed({by_author(2, 0), by_author(3, 0)});
  one.merge(d);
  EXPECT_FALSE(one.invariant(1));
  // Empty parts change nothing, either way round.
  LiteralInvariance empty;
  empty.merge(a);
  EXPECT_EQ(empty.calls, 2u);
  EXPECT_TRUE(empty.invariant(1));
  a.merge(LiteralInvariance{});
  EXPECT_TRUE(a.invariant(1));
}

TEST(DigestLiterals, OffByDefaultOnWhenAsked) {
  sql::ShapeRegistry shapes;
  Digest off(shapes);
  Digest on(shapes);
  on.track_literals(true);
  for (int i = 0; i < 5; ++i) {
    QueryEvent e;
    const std::string sql = by_author(i, 1);
    e.sql = sql;
    e.duration_ns = 1000 * (i + 1);
    off.add(e);
    on.add(e);
  }
  ASSERT_EQ(off.shape_count(), 1u);
  EXPECT_EQ(off.ranked(RankBy::kCalls)[0]->literals.calls, 0u);
  const ShapeStats& s = *on.ranked(RankBy::kCalls)[0];
  EXPECT_EQ(s.literals.calls, 5u);
  EXPECT_TRUE(s.literals.invariant(1));
  EXPECT_FALSE(s.literals.invariant(0));
}

TEST(DigestLiterals, MergedDigestsAsOneDigestOfEveryEvent) {
  // The parts of a log read with -j N are digested apart and merged in file order.
  sql::ShapeRegistry shapes;
  Digest first(shapes), second(shapes), whole(shapes);
  for (Digest* d : {&first, &second, &whole}) d->track_literals(true);
  std::vector<std::string> statements;
  for (int i = 0; i < 6; ++i) statements.push_back(by_author(i, i == 5 ? 0 : 1));
  for (size_t i = 0; i < statements.size(); ++i) {
    QueryEvent e;
    e.sql = statements[i];
    (i < 3 ? first : second).add(e);
    whole.add(e);
  }
  first.merge(second);
  const LiteralInvariance& merged = first.ranked(RankBy::kCalls)[0]->literals;
  const LiteralInvariance& expected = whole.ranked(RankBy::kCalls)[0]->literals;
  EXPECT_EQ(merged.calls, 6u);
  EXPECT_EQ(merged.same, expected.same);
  EXPECT_FALSE(merged.invariant(1));  // the last call, in the second part, had 0
  EXPECT_TRUE(merged.invariant(2));
}

}  // namespace
}  // namespace querylens::stats
