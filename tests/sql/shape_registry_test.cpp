#include "querylens/sql/shape_registry.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace querylens::sql {
namespace {

struct SameShapeCase {
  std::vector<std::string> statements;  // all one shape
};

TEST(ShapeRegistryTest, ConstantsAndInListsOfAnyLengthAreOneShape) {
  std::vector<SameShapeCase> cases = {
      {{"SELECT * FROM users WHERE id IN (1, 2, 3)", "select * from users where id in (4)",
        "SELECT * FROM users WHERE id IN ($1, $2)",
        "SELECT * FROM users\n  WHERE id IN (7,8,9,10,11,12) -- c"}},
      {{"SELECT name FROM users WHERE email = 'a@b.c'", "SELECT name FROM users WHERE email = 'x'",
        "SELECT name FROM users WHERE email = $1"}},
      {{"SELECT * FROM t WHERE d = DATE '2020-01-01'",
        "SELECT * FROM t WHERE d = '2021-02-02'::date"}},
      // SQLite parameter markers are read as PostgreSQL parameters.
      {{"SELECT id, title FROM posts WHERE user_id = ? AND is_published = ?",
        "SELECT id, title FROM posts WHERE user_id = 5 AND is_published = 1",
        "SELECT id, title FROM posts WHERE user_id = ?1 AND is_published = ?2",
        "SELECT id, title FROM posts WHERE user_id = :uid AND is_published = :p"}},
  };
  ShapeRegistry registry;
  std::vector<const QueryShape*> group_shapes;
  for (const auto& c : cases) {
    const QueryShape* first = registry.classify(c.statements[0]);
    ASSERT_NE(first, nullptr);
    EXPECT_TRUE(first->parsed) << c.statements[0] << ": " << first->parse_error;
    for (const auto& s : c.statements) {
      EXPECT_EQ(registry.classify(s), first) << s << " vs " << c.statements[0];
    }
    for (const QueryShape* other : group_shapes) EXPECT_NE(other, first);
    group_shapes.push_back(first);
  }
}

TEST(ShapeRegistryTest, NormalizedTextSquashesInLists) {
  ShapeRegistry registry;
  const QueryShape* shape =
      registry.classify("SELECT * FROM users WHERE id IN (1, 2, 3) AND age > 30");
  EXPECT_EQ(shape->normalized, "SELECT * FROM users WHERE id IN ($1 /*, ... */) AND age > $4");
  EXPECT_EQ(shape->fingerprint_hex().size(), 16u);
}

TEST(ShapeRegistryTest, DifferentStructureIsADifferentShape) {
  ShapeRegistry registry;
  EXPECT_NE(registry.classify("SELECT a FROM t WHERE b = 1"),
            registry.classify("SELECT a FROM t WHERE c = 1"));
  EXPECT_NE(registry.classify("SELECT a FROM t"), registry.classify("SELECT a FROM u"));
  EXPECT_NE(registry.classify("SELECT a FROM t WHERE b = 1"),
            registry.classify("SELECT a FROM t WHERE b > 1"));
}

TEST(ShapeRegistryTest, StatementsLibpgQueryRejectsFallBackToTokens) {
  ShapeRegistry registry;
  const QueryShape* a = registry.classify("INSERT OR REPLACE INTO kv (k, v) VALUES ('a', 1)");
  const QueryShape* b = registry.classify("insert or replace into kv (k, v) values ('bb', 22)");
  ASSERT_NE(a, nullptr);
  EXPECT_FALSE(a->parsed);
  EXPECT_FALSE(a->parse_error.empty());
  EXPECT_EQ(a, b);
  EXPECT_EQ(a->normalized, "INSERT OR REPLACE INTO kv(k, v) VALUES(?, ?)");
  const QueryShape* c = registry.classify("SELECT `name` FROM t WHERE id IN (1, 2)");
  EXPECT_FALSE(c->parsed);
  EXPECT_EQ(c->normalized, "SELECT `name` FROM t WHERE id IN (? /*, ... */)");
  EXPECT_EQ(registry.classify("SELECT `name` FROM t WHERE id IN (5)"), c);
  EXPECT_EQ(registry.stats().fallbacks, 2u);
}

TEST(ShapeRegistryTest, GarbageAndEmptyInputDoNotCrash) {
  ShapeRegistry registry;
  for (std::string s :
       std::vector<std::string>{"", ";", "'unterminated", "/* open comment", "$$ never closed",
                                "SELECT (((", "\x01\x02\xff", std::string("SELECT 1\0 2", 10)}) {
    const QueryShape* shape = registry.classify(s);
    ASSERT_NE(shape, nullptr) << s;
  }
  std::string longest = "SELECT 1";
  for (int i = 0; i < 20000; ++i) longest += " + 1";
  EXPECT_TRUE(registry.classify(longest)->parsed);
}

TEST(ShapeRegistryTest, RepeatedTextIsNotParsedTwice) {
  ShapeRegistry registry;
  // A statement with bound parameters repeats byte for byte: the exact cache answers.
  for (int i = 0; i < 100; ++i) registry.classify("SELECT * FROM users WHERE id = $1");
  // Literals (a log): the literal-folded key answers every other constant.
  for (int i = 0; i < 100; ++i)
    registry.classify("SELECT * FROM users WHERE id = " + std::to_string(i));
  auto stats = registry.stats();
  EXPECT_EQ(stats.lookups, 200u);
  EXPECT_EQ(stats.parses, 1u);
  EXPECT_EQ(stats.exact_hits, 99u);
  EXPECT_EQ(stats.folded_hits, 100u);
  EXPECT_EQ(stats.shapes, 1u);
}

TEST(ShapeRegistryTest, ExactCacheIsBounded) {
  ShapeRegistry registry(/*exact_cache_limit=*/8);
  for (int i = 0; i < 100; ++i) registry.classify("SELECT $" + std::to_string(i + 1));
  EXPECT_EQ(registry.stats().shapes, 1u);
  EXPECT_EQ(registry.stats().parses, 1u);
}

TEST(ShapeRegistryTest, ThreadSafe) {
  ShapeRegistry registry;
  std::vector<std::thread> threads;
  std::vector<const QueryShape*> seen(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i)
        seen[t] = registry.classify("SELECT a FROM t WHERE b = " + std::to_string(i * t));
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 1; t < 4; ++t) EXPECT_EQ(seen[t], seen[0]);
  EXPECT_EQ(registry.stats().shapes, 1u);
}

}  // namespace
TEST(ShapeRegistryTest, LocalCacheAnswersWithTheRegistrysShapesAndCounts) {
  ShapeRegistry registry;
  const QueryShape* shared = registry.classify("SELECT * FROM users WHERE id = 1");
  {
    ShapeRegistry::LocalCache local(registry);
    for (int i = 0; i < 50; ++i)
      EXPECT_EQ(local.classify("SELECT * FROM users WHERE id = " + std::to_string(i)), shared);
    for (int i = 0; i < 10; ++i) local.classify("SELECT * FROM users WHERE id = $1");
    EXPECT_EQ(registry.stats().lookups, 1u);  // its own counts join when it goes
  }
  auto stats = registry.stats();
  EXPECT_EQ(stats.lookups, 61u);
  EXPECT_EQ(stats.exact_hits, 9u);    // "$1" from the second time on, without the lock
  EXPECT_EQ(stats.folded_hits, 51u);  // its first miss hit the registry; 50 of its own
  EXPECT_EQ(stats.parses, 1u);
  EXPECT_EQ(stats.shapes, 1u);
}

// The local cache's recent keys (compared before its maps are searched) answer as the maps
// do, also across templates that share a slot and when its bound clears the maps: the same
// shapes as the registry gives for each statement alone, and every lookup counted once.
TEST(ShapeRegistryTest, LocalCacheRecentKeysAnswerAsTheMapsDo) {
  const std::vector<std::string> templates = {
      "SELECT * FROM users WHERE id = ",
      "SELECT * FROM posts WHERE id = ",
      "SELECT * FROM users WHERE name = ",
      "UPDATE users SET n = n + 1 WHERE id = ",
      "SELECT a, b FROM t WHERE a IN (1, 2) AND b = ",
      "select * from users where id = ",
  };
  const std::vector<std::string> exact = {
      // no literals: these go to the exact map
      "SELECT * FROM users WHERE id = $1",  "SELECT * FROM posts WHERE id = $1",
      "SELECT * FROM users WHERE id = $2",  "UPDATE users SET n = n + $1 WHERE id = $2",
      "SELECT * FROM users WHERE id = $1 ",
  };
  ShapeRegistry reference, registry(4);  // a bound of 4: the maps are cleared again and again
  {
    ShapeRegistry::LocalCache local(registry);
    for (int i = 0; i < 300; ++i) {
      // two exact texts that hit first, then all five: more than the bound, cleared
      const size_t e = static_cast<size_t>(i < 150 ? i / 3 % 2 : i / 3 % 5);
      const std::string sql =
          i % 3 == 0 ? exact[e] : templates[static_cast<size_t>(i * 7 % 6)] + std::to_string(i);
      const QueryShape* got = local.classify(sql);
      const QueryShape* want = reference.classify(sql);
      ASSERT_NE(got, nullptr);
      EXPECT_EQ(got->fingerprint, want->fingerprint) << sql;
      EXPECT_EQ(got->normalized, want->normalized) << sql;
    }
  }
  auto stats = registry.stats();
  EXPECT_EQ(stats.lookups, 300u);
  EXPECT_GT(stats.exact_hits, 0u);
  EXPECT_GT(stats.folded_hits, 0u);
  EXPECT_EQ(stats.shapes, reference.stats().shapes);
}

}  // namespace querylens::sql
