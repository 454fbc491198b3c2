#include "querylens/sql/statement_model.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

namespace querylens::sql {
namespace {

const ColumnUse* find(const StatementModel& m, std::string_view column, ColumnRole role) {
  for (const ColumnUse& c : m.columns) {
    if (c.column == column && c.role == role) return &c;
  }
  return nullptr;
}

TEST(StatementModelTest, SelectRolesAndAliases) {
  std::string sql =
      "SELECT p.id FROM posts p JOIN users u ON u.id = p.user_id "
      "WHERE p.status = 'x' AND p.score > 3 AND p.tag IN (1, 2) AND u.email LIKE 'ab%' "
      "AND p.deleted_at IS NULL AND lower(u.name) = $1 GROUP BY p.id ORDER BY p.created_at DESC "
      "LIMIT 10 OFFSET 20";
  StatementModel m = build_statement_model(sql);
  ASSERT_TRUE(m.analyzed) << m.error;
  EXPECT_EQ(m.kind, StatementKind::kSelect);
  ASSERT_EQ(m.tables.size(), 2u);
  EXPECT_EQ(m.tables[0].name, "posts");
  EXPECT_EQ(m.tables[0].alias, "p");
  const ColumnUse* eq = find(m, "status", ColumnRole::kEqualityFilter);
  ASSERT_NE(eq, nullptr);
  EXPECT_EQ(eq->table, "posts");
  EXPECT_EQ(sql.substr(eq->location, 8), "p.status");
  EXPECT_NE(find(m, "score", ColumnRole::kRangeFilter), nullptr);
  EXPECT_NE(find(m, "tag", ColumnRole::kInList), nullptr);
  EXPECT_NE(find(m, "email", ColumnRole::kLikePrefix), nullptr);
  EXPECT_NE(find(m, "deleted_at", ColumnRole::kIsNull), nullptr);
  const ColumnUse* wrapped = find(m, "name", ColumnRole::kWrapped);
  ASSERT_NE(wrapped, nullptr);
  EXPECT_EQ(wrapped->detail, "lower()");
  EXPECT_EQ(wrapped->table, "users");
  EXPECT_NE(find(m, "user_id", ColumnRole::kJoinKey), nullptr);
  EXPECT_NE(find(m, "id", ColumnRole::kGroupBy), nullptr);
  const ColumnUse* order = find(m, "created_at", ColumnRole::kOrderBy);
  ASSERT_NE(order, nullptr);
  EXPECT_TRUE(order->descending);
  EXPECT_EQ(m.blocks[0].limit, 10);
  EXPECT_EQ(m.blocks[0].offset, 20);
  EXPECT_EQ(m.blocks[0].max_param, 1);
}

TEST(StatementModelTest, AliasesResolveThroughSubqueriesAndCtes) {
  StatementModel m = build_statement_model(
      "WITH r AS (SELECT id, author_id AS a FROM posts) "
      "SELECT s.x FROM (SELECT u.id AS x FROM users u) s JOIN r ON r.a = s.x WHERE r.id = 1 AND "
      "s.x = 2");
  ASSERT_TRUE(m.analyzed) << m.error;
  const ColumnUse* through_cte = find(m, "id", ColumnRole::kEqualityFilter);
  ASSERT_NE(through_cte, nullptr);
  EXPECT_EQ(through_cte->table, "posts");
  const ColumnUse* through_sub = find(m, "x", ColumnRole::kEqualityFilter);
  ASSERT_NE(through_sub, nullptr);
  EXPECT_EQ(through_sub->table, "users");
}

TEST(StatementModelTest, SubqueriesSetOpsWindowsAndWrites) {
  StatementModel m = build_statement_model(
      "SELECT u.id, (SELECT max(p.id) FROM posts p WHERE p.user_id = u.id), rank() OVER (ORDER BY "
      "u.id) "
      "FROM users u WHERE EXISTS (SELECT 1 FROM x) UNION ALL SELECT 1, 2, 3");
  ASSERT_TRUE(m.analyzed) << m.error;
  ASSERT_EQ(m.set_operations.size(), 1u);
  EXPECT_TRUE(m.set_operations[0].all);
  ASSERT_EQ(m.window_functions.size(), 1u);
  EXPECT_EQ(m.window_functions[0], "rank");
  int scalar = 0, exists = 0;
  for (const Subquery& s : m.subqueries) {
    if (s.kind == SubqueryKind::kScalar) {
      ++scalar;
      EXPECT_TRUE(s.correlated);
    }
    if (s.kind == SubqueryKind::kExists) {
      ++exists;
      EXPECT_FALSE(s.correlated);
    }
  }
  EXPECT_EQ(scalar, 1);
  EXPECT_EQ(exists, 1);

  StatementModel u =
      build_statement_model("UPDATE accounts SET balance = balance - 1 WHERE id = $1");
  ASSERT_TRUE(u.analyzed);
  EXPECT_EQ(u.kind, StatementKind::kUpdate);
  EXPECT_EQ(u.tables_written, std::vector<std::string>{"accounts"});
  StatementModel d = build_statement_model("CREATE INDEX ON posts (user_id)");
  EXPECT_EQ(d.kind, StatementKind::kDdl);
}

TEST(StatementModelTest, SqliteParametersParseAndLocationsMapBack) {
  std::string sql = "SELECT id FROM t WHERE a = :first AND b LIKE '%x'";
  StatementModel m = build_statement_model(sql);
  ASSERT_TRUE(m.analyzed) << m.error;
  const ColumnUse* like = find(m, "b", ColumnRole::kLikeLeadingWildcard);
  ASSERT_NE(like, nullptr);
  EXPECT_EQ(sql.substr(like->location, 1), "b");
}

TEST(StatementModelTest, EqualityWithAConstantRecordsTheConstant) {
  // Partial-index predicates (advise): the constant as canonical SQL text, either side.
  StatementModel m = build_statement_model(
      "SELECT p.id FROM posts p JOIN users u ON u.id = p.user_id AND u.active = true "
      "WHERE p.is_published = 1 AND 'it''s' = p.status AND p.score = -2.5 AND p.kind = ? "
      "AND p.flag = false AND (p.a = 1 OR p.b = 2) AND NOT (p.c = 3) AND p.d = NULL");
  ASSERT_TRUE(m.analyzed) << m.error;
  auto constant = [&](std::string_view column) {
    const ColumnUse* c = find(m, column, ColumnRole::kEqualityFilter);
    return c == nullptr ? std::string("<none>") : c->detail;
  };
  EXPECT_EQ(constant("is_published"), "1");
  EXPECT_EQ(constant("status"), "'it''s'");
  EXPECT_EQ(constant("score"), "-2.5");
  EXPECT_EQ(constant("active"), "true");
  EXPECT_EQ(constant("flag"), "false");
  // A parameter is not a constant; under OR or NOT the test does not hold for every row.
  EXPECT_EQ(constant("kind"), "");
  EXPECT_EQ(constant("a"), "");
  EXPECT_EQ(constant("b"), "");
  EXPECT_EQ(constant("c"), "");
  EXPECT_EQ(constant("d"), "");
}

TEST(StatementModelTest, ABooleanColumnTestedAloneEqualsAConstant) {
  // `WHERE flag` is `flag = true` for an index; under OR, and as `flag IS TRUE / IS FALSE`, an
  // equality without a constant; NOT, IS NOT TRUE and SELECT-list uses are not filters.
  StatementModel m = build_statement_model(
      "SELECT p.id, p.shown FROM posts p JOIN users u ON u.id = p.user_id AND u.active "
      "WHERE p.is_published AND p.pinned IS TRUE AND p.hidden IS FALSE AND (p.a OR p.b) "
      "AND NOT p.c AND p.d IS NOT TRUE");
  ASSERT_TRUE(m.analyzed) << m.error;
  auto constant = [&](std::string_view column) {
    const ColumnUse* c = find(m, column, ColumnRole::kEqualityFilter);
    return c == nullptr ? std::string("<none>") : c->detail;
  };
  EXPECT_EQ(constant("is_published"), "true");
  EXPECT_EQ(constant("active"), "true");
  EXPECT_EQ(constant("pinned"), "");
  EXPECT_EQ(constant("hidden"), "");
  EXPECT_EQ(constant("a"), "");
  EXPECT_EQ(constant("b"), "");
  EXPECT_EQ(constant("c"), "<none>");
  EXPECT_EQ(constant("d"), "<none>");
  EXPECT_EQ(constant("shown"), "<none>");
}

TEST(StatementModelTest, RejectedStatementsAreNotAnalyzedWithTheMessage) {
  StatementModel m = build_statement_model("INSERT OR REPLACE INTO t VALUES (1)");
  EXPECT_FALSE(m.analyzed);
  EXPECT_NE(m.error.find("syntax error"), std::string::npos);
  EXPECT_EQ(m.error_location, 7);
  EXPECT_FALSE(build_statement_model(std::string("SELECT 1\0", 9)).analyzed);
  EXPECT_FALSE(build_statement_model("SELECT (").analyzed);
}

TEST(StatementModelTest, DeepNestingIsAClearErrorNotACrash) {
  for (int depth : {100, 500, 5000}) {
    std::string nested = "SELECT 1";
    for (int i = 0; i < depth; ++i) nested = "SELECT (" + nested + ")";
    StatementModel m = build_statement_model(nested);
    EXPECT_TRUE(m.analyzed || !m.error.empty()) << depth;
    std::string exprs = "SELECT " + std::string(depth, '(') + "1" + std::string(depth, ')');
    EXPECT_NO_FATAL_FAILURE(build_statement_model(exprs));
    std::string ors = "SELECT id FROM t WHERE ";
    for (int i = 0; i < depth; ++i) ors += "(a = 1 OR ";
    ors += "b = 2" + std::string(depth, ')');
    StatementModel o = build_statement_model(ors);
    EXPECT_TRUE(o.analyzed || !o.error.empty()) << depth;
  }
  std::string deep = "SELECT 1";
  for (int i = 0; i < 500; ++i) deep = "SELECT * FROM (" + deep + ") s" + std::to_string(i);
  StatementModel m = build_statement_model(deep);
  EXPECT_TRUE(m.analyzed || !m.error.empty());
}

TEST(StatementModelTest, HundredKilobyteStatement) {
  std::string sql = "SELECT id FROM posts WHERE id IN (";
  for (int i = 0; sql.size() < 100 * 1024; ++i) sql += std::to_string(i) + ", ";
  sql += "0) AND title LIKE '%x'";
  StatementModel m = build_statement_model(sql);
  ASSERT_TRUE(m.analyzed) << m.error;
  EXPECT_NE(find(m, "title", ColumnRole::kLikeLeadingWildcard), nullptr);
}

TEST(StatementModelTest, UnqualifiedColumnPairsAreLinkedJoinKeys) {
  StatementModel m = build_statement_model(
      "SELECT 1 FROM lineitem, part WHERE p_partkey = l_partkey AND l_commitdate < l_receiptdate "
      "AND l_tax = l_tax AND p.a = p.b");
  ASSERT_TRUE(m.analyzed) << m.error;
  const ColumnUse* left = find(m, "p_partkey", ColumnRole::kJoinKey);
  const ColumnUse* right = find(m, "l_partkey", ColumnRole::kJoinKey);
  ASSERT_NE(left, nullptr);
  ASSERT_NE(right, nullptr);
  // Each side points at the other: a catalog decides whether they are in different tables.
  EXPECT_EQ(&m.columns[static_cast<size_t>(left->joined_with)], right);
  EXPECT_EQ(&m.columns[static_cast<size_t>(right->joined_with)], left);
  // A comparison that is not `=`, one name twice, one qualifier on both sides: no join key.
  EXPECT_EQ(find(m, "l_commitdate", ColumnRole::kJoinKey), nullptr);
  EXPECT_EQ(find(m, "l_tax", ColumnRole::kJoinKey), nullptr);
  EXPECT_EQ(find(m, "a", ColumnRole::kJoinKey), nullptr);
}

TEST(StatementModelTest, WhereTermsAndJoinKinds) {
  std::string sql =
      "SELECT u.id FROM users u JOIN posts p ON p.user_id = u.id LEFT JOIN tags t ON t.id = p.tag "
      "WHERE (u.active OR u.admin) AND p.score BETWEEN 1 AND ? AND published AND "
      "EXISTS (SELECT 1 FROM c WHERE c.pid = p.id)";
  StatementModel m = build_statement_model(sql);
  ASSERT_TRUE(m.analyzed) << m.error;
  const QueryBlock& b = m.blocks[0];
  EXPECT_EQ(b.explicit_joins, 2);
  EXPECT_EQ(b.outer_joins, 1);
  ASSERT_EQ(b.where_terms.size(), 4u);
  EXPECT_EQ(b.where_terms[0].qualifiers, (std::vector<std::string>{"u", "u"}));
  EXPECT_EQ(sql.substr(b.where_terms[0].location, 8), "u.active");  // inside the parenthesis
  EXPECT_EQ(sql.substr(b.where_terms[1].location, 7), "p.score");   // mapped back past the `?`
  EXPECT_FALSE(b.where_terms[1].unqualified);
  EXPECT_TRUE(b.where_terms[2].unqualified);
  EXPECT_TRUE(b.where_terms[2].qualifiers.empty());
  EXPECT_TRUE(b.where_terms[3].subquery);
  EXPECT_EQ(b.where_terms[3].qualifiers, (std::vector<std::string>{"c", "p"}));
  EXPECT_EQ(sql.substr(b.where_terms[3].location, 6), "EXISTS");
  EXPECT_EQ(build_statement_model("SELECT 1 FROM a WHERE x = 1").blocks[0].where_terms.size(), 1u);
}

TEST(StatementModelTest, WrappedColumnsCarryTheirCanonicalExpression) {
  StatementModel a = build_statement_model("SELECT 1 FROM users u WHERE LOWER(u.email) = $1");
  StatementModel b = build_statement_model("select 1 from users where lower( email ) like 'a%'");
  StatementModel c = build_statement_model("SELECT 1 FROM users WHERE upper(email) = 'A'");
  const ColumnUse* wa = find(a, "email", ColumnRole::kWrapped);
  const ColumnUse* wb = find(b, "email", ColumnRole::kWrapped);
  const ColumnUse* wc = find(c, "email", ColumnRole::kWrapped);
  ASSERT_TRUE(wa && wb && wc);
  EXPECT_FALSE(wa->expression.empty());
  EXPECT_EQ(wa->expression, wb->expression);  // case, spacing and qualifier do not matter
  EXPECT_NE(wa->expression, wc->expression);
}

}  // namespace
}  // namespace querylens::sql
