// Value positions of a statement (sql/literal_slots.h): token order, IN-lists as one
// position, signs in the literal's hash, parameters, and the same positions as fold_key's `?`.
#include "querylens/sql/literal_slots.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "querylens/sql/fold.h"

namespace querylens::sql {
namespace {

std::vector<LiteralSlot> slots_of(std::string_view sql, size_t room = 32) {
  std::vector<LiteralSlot> out(room);
  SlotScan scan = scan_literal_slots(sql, out);
  EXPECT_TRUE(scan.ok) << sql;
  out.resize(std::min(scan.count, room));
  return out;
}

std::string text_of(std::string_view sql, const LiteralSlot& s) {
  return std::string(sql.substr(s.begin, s.end - s.begin));
}

TEST(LiteralSlots, LiteralsAndMarkersInTokenOrder) {
  const std::string sql =
      "SELECT id, 'a''b' FROM posts WHERE author_id = $1 AND is_published = 1 "
      "AND title = ? -- 99 in a comment\n AND x = X'ff' LIMIT 10";
  auto s = slots_of(sql);
  ASSERT_EQ(s.size(), 6u);
  EXPECT_EQ(s[0].kind, SlotKind::kLiteral);
  EXPECT_EQ(text_of(sql, s[0]), "'a''b'");
  EXPECT_EQ(s[1].kind, SlotKind::kParam);
  EXPECT_EQ(text_of(sql, s[1]), "$1");
  EXPECT_EQ(text_of(sql, s[2]), "1");
  EXPECT_EQ(s[3].kind, SlotKind::kParam);
  EXPECT_EQ(text_of(sql, s[4]), "X'ff'");
  EXPECT_EQ(text_of(sql, s[5]), "10");
  EXPECT_EQ(s[1].hash, 0u);
  EXPECT_NE(s[2].hash, s[5].hash);
}

TEST(LiteralSlots, AnInListIsOnePositionOfItsOwn) {
  const std::string sql = "SELECT 1 FROM t WHERE a IN (1, -2, '3'::text) AND b = 4";
  auto s = slots_of(sql);
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[1].kind, SlotKind::kList);
  EXPECT_EQ(text_of(sql, s[1]), "(1, -2, '3'::text)");
  EXPECT_EQ(text_of(sql, s[2]), "4");
  // Whatever the list's length, b = 4 stays the third position.
  auto longer = slots_of("SELECT 1 FROM t WHERE a IN (1, 2, 3, 4, 5, 6) AND b = 4");
  ASSERT_EQ(longer.size(), 3u);
  EXPECT_EQ(longer[2].hash, s[2].hash);
  // A subquery after IN is no list: its literals are positions.
  EXPECT_EQ(slots_of("SELECT 1 FROM t WHERE a IN (SELECT b FROM u WHERE c = 5)").size(), 2u);
}

TEST(LiteralSlots, ASignBeforeANumberIsPartOfItsHashNotOfItsBytes) {
  const std::string minus = "SELECT 1 FROM t WHERE a = -5";
  auto m = slots_of(minus);
  auto p = slots_of("SELECT 1 FROM t WHERE a = 5");
  auto glued = slots_of("SELECT 1 FROM t WHERE a =-5");
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(text_of(minus, m[1]), "5");  // `a - 5` has a binary minus: never replaced
  EXPECT_NE(m[1].hash, p[1].hash);
  EXPECT_NE(glued[1].hash, p[1].hash);
  EXPECT_EQ(slots_of("SELECT 1 FROM t WHERE a = - 5")[1].hash, m[1].hash);
}

TEST(LiteralSlots, CountsBeyondRoomAndReportsUnterminatedText) {
  std::string sql = "SELECT 1 FROM t WHERE a IN (SELECT 0)";
  for (int i = 0; i < 100; ++i) sql += " AND c" + std::to_string(i) + " = " + std::to_string(i);
  std::vector<LiteralSlot> room(8);
  SlotScan scan = scan_literal_slots(sql, room);
  EXPECT_TRUE(scan.ok);
  EXPECT_EQ(scan.count, 102u);
  EXPECT_FALSE(scan_literal_slots("SELECT 'open", room).ok);
}

TEST(LiteralSlots, TrueFalseAndNullAreConstantsAsForLibpgQuery) {
  const std::string sql = "SELECT 1 FROM t WHERE a = TRUE AND b = false AND c IS NULL";
  auto s = slots_of(sql);
  ASSERT_EQ(s.size(), 4u);
  EXPECT_EQ(text_of(sql, s[1]), "TRUE");
  EXPECT_EQ(s[1].hash,
            slots_of("select 1 from t where a = true and b = false and c is null")[1].hash);
  EXPECT_NE(s[1].hash, s[2].hash);
  EXPECT_EQ(text_of(sql, s[3]), "NULL");
}

// Plus the words TRUE, FALSE and NULL, which the fold key keeps (none below).
TEST(LiteralSlots, SamePositionsAsTheFoldKeysPlaceholders) {
  for (const char* sql :
       {"SELECT a FROM t WHERE b = 1 AND c IN (1, 2) AND d LIKE 'x%' LIMIT 3 OFFSET $1",
        "UPDATE t SET a = a - 1, b = 'x' WHERE id IN (?, ?, ?) AND e IN (SELECT 2)",
        "INSERT INTO t VALUES (1, 'a', -3.5e2, X'00', :name)",
        "SELECT $$dollar$$, E'\\n', 1.5 FROM t WHERE x = ANY('{1,2}')"}) {
    std::string key;
    bool literals = false;
    fold_key(sql, &key, &literals);
    const size_t placeholders = static_cast<size_t>(std::count(key.begin(), key.end(), '?'));
    std::vector<LiteralSlot> room(64);
    EXPECT_EQ(scan_literal_slots(sql, room).count, placeholders) << sql << "\n" << key;
  }
}

}  // namespace
}  // namespace querylens::sql
