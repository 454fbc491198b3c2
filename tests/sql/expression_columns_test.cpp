// sql::expression_columns over expressions as PostgreSQL's EXPLAIN VERBOSE prints them.
#include "querylens/sql/expression_columns.h"

#include <gtest/gtest.h>

namespace querylens::sql {
namespace {

std::string joined(const std::vector<ColumnReference>& refs) {
  std::string out;
  for (const ColumnReference& r : refs) {
    if (!out.empty()) out += ' ';
    out += r.qualifier.empty() ? "" : r.qualifier + ".";
    out += r.star ? "*" : r.column;
  }
  return out;
}

TEST(ExpressionColumns, ReadsEveryColumnOfAPrintedExpression) {
  auto refs = expression_columns("(l.l_extendedprice * ('1'::numeric - l.l_discount))");
  ASSERT_TRUE(refs);
  EXPECT_EQ(joined(*refs), "l.l_extendedprice l.l_discount");

  refs = expression_columns("sum((l.l_extendedprice * ('1'::numeric - l.l_discount)))");
  ASSERT_TRUE(refs);
  EXPECT_EQ(joined(*refs), "l.l_extendedprice l.l_discount");

  refs = expression_columns("((t.status = 2) AND (t.opened_at >= $1) AND (lower(t.note) ~~ 'a%'))");
  ASSERT_TRUE(refs);
  EXPECT_EQ(joined(*refs), "t.status t.opened_at t.note");

  refs = expression_columns("CASE WHEN (o.o_orderpriority = '1-URGENT'::bpchar) THEN 1 ELSE 0 END");
  ASSERT_TRUE(refs);
  EXPECT_EQ(joined(*refs), "o.o_orderpriority");
}

TEST(ExpressionColumns, PlainColumnsStarsAndConstants) {
  auto refs = expression_columns("tickets.note");
  ASSERT_TRUE(refs);
  EXPECT_EQ(joined(*refs), "tickets.note");

  refs = expression_columns("a");
  ASSERT_TRUE(refs);
  EXPECT_EQ(joined(*refs), "a");

  refs = expression_columns("t.*");
  ASSERT_TRUE(refs);
  ASSERT_EQ(refs->size(), 1u);
  EXPECT_TRUE((*refs)[0].star);
  EXPECT_EQ((*refs)[0].qualifier, "t");

  refs = expression_columns("'1998-09-02 00:00:00'::timestamp without time zone");
  ASSERT_TRUE(refs);
  EXPECT_TRUE(refs->empty());
}

TEST(ExpressionColumns, WhatIsNotOneExpressionIsUnknown) {
  EXPECT_FALSE(expression_columns(""));
  EXPECT_FALSE(expression_columns("(SubPlan 1)"));
  EXPECT_FALSE(expression_columns("PARTIAL sum(l.l_quantity)"));
  EXPECT_FALSE(expression_columns("a, b"));
  EXPECT_FALSE(expression_columns("a FROM secrets"));
  EXPECT_FALSE(expression_columns(std::string_view("a\0b", 3)));
}

}  // namespace
}  // namespace querylens::sql
