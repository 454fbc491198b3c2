// Candidate generation from statement models over a hand-made catalog, the DDL advise
// writes, and the existing-index checks (pure functions: no database).
#include "querylens/advise/candidates.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "querylens/advise/existing.h"
#include "querylens/advise/index_def.h"
#include "querylens/sql/quote.h"

namespace querylens::advise {
namespace {

Catalog blog_catalog(Engine engine = Engine::kPostgres) {
  Catalog c;
  c.engine = engine;
  auto table = [&](std::string name, std::vector<std::string> cols, int64_t rows) {
    TableInfo t;
    t.schema = engine == Engine::kPostgres ? "app" : "";
    t.name = name;
    t.columns = std::move(cols);
    t.rows = rows;
    c.tables[name] = t;
  };
  table("events", {"id", "user_id", "kind", "created_at", "payload"}, 100000);
  table("users", {"id", "email", "name", "deleted_at"}, 5000);
  table("comments", {"id", "post_id", "author_id", "body"}, 50000);
  table("posts", {"id", "author_id", "title", "is_published", "status"}, 10000);
  c.tables["comments"].foreign_keys = {{"post_id"}};
  return c;
}

std::vector<Candidate> candidates_for(const std::vector<std::string>& sqls, const Catalog& c) {
  std::vector<WorkloadQuery> w;
  for (const std::string& s : sqls) w.push_back(make_workload_query(s, 10, 1.0));
  return generate_candidates(w, c);
}

std::vector<std::string> keys_of(const std::vector<Candidate>& cs) {
  std::vector<std::string> out;
  for (const Candidate& c : cs) out.push_back(c.index.key());
  return out;
}

bool has(const std::vector<Candidate>& cs, const std::string& key) {
  auto k = keys_of(cs);
  return std::find(k.begin(), k.end(), key) != k.end();
}

TEST(AdviseCandidates, EqualityThenRangeThenOrder) {
  auto cs = candidates_for(
      {"SELECT payload FROM events WHERE user_id = $1 AND created_at > $2",
       "SELECT * FROM events WHERE kind = $1 AND user_id = $2 ORDER BY created_at DESC LIMIT 20"},
      blog_catalog());
  EXPECT_TRUE(has(cs, "app.events(user_id,)")) << ::testing::PrintToString(keys_of(cs));
  EXPECT_TRUE(has(cs, "app.events(user_id,created_at,)"));
  EXPECT_TRUE(has(cs, "app.events(kind,user_id,)"));
  EXPECT_TRUE(has(cs, "app.events(kind,user_id,created_at desc,)"));
  // The range column comes after the equality columns, never before.
  EXPECT_FALSE(has(cs, "app.events(created_at,user_id,)"));
}

TEST(AdviseCandidates, CoveringVariantOnlyWhenTheSelectListIsKnown) {
  auto cs = candidates_for({"SELECT id, payload FROM events WHERE user_id = $1"}, blog_catalog());
  auto it = std::find_if(cs.begin(), cs.end(),
                         [](const Candidate& c) { return !c.index.include.empty(); });
  ASSERT_NE(it, cs.end()) << ::testing::PrintToString(keys_of(cs));
  EXPECT_EQ(it->index.key(), "app.events(user_id,) include(id,payload,)");
  // SELECT *: which columns are read is not known from the statement alone.
  auto star = candidates_for({"SELECT * FROM events WHERE user_id = $1"}, blog_catalog());
  EXPECT_TRUE(std::none_of(star.begin(), star.end(),
                           [](const Candidate& c) { return !c.index.include.empty(); }));
}

TEST(AdviseCandidates, ExpressionKeyForLower) {
  auto cs = candidates_for({"SELECT id FROM users WHERE lower(email) = $1"}, blog_catalog());
  ASSERT_TRUE(has(cs, "app.users(lower(email),)")) << ::testing::PrintToString(keys_of(cs));
  auto it = std::find_if(cs.begin(), cs.end(), [](const Candidate& c) {
    return c.index.key() == "app.users(lower(email),)";
  });
  it->index.name = "users_lower_email_idx";
  EXPECT_EQ(
      create_index_sql(it->index, Engine::kPostgres),
      "CREATE INDEX CONCURRENTLY IF NOT EXISTS \"users_lower_email_idx\" ON \"app\".\"users\" "
      "((lower(\"email\")));");
}

TEST(AdviseCandidates, ExpressionKeyOnAJoinedTable) {
  auto cs = candidates_for({"SELECT p.title FROM posts p JOIN users u ON u.id = p.author_id "
                            "WHERE lower(u.email) = $1"},
                           blog_catalog());
  EXPECT_TRUE(has(cs, "app.users(lower(email),)")) << ::testing::PrintToString(keys_of(cs));
  EXPECT_TRUE(has(cs, "app.posts(author_id,)"));
}

TEST(AdviseCandidates, PartialIndexWhenEveryQueryCarriesTheSameNullTest) {
  auto cs = candidates_for({"SELECT id FROM users WHERE name = $1 AND deleted_at IS NULL",
                            "SELECT id FROM users WHERE email = $1 AND deleted_at IS NULL"},
                           blog_catalog());
  EXPECT_TRUE(has(cs, "app.users(name,) where deleted_at null"))
      << ::testing::PrintToString(keys_of(cs));
  EXPECT_TRUE(has(cs, "app.users(email,) where deleted_at null"));
  // One query without the test: no partial index for that table.
  auto mixed = candidates_for({"SELECT id FROM users WHERE name = $1 AND deleted_at IS NULL",
                               "SELECT id FROM users WHERE email = $1"},
                              blog_catalog());
  for (const Candidate& c : mixed) EXPECT_FALSE(c.index.has_where()) << c.index.key();
}

TEST(AdviseCandidates, PartialIndexWhenEveryQueryCarriesTheSameConstant) {
  auto cs = candidates_for({"SELECT title FROM posts WHERE author_id = $1 AND is_published = true",
                            "SELECT id FROM posts WHERE true = is_published ORDER BY id DESC"},
                           blog_catalog());
  // The tested column is the predicate, not a key.
  EXPECT_TRUE(has(cs, "app.posts(author_id,) where is_published = true"))
      << ::testing::PrintToString(keys_of(cs));
  EXPECT_TRUE(has(cs, "app.posts(id desc,) where is_published = true"));
  // The full index is offered too: the what-if decides.
  EXPECT_TRUE(has(cs, "app.posts(author_id,is_published,)"));
  // One query's literal is not a flag: no partial index.
  for (const Candidate& c : candidates_for(
           {"SELECT id FROM posts WHERE status = 'x' AND author_id = 3"}, blog_catalog()))
    EXPECT_FALSE(c.index.has_where()) << c.index.key();
  auto strings = candidates_for({"SELECT id FROM posts WHERE status = 'it''s' AND author_id = 3",
                                 "SELECT id FROM posts WHERE status = 'it''s' ORDER BY title"},
                                blog_catalog());
  const auto s = std::find_if(strings.begin(), strings.end(), [](const Candidate& c) {
    return !c.index.keys.empty() && c.index.keys[0].column == "author_id";
  });
  ASSERT_NE(s, strings.end()) << ::testing::PrintToString(keys_of(strings));
  EXPECT_NE(create_index_sql(s->index, Engine::kPostgres)
                .find("(\"author_id\") WHERE \"status\" = 'it''s';"),
            std::string::npos)
      << create_index_sql(s->index, Engine::kPostgres);
  // Another constant, a parameter, or no test in one query: no partial index for the table.
  for (const char* other : {"SELECT id FROM posts WHERE author_id = $1 AND is_published = false",
                            "SELECT id FROM posts WHERE author_id = $1 AND is_published = $2",
                            "SELECT id FROM posts WHERE author_id = $1",
                            "SELECT id FROM posts WHERE author_id = $1 OR is_published = true"}) {
    auto mixed = candidates_for(
        {"SELECT title FROM posts WHERE author_id = $1 AND is_published = true", other},
        blog_catalog());
    ASSERT_FALSE(mixed.empty()) << other;
    for (const Candidate& c : mixed) EXPECT_FALSE(c.index.has_where()) << other << c.index.key();
  }
}

TEST(AdviseCandidates, ForeignKeyJoinColumn) {
  auto cs = candidates_for(
      {"SELECT c.body FROM posts p JOIN comments c ON c.post_id = p.id WHERE p.author_id = $1"},
      blog_catalog());
  auto it = std::find_if(cs.begin(), cs.end(), [](const Candidate& c) {
    return c.index.key() == "app.comments(post_id,)";
  });
  ASSERT_NE(it, cs.end()) << ::testing::PrintToString(keys_of(cs));
  EXPECT_NE(it->reason.find("foreign-key"), std::string::npos) << it->reason;
  EXPECT_TRUE(has(cs, "app.posts(author_id,)"));
}

TEST(AdviseCandidates, SkipsWhatAnExistingIndexServesAndUnknownColumns) {
  Catalog c = blog_catalog();
  ExistingIndex e;
  e.def = IndexDef{"app",
                   "events",
                   {{"user_id", "", false}, {"created_at", "", true}},
                   {},
                   "",
                   false,
                   "events_user_created"};
  c.indexes.push_back(e);
  auto cs = candidates_for(
      {"SELECT id, kind AS k FROM events WHERE user_id = $1 ORDER BY created_at, k"}, c);
  EXPECT_FALSE(has(cs, "app.events(user_id,)")) << ::testing::PrintToString(keys_of(cs));
  // `k` is a select-list alias, not a column: it never becomes a key.
  for (const Candidate& x : cs)
    EXPECT_EQ(x.index.key().find("k,"), std::string::npos) << x.index.key();
}

TEST(AdviseCandidates, AtMostThreeKeys) {
  auto cs = candidates_for(
      {"SELECT 1 FROM events WHERE id = $1 AND user_id = $2 AND kind = $3 AND payload = $4"},
      blog_catalog());
  ASSERT_FALSE(cs.empty());
  for (const Candidate& c : cs) EXPECT_LE(c.index.keys.size(), 3u) << c.index.key();
}

TEST(AdviseCandidates, IndexNamesFollowOneConventionEverywhere) {
  // The advisor and the plan checks (sql::index_name) name the same index the same way.
  IndexDef d{"", "Posts", {{"User_Id", "", false}}, {}, "", false, ""};
  EXPECT_EQ(make_index_name(d), "posts_user_id_idx");
  EXPECT_EQ(make_index_name(d), sql::index_name({"posts", "user_id"}));
  d.keys = {{"email", "lower", false}};
  d.where_column = "deleted_at";
  EXPECT_EQ(make_index_name(d), "posts_lower_email_partial_idx");
  EXPECT_EQ(sql::index_name({"t", "a b", "é"}), "t_a_b____idx");  // each byte outside [a-z0-9_]
  // PostgreSQL keeps 63 bytes of a name: cut, and still ending in _idx.
  std::string long_name = sql::index_name({std::string(40, 'x'), std::string(40, 'y')});
  EXPECT_EQ(long_name.size(), 63u);
  EXPECT_EQ(long_name.substr(59), "_idx");
  std::set<std::string> taken{"posts_user_id_idx"};
  EXPECT_EQ(unique_index_name("posts_user_id_idx", &taken), "posts_user_id_2_idx");
}

TEST(AdviseCandidates, SqliteDdlQuotesAndAppendsIncludeAsKeys) {
  IndexDef d{"",    "we\"ird", {{"user_id", "", false}, {"created_at", "", true}}, {"kind"}, "",
             false, "ix"};
  d.name = make_index_name(d);
  EXPECT_EQ(create_index_sql(d, Engine::kSqlite),
            "CREATE INDEX IF NOT EXISTS \"we_ird_user_id_created_at_incl_idx\" ON \"we\"\"ird\" "
            "(\"user_id\", \"created_at\" DESC, \"kind\");");
  d.schema = "s";
  EXPECT_EQ(hypothetical_index_sql(d),
            "CREATE INDEX ON \"s\".\"we\"\"ird\" (\"user_id\", \"created_at\" DESC) INCLUDE "
            "(\"kind\")");
  EXPECT_EQ(drop_index_sql("s", "a\"b", Engine::kPostgres),
            "DROP INDEX CONCURRENTLY IF EXISTS \"s\".\"a\"\"b\";");
}

ExistingIndex existing(std::string name, std::vector<std::string> cols) {
  ExistingIndex e;
  e.def.schema = "app";
  e.def.table = "events";
  e.def.name = std::move(name);
  for (auto& c : cols) e.def.keys.push_back({c, "", false});
  e.size_bytes = 8192;
  return e;
}

TEST(AdviseExisting, DuplicateRedundantUnusedInvalid) {
  Catalog c = blog_catalog();
  ExistingIndex pk = existing("events_pkey", {"id"});
  pk.unique = pk.primary = pk.backs_constraint = true;
  pk.scans = 0;  // never scanned, but backs the primary key: kept
  ExistingIndex dup = existing("events_id_copy", {"id"});
  dup.scans = 5;
  ExistingIndex prefix = existing("events_user", {"user_id"});
  prefix.scans = 3;
  ExistingIndex longer = existing("events_user_kind", {"user_id", "kind"});
  longer.scans = 9;
  ExistingIndex unused = existing("events_kind", {"kind", "created_at"});
  unused.scans = 0;
  ExistingIndex invalid = existing("events_payload", {"payload"});
  invalid.valid = false;
  c.indexes = {pk, dup, prefix, longer, unused, invalid};
  ExistingReport r = check_existing_indexes(c);
  std::map<std::string, const DropSuggestion*> by_index;
  for (const DropSuggestion& d : r.drops) by_index[d.index] = &d;
  ASSERT_EQ(r.drops.size(), 4u);
  EXPECT_EQ(by_index.at("events_id_copy")->rule, "duplicate-index");
  EXPECT_EQ(by_index.at("events_id_copy")->because_of, "events_pkey");
  EXPECT_EQ(by_index.at("events_id_copy")->sql,
            "DROP INDEX CONCURRENTLY IF EXISTS \"app\".\"events_id_copy\";");
  EXPECT_EQ(by_index.at("events_user")->rule, "redundant-index");
  EXPECT_EQ(by_index.at("events_kind")->rule, "unused-index");
  EXPECT_EQ(by_index.at("events_payload")->rule, "invalid-index");
  EXPECT_EQ(by_index.count("events_pkey"), 0u);
  EXPECT_EQ(r.findings.size(), 4u);
}

// TPC-H style: every column name carries its table's prefix and nothing is qualified. The
// catalog tells which table a name belongs to, as the engine does.
Catalog tpch_catalog() {
  Catalog c;
  c.engine = Engine::kSqlite;
  auto table = [&](std::string name, std::vector<std::string> cols, int64_t rows) {
    TableInfo t;
    t.name = name;
    t.columns = std::move(cols);
    t.rows = rows;
    c.tables[name] = t;
  };
  table("part", {"p_partkey", "p_brand", "p_container"}, 10000);
  table("lineitem",
        {"l_orderkey", "l_partkey", "l_suppkey", "l_quantity", "l_extendedprice", "l_discount",
         "l_shipdate", "l_commitdate", "l_receiptdate"},
        300000);
  table("partsupp", {"ps_partkey", "ps_suppkey", "ps_availqty"}, 40000);
  table("orders", {"o_orderkey", "o_custkey", "o_orderdate"}, 75000);
  table("region", {"r_regionkey", "r_name"}, 5);
  c.tables["part"].rowid_column = "p_partkey";
  c.tables["orders"].rowid_column = "o_orderkey";
  return c;
}

TEST(AdviseCandidates, UnqualifiedColumnsResolvedThroughTheCatalog) {
  // Q17: the join key and the correlated subquery's key are both unqualified.
  auto cs = candidates_for(
      {"SELECT sum(l_quantity) FROM lineitem, part WHERE p_partkey = l_partkey AND p_brand = $1 "
       "AND p_container = $2 AND l_quantity < (SELECT $3 * avg(l_quantity) FROM lineitem "
       "WHERE l_partkey = p_partkey)"},
      tpch_catalog());
  EXPECT_TRUE(has(cs, ".lineitem(l_partkey,)")) << ::testing::PrintToString(keys_of(cs));
  EXPECT_TRUE(has(cs, ".part(p_brand,p_container,)"));
  // p_partkey is part's rowid: never a candidate.
  EXPECT_FALSE(has(cs, ".part(p_partkey,)"));
}

TEST(AdviseCandidates, UnqualifiedColumnsOfOneRowAreNotAJoin) {
  // Two columns of lineitem compared with each other: no join key, so no index on them.
  auto cs = candidates_for({"SELECT l_orderkey FROM lineitem, part WHERE l_commitdate = "
                            "l_receiptdate AND p_partkey = l_partkey"},
                           tpch_catalog());
  EXPECT_FALSE(has(cs, ".lineitem(l_commitdate,)")) << ::testing::PrintToString(keys_of(cs));
  EXPECT_FALSE(has(cs, ".lineitem(l_receiptdate,)"));
  EXPECT_TRUE(has(cs, ".lineitem(l_partkey,)"));
}

TEST(AdviseCandidates, NoCandidateOnATinyTable) {
  auto cs = candidates_for({"SELECT r_regionkey FROM region WHERE r_name = $1"}, tpch_catalog());
  EXPECT_TRUE(cs.empty()) << ::testing::PrintToString(keys_of(cs));
}

const char* kQ17 =
    "SELECT sum(l_extendedprice) / 7.0 FROM lineitem, part WHERE p_partkey = l_partkey "
    "AND p_brand = $1 AND p_container = $2 AND l_quantity < (SELECT 0.2 * avg(l_quantity) "
    "FROM lineitem WHERE l_partkey = p_partkey)";

std::vector<Candidate> candidates_with_reads(const std::string& sql, ColumnsRead read,
                                             const Catalog& c) {
  std::vector<WorkloadQuery> w{make_workload_query(sql, 1, 1.0)};
  w[0].columns_read = std::move(read);
  return generate_candidates(w, c);
}

TEST(AdviseCandidates, CoveringJoinKeyFromTheColumnsTheEngineRead) {
  // The statement model does not name columns inside select-list expressions (avg(l_quantity)):
  // on its own it cannot prove a covering index, so there is none.
  auto model_only = candidates_for({kQ17}, tpch_catalog());
  EXPECT_FALSE(has(model_only, ".lineitem(l_partkey,) include(l_quantity,l_extendedprice,)"))
      << ::testing::PrintToString(keys_of(model_only));
  // With the engine's list of the columns read, the join key gets its covering variant: the
  // column the lookup can still narrow on (the range) first, then the others.
  auto cs = candidates_with_reads(kQ17,
                                  {{"lineitem", {"l_partkey", "l_quantity", "l_extendedprice"}},
                                   {"part", {"p_partkey", "p_brand", "p_container"}}},
                                  tpch_catalog());
  EXPECT_TRUE(has(cs, ".lineitem(l_partkey,) include(l_quantity,l_extendedprice,)"))
      << ::testing::PrintToString(keys_of(cs));
  EXPECT_TRUE(has(cs, ".lineitem(l_partkey,)"));
  // part's columns are all keys or its rowid: nothing to add, no covering variant.
  EXPECT_TRUE(has(cs, ".part(p_brand,p_container,)"));
  EXPECT_FALSE(has(cs, ".part(p_brand,p_container,) include(p_partkey,)"));
}

TEST(AdviseCandidates, NoCoveringVariantForAWriteOrTooManyColumns) {
  auto update = candidates_with_reads(
      "UPDATE lineitem SET l_quantity = $1 WHERE l_partkey = $2",
      {{"lineitem", {"l_partkey", "l_quantity", "l_extendedprice"}}}, tpch_catalog());
  for (const Candidate& c : update) EXPECT_TRUE(c.index.include.empty()) << c.index.key();
  auto wide = candidates_with_reads(
      "SELECT sum(l_quantity * l_extendedprice * l_discount + l_suppkey) FROM lineitem "
      "WHERE l_partkey = $1",
      {{"lineitem", {"l_partkey", "l_quantity", "l_extendedprice", "l_discount", "l_suppkey"}}},
      tpch_catalog());
  EXPECT_TRUE(has(wide, ".lineitem(l_partkey,)")) << ::testing::PrintToString(keys_of(wide));
  for (const Candidate& c : wide) EXPECT_TRUE(c.index.include.empty()) << c.index.key();
}

TEST(AdviseCandidates, JoinKeysToOneTableTogetherThenTheRange) {
  // Q20's correlated subquery: two join keys matched with one partsupp row, and a date range.
  const std::string q20 =
      "SELECT ps_suppkey FROM partsupp WHERE ps_availqty > (SELECT 0.5 * sum(l_quantity) "
      "FROM lineitem WHERE l_partkey = ps_partkey AND l_suppkey = ps_suppkey "
      "AND l_shipdate >= $1 AND l_shipdate < $2)";
  auto cs = candidates_for({q20}, tpch_catalog());
  EXPECT_TRUE(has(cs, ".lineitem(l_partkey,l_suppkey,)")) << ::testing::PrintToString(keys_of(cs));
  EXPECT_TRUE(has(cs, ".lineitem(l_partkey,l_suppkey,l_shipdate,)"));
  // Covering: the lookup's other columns first, so the trailing keys still narrow it.
  auto covering =
      candidates_with_reads(q20,
                            {{"lineitem", {"l_partkey", "l_suppkey", "l_quantity", "l_shipdate"}},
                             {"partsupp", {"ps_partkey", "ps_suppkey", "ps_availqty"}}},
                            tpch_catalog());
  EXPECT_TRUE(has(covering, ".lineitem(l_partkey,l_suppkey,l_shipdate,) include(l_quantity,)"))
      << ::testing::PrintToString(keys_of(covering));
  EXPECT_TRUE(has(covering, ".lineitem(l_partkey,) include(l_suppkey,l_shipdate,l_quantity,)"));
  // Join keys to different tables are not one lookup: no (l_orderkey, l_partkey).
  auto two_tables = candidates_for({"SELECT o_orderdate FROM orders, lineitem, part "
                                    "WHERE o_orderkey = l_orderkey AND l_partkey = p_partkey"},
                                   tpch_catalog());
  EXPECT_TRUE(has(two_tables, ".lineitem(l_partkey,)"))
      << ::testing::PrintToString(keys_of(two_tables));
  EXPECT_FALSE(has(two_tables, ".lineitem(l_orderkey,l_partkey,)"));
  EXPECT_FALSE(has(two_tables, ".lineitem(l_partkey,l_orderkey,)"));
}

TEST(AdviseCandidates, JoinKeyThenTheRangeOnTheJoinedTable) {
  // Q3: each order's lines, only those shipped after a date.
  auto cs = candidates_for({"SELECT l_orderkey, o_orderdate FROM orders, lineitem "
                            "WHERE l_orderkey = o_orderkey AND o_custkey = $1 "
                            "AND l_shipdate > $2"},
                           tpch_catalog());
  EXPECT_TRUE(has(cs, ".lineitem(l_orderkey,l_shipdate,)"))
      << ::testing::PrintToString(keys_of(cs));
}

TEST(AdviseCandidates, IndexNamesAreUniqueAcrossCoveringVariantsAndExistingIndexes) {
  // Same keys, different covering columns: one name each, or `CREATE INDEX IF NOT EXISTS`
  // would skip the second. An existing index's name is never reused either.
  Catalog c = tpch_catalog();
  ExistingIndex e;
  e.def = IndexDef{"", "lineitem", {{"l_shipdate", "", false}}, {}, "", false, "other"};
  e.def.name = "lineitem_l_partkey_idx";
  c.indexes.push_back(e);
  std::vector<WorkloadQuery> w{
      make_workload_query("SELECT l_quantity FROM lineitem WHERE l_partkey = $1", 1, 1.0),
      make_workload_query("SELECT l_discount FROM lineitem WHERE l_partkey = $1", 1, 1.0)};
  auto cs = generate_candidates(w, c);
  std::set<std::string> names;
  for (const Candidate& x : cs) {
    EXPECT_TRUE(names.insert(x.index.name).second) << x.index.name;
    EXPECT_NE(x.index.name, "lineitem_l_partkey_idx");
    EXPECT_LE(x.index.name.size(), 63u);
  }
  EXPECT_TRUE(has(cs, ".lineitem(l_partkey,) include(l_quantity,)"))
      << ::testing::PrintToString(keys_of(cs));
  EXPECT_TRUE(has(cs, ".lineitem(l_partkey,) include(l_discount,)"));
}

}  // namespace
}  // namespace querylens::advise
