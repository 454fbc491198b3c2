// The one-pass fold key (fold_key on text) against the token-vector one (lex + fold_key):
// the same key byte for byte and the same has-literals answer, on written cases and on many
// statements put together from SQL fragments. (The one-pass version lower-cases words 16 bytes
// at a time: fragments near the end of the text and longer than 16 bytes take the byte loop.)
#include "querylens/sql/fold.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "querylens/sql/lexer.h"

namespace querylens::sql {
namespace {

void expect_same_fold(const std::string& sql) {
  LexResult lexed = lex(sql);
  std::string two_pass = fold_key(lexed);
  bool two_pass_literals = false;
  for (const Token& t : lexed.tokens) two_pass_literals |= t.is_literal();
  std::string one_pass = "stale contents";
  bool one_pass_literals = !two_pass_literals;
  fold_key(sql, &one_pass, &one_pass_literals);
  EXPECT_EQ(one_pass, two_pass) << sql;
  EXPECT_EQ(one_pass_literals, two_pass_literals) << sql;
}

TEST(FoldTest, OnePassKeyEqualsTokenKeyOnWrittenCases) {
  for (const char* sql : {
           "",
           "   ",
           "-- only a comment",
           "SELECT 1",
           "SELECT id, email, name FROM users WHERE id = 55302",
           "select X  from T where ID in (4) and NAME = $1",
           "SELECT * FROM tags WHERE name IN ('a96530', 'b96531', 'c')",
           "SELECT * FROM t WHERE a IN (1, -2, +3, 4.5e3, .5, 0x1F) AND b In ($1,$2) AND c iN (?)",
           "SELECT * FROM t WHERE a IN ('x'::text, 'y'::text) AND b IN (1::int, 2::)",
           "SELECT * FROM t WHERE a IN ('x'::text 'y') OR b IN (1 2) OR c IN (1,) OR d IN ()",
           "SELECT * FROM t WHERE a IN (SELECT b FROM u WHERE c IN (1, 2))",
           "SELECT * FROM t WHERE a IN /* c */ ( -- d\n 1 /* e */, 2 )",
           "SELECT * FROM t WHERE a NOT IN (:a, :b, @c, $d, ?1, ?2) AND in_stock IN (true, false)",
           "SELECT * FROM t WHERE a IN (1, 2",
           "SELECT * FROM t WHERE a IN (",
           "SELECT * FROM t WHERE a IN",
           "SELECT * FROM t WHERE a IN (1, 'unterminated",
           "SELECT E'it\\'s', e'\\\\', N'n', U&'\\0041', X'0F', b'101', 'a''b' FROM t",
           "SELECT $$dollar 'quoted'$$, $tag$ with $$ inside $tag$, $1, $12 FROM t",
           "SELECT $q$ unterminated",
           "SELECT /* nested /* comment */ still */ 1 /* unterminated",
           "SELECT \"Quoted Ident\", `back`, \"a\"\"b\" FROM \"T\" WHERE x::int > 3::bigint",
           "SELECT d ?| array['a'], d ?& array['b'], d ? 'k', a @> b, a<=-1, a--c\n, b/*x*/+1",
           "INSERT INTO comments (post_id, user_id, body) VALUES (12, 34, 'nice post 12')",
           "UPDATE posts SET view_count = view_count + 1 WHERE id = 7;",
           "SELECT u.name, count(p.id) AS posts\n  FROM users u\n  JOIN posts p ON p.user_id = "
           "u.id\n WHERE u.created_at > '2024-01-05'\n GROUP BY u.name\n ORDER BY posts DESC\n "
           "LIMIT 50",
           "SELECT 1_000, 1.5, 1..5, 1e, 1e+, 1e-3, 0x, 0xZ, .e1 FROM t",
           "SELECT ÄÖÜ, naïve_col FROM tàble WHERE x IN (1)",
           "in (1)",
           // IN-list tokens read without the scanner (next_in_list): spaced, doubled quotes,
           // exponents, a string not closed, a comment or an E'' string inside
           "SELECT a FROM t WHERE a IN ( 'x' , 2 ,3\t)",
           "SELECT a FROM t WHERE a IN (1.e5, .5e-3, 'a''b', 1e+, 0x)",
           "SELECT a FROM t WHERE a IN ('x'",
           "SELECT a FROM t WHERE a IN ('x', 'y",
           "SELECT a FROM t WHERE a IN ('x' -- c\n, 'y')",
           "SELECT a FROM t WHERE a IN (E'x', 'y') OR b IN (('x'))",
           // the scans' guards: trailing whitespace, a text that ends in a word, one word,
           // a text of identifier bytes only, a non-identifier byte only at the start
           "SELECT a   ",
           "SELECT a \t\n\r",
           "SELECT a FROM t WHERE b = c",
           "abc",
           "a",
           " a",
           "(abc",
           "abc_def$1ÄÖ",
           "x IN (1) y",
           "SELECT 1 ",
           "SELECT 'x'",
           "SELECT 'x' ",
           "  \t  ",
           "IN(1,2)in(3)",
           "SELECT a FROM t WHERE a IN ((1), (2)) OR b IN (ARRAY[1]) OR c IN (NULL, 1)",
       }) {
    expect_same_fold(sql);
  }
}

// fold_key on text resumes the fold of a remembered text that starts the same way
// (sql/fold_memo.h). Each statement below, cut at every length and given each tail, is folded
// right after the whole statement: it must still give the token-vector key.
TEST(FoldTest, ResumedFoldsEqualTokenKeys) {
  const std::vector<std::string> bases = {
      "SELECT id, email, name FROM users WHERE id = 55302",
      "SELECT * FROM tags WHERE name IN ('a96530', 'b96531', 'c') AND x = 1",
      "SELECT * FROM t WHERE a IN (1, 2, x) AND b IN (3, 4) AND c = 'it''s'",
      "SELECT * FROM t WHERE a in (1, -2, 'x'::text, 1e+5, .5) OR b In(3)",
      "UPDATE posts SET view_count = view_count + 1 WHERE id = 59429",
      "INSERT INTO users (email) VALUES ('u30495@example.com'), (E'a\\'b')",
      "SELECT u.name, count(p.id) AS posts\n  FROM users u\n WHERE u.created_at > "
      "'2024-01-13'\n GROUP BY u.name\n LIMIT 50",
      "SELECT 1.5e-3, 0x1F, 1_000, 12.e, $1, ?2, :name, @v FROM tbl_long_name",
      "SELECT /* a comment */ a -- another\n, $$ dollar $$, $q$x$q$ FROM t WHERE a @> b",
      "SELECT \"Quoted Ident\", b::int, c->>'k', d ?| array['a'] FROM \"T\"",
      "SELECT a FROM t WHERE b = 'unterminated",
      "SELECT a FROM t WHERE b IN (1, 2",
  };
  const std::vector<std::string> tails = {
      "",   " ", "1",          "5",      "e+5",      ".5",        "'x'",     "'",
      "''", ")", " IN (1, 2)", ", 3)",   "-- c\n x", "/* c */ y", "/* open", "$$ a $$",
      "$",  "x", "X",          "::text", "in (",     "n (1)",     "\n\t",    "@",
  };
  for (const std::string& base : bases) {
    for (size_t cut = 0; cut <= base.size(); ++cut) {
      for (const std::string& tail : tails) {
        std::string remembered = "stale";
        bool literals = false;
        fold_key(base, &remembered, &literals);
        expect_same_fold(base.substr(0, cut) + tail);
        if (HasFailure()) return;
      }
    }
  }
}

TEST(FoldTest, OnePassKeyEqualsTokenKeyOnGeneratedStatements) {
  const std::vector<std::string> fragments = {
      "SELECT",
      "select",
      "FROM",
      "t",
      "Users",
      "A_Very_Long_Column_Name_Of_Thirty_Two",  // longer than put_lower's 16 bytes
      "MiXeD_CaSe_$1",
      "ZZ@AA[zz`",  // letters next to the bytes just outside A-Z and a-z
      "u.name",
      "a.5",
      "#>>",
      "WHERE",
      "id",
      "=",
      "AND",
      "OR",
      "NOT",
      "IN",
      "in",
      "In",
      "inx",
      "i",
      "(",
      ")",
      ",",
      ";",
      ".",
      "[",
      "]",
      "::",
      "::text",
      "::int",
      "-",
      "+",
      "*",
      "/",
      "<=",
      "<>",
      "@>",
      "?|",
      "?&",
      "?",
      "?3",
      ":name",
      "@v",
      "$name",
      "$1",
      "$23",
      "1",
      "42",
      "-7",
      "3.14",
      ".5",
      "1e10",
      "2E-3",
      "0x1F",
      "1_000",
      "'str'",
      "'it''s'",
      "E'esc\\'aped'",
      "e'\\\\'",
      "N'nat'",
      "U&'\\0041'",
      "X'0F'",
      "B'101'",
      "$$dollar$$",
      "$tag$ body $$ $tag$",
      "\"Quoted\"",
      "`bq`",
      "-- line comment\n",
      "/* block */",
      "/* nested /* deeper */ */",
      " ",
      "  ",
      "\n",
      "\t",
      "ÄÖ",
      "naïve",
      "IN (1, 2, 3)",
      "IN ('a', 'b')",
      "IN ($1, $2)",
      "IN (?)",
      "IN (-1, +2)",
      "IN ('x'::text, 'y'::text)",
      "IN (1::int,",
      "IN (SELECT 1)",
      "IN ()",
      "IN (1 2)",
      "'unterminated",
      "\"unterminated",
      "/* unterminated",
      "$q$ unterminated",
      "e",
      "E",
      "x",
      "U",
      "u&",
      "N",
      "B",
      "0",
      "9",
      "$",
      ":",
      "@",
      "&",
      "|",
      "#",
      "%",
      "^",
      "~",
      "!",
      "=",
  };
  std::mt19937 rng(20261122);
  std::uniform_int_distribution<size_t> pick(0, fragments.size() - 1);
  std::uniform_int_distribution<int> length(1, 24), glue(0, 3);
  for (int n = 0; n < 30000; ++n) {
    std::string sql;
    for (int k = length(rng); k > 0; --k) {
      sql += fragments[pick(rng)];
      if (glue(rng) != 0) sql += ' ';  // sometimes no space: fragments run together
    }
    expect_same_fold(sql);
    if (HasFailure()) return;  // one counter-example is enough to read
  }
}

}  // namespace
}  // namespace querylens::sql
