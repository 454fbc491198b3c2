#include "querylens/sql/lexer.h"

#include <gtest/gtest.h>

#include "querylens/sql/fold.h"

namespace querylens::sql {
namespace {

TEST(LexerTest, TokenKinds) {
  LexResult r =
      lex("SELECT a, 'x''y', E'\\'', X'0F', 1.5e3, $1, ?, ?2, :name, @v, \"Q\" -- c\n FROM t::int "
          "/* x */");
  ASSERT_TRUE(r.ok);
  std::vector<TokenKind> kinds;
  for (const auto& t : r.tokens) kinds.push_back(t.kind);
  using K = TokenKind;
  std::vector<TokenKind> expected = {
      K::kWord,        K::kWord,  K::kPunct,  K::kString,   K::kPunct, K::kString, K::kPunct,
      K::kBlob,        K::kPunct, K::kNumber, K::kPunct,    K::kParam, K::kPunct,  K::kParam,
      K::kPunct,       K::kParam, K::kPunct,  K::kParam,    K::kPunct, K::kParam,  K::kPunct,
      K::kQuotedIdent, K::kWord,  K::kWord,   K::kOperator, K::kWord};
  EXPECT_EQ(kinds, expected);
}

TEST(LexerTest, UnterminatedConstructsReportWhere) {
  for (std::string s : std::vector<std::string>{"SELECT 'abc", "SELECT /* a /* nested */",
                                                "SELECT $q$ body", "SELECT \"x"}) {
    LexResult r = lex(s);
    EXPECT_FALSE(r.ok) << s;
    EXPECT_EQ(r.error_offset, 7u) << s;
  }
}

TEST(LexerTest, JsonbQuestionOperatorsAreOperators) {
  LexResult r = lex("SELECT d ?| array['a'], d ?& array['b']");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.tokens[2].kind, TokenKind::kOperator);
  EXPECT_EQ(r.tokens[2].text, "?|");
}

TEST(FoldTest, RewriteSqliteParams) {
  std::string sql = "SELECT * FROM t WHERE a = ? AND b = :name AND c = ? AND d = :name AND e = '?'";
  auto out = rewrite_sqlite_params(sql, lex(sql));
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(*out, "SELECT * FROM t WHERE a = $1 AND b = $2 AND c = $3 AND d = $2 AND e = '?'");
  std::string numbered = "SELECT ?2, ?1";
  EXPECT_EQ(*rewrite_sqlite_params(numbered, lex(numbered)), "SELECT $2, $1");
  std::string none = "SELECT $1";
  EXPECT_FALSE(rewrite_sqlite_params(none, lex(none)).has_value());
}

TEST(FoldTest, FoldKeyIgnoresConstantsCaseCommentsAndListLength) {
  std::string a = "SELECT x FROM t WHERE id IN (1,2,3) AND name = 'bob' -- hi";
  std::string b = "select X  from T where ID in (4) and NAME = $1";
  EXPECT_EQ(fold_key(lex(a)), fold_key(lex(b)));
  EXPECT_NE(fold_key(lex(a)),
            fold_key(lex("SELECT x FROM t WHERE id IN (SELECT 1) AND name = 'bob'")));
}

TEST(FoldTest, SquashInLists) {
  EXPECT_EQ(squash_in_lists("SELECT 1 WHERE a IN ($1, $2, $3) AND b IN ($4) AND c NOT IN ($5,$6)"),
            "SELECT 1 WHERE a IN ($1 /*, ... */) AND b IN ($4) AND c NOT IN ($5 /*, ... */)");
}

}  // namespace
}  // namespace querylens::sql
