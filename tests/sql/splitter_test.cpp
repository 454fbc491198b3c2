#include "querylens/sql/splitter.h"

#include <gtest/gtest.h>

namespace querylens::sql {
namespace {

std::vector<std::string> texts(const ScriptSplit& split) {
  std::vector<std::string> out;
  for (const auto& s : split.statements) out.emplace_back(s.text);
  return out;
}

TEST(SplitterTest, QuotesCommentsAndDollarQuotesDoNotSplit) {
  std::string script =
      "SELECT 'a;b' AS x;\n"
      "-- a comment; with a semicolon\n"
      "SELECT \"odd;name\" FROM t; /* block ; comment */\n"
      "CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; SELECT 2; $body$ LANGUAGE sql;\n"
      "SELECT E'it\\'s;' ;\n"
      "SELECT $$;$$";
  ScriptSplit split = split_script(script);
  EXPECT_TRUE(split.error.empty()) << split.error;
  ASSERT_EQ(split.statements.size(), 5u);
  EXPECT_EQ(texts(split)[0], "SELECT 'a;b' AS x");
  EXPECT_EQ(texts(split)[1], "SELECT \"odd;name\" FROM t");
  EXPECT_EQ(texts(split)[2],
            "CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; SELECT 2; $body$ LANGUAGE sql");
  EXPECT_EQ(texts(split)[4], "SELECT $$;$$");
  EXPECT_EQ(split.statements[0].line, 1);
  EXPECT_EQ(split.statements[1].line, 3);
  EXPECT_EQ(split.statements[2].line, 4);
  EXPECT_EQ(split.statements[3].line, 5);
  EXPECT_EQ(split.statements[3].column, 1);
}

TEST(SplitterTest, EmptyAndCommentOnlyStatementsAreDropped) {
  ScriptSplit split = split_script(";;\n-- nothing\n;  /* still nothing */ ;\n  SELECT 1;;");
  ASSERT_EQ(split.statements.size(), 1u);
  EXPECT_EQ(split.statements[0].text, "SELECT 1");
  EXPECT_EQ(split.statements[0].line, 4);
  EXPECT_EQ(split.statements[0].column, 3);
}

TEST(SplitterTest, UnterminatedStringKeepsEarlierStatementsAndNamesTheLine) {
  ScriptSplit split = split_script("SELECT 1;\nSELECT 2;\nSELECT 'oops FROM t;\nSELECT 3;");
  EXPECT_FALSE(split.error.empty());
  EXPECT_EQ(split.error_line, 3);
  ASSERT_EQ(split.statements.size(), 2u);
  EXPECT_EQ(split.statements[1].text, "SELECT 2");
}

TEST(SplitterTest, SqliteBacktickIdentifiersSplit) {
  ScriptSplit split = split_script("SELECT `a;b` FROM t; SELECT 2");
  EXPECT_TRUE(split.error.empty()) << split.error;
  ASSERT_EQ(split.statements.size(), 2u);
  EXPECT_EQ(split.statements[0].text, "SELECT `a;b` FROM t");
}

}  // namespace
}  // namespace querylens::sql
