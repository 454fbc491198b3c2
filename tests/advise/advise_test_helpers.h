// What several advise tests ask of a recommendation.
#pragma once

#include <string>
#include <vector>

#include "querylens/advise/index_def.h"
#include "querylens/db/connection.h"

namespace querylens::advise::testing_helpers {

// The index's columns as SQLite builds them: keys, then the covering columns.
inline std::vector<std::string> sqlite_index_columns(const IndexDef& d) {
  std::vector<std::string> out;
  for (const IndexKey& k : d.keys) out.push_back(k.column);
  out.insert(out.end(), d.include.begin(), d.include.end());
  return out;
}

// A blog's posts table on SQLite: 20000 posts by 400 authors, 30% published, created_at = i.
inline void create_sqlite_posts(db::Connection& conn) {
  conn.execute_script(R"(
    CREATE TABLE posts (id INTEGER PRIMARY KEY, author_id INTEGER NOT NULL,
                        is_published INTEGER NOT NULL, created_at INTEGER NOT NULL,
                        title TEXT NOT NULL);
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
      INSERT INTO posts SELECT i, i % 400 + 1, i % 10 < 3, i, 'post ' || i FROM n;
  )");
}

}  // namespace querylens::advise::testing_helpers
