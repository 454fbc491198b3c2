-- distinct-with-join and its EXISTS rewrite. `-- rewrite:` is the exact fix_sql one finding of
-- the statement carries (`none`: no finding carries one). Every rewrite here is also run beside
-- its original on SQLite and PostgreSQL (tests/lint/distinct_rewrite_test.cpp), over this schema:
-- users (id, name, email, active, org), posts (id, user_id, editor_id, published, score,
-- pinned, kind, created_at), comments (id, post_id, flagged).

-- expect: distinct-with-join
-- rewrite: SELECT DISTINCT u.id, u.name FROM users u WHERE EXISTS (SELECT 1 FROM posts p WHERE p.user_id = u.id)
SELECT DISTINCT u.id, u.name FROM users u JOIN posts p ON p.user_id = u.id;

-- Filters on the parent stay outside, the child's move in; ORDER BY and LIMIT are kept.
-- expect: distinct-with-join, or-across-columns
-- rewrite: SELECT DISTINCT u.id, u.name FROM users u WHERE u.active AND EXISTS (SELECT 1 FROM posts p WHERE p.user_id = u.id AND p.published AND (p.score > 3 OR p.pinned)) ORDER BY u.name, u.id LIMIT 3
SELECT DISTINCT u.id, u.name FROM users u JOIN posts p ON p.user_id = u.id WHERE u.active AND p.published AND (p.score > 3 OR p.pinned) ORDER BY u.name, u.id LIMIT 3;

-- expect: distinct-with-join
-- rewrite: SELECT DISTINCT u.email FROM users u WHERE EXISTS (SELECT 1 FROM posts p, comments c WHERE p.user_id = u.id AND c.post_id = p.id AND c.flagged)
SELECT DISTINCT u.email FROM users u INNER JOIN posts p ON p.user_id = u.id JOIN comments c ON c.post_id = p.id WHERE c.flagged;

-- The parent need not come first.
-- expect: distinct-with-join
-- rewrite: SELECT DISTINCT u.id FROM users u WHERE EXISTS (SELECT 1 FROM posts p WHERE u.id = p.user_id AND p.score >= $1)
SELECT DISTINCT u.id FROM posts p JOIN users u ON u.id = p.user_id WHERE p.score >= $1;

-- Comma join; BETWEEN's AND is not a term boundary.
-- expect: distinct-with-join
-- rewrite: SELECT DISTINCT u.id FROM users u WHERE u.id BETWEEN 1 AND 4 AND EXISTS (SELECT 1 FROM posts p WHERE p.user_id = u.id)
SELECT DISTINCT u.id FROM users u, posts p WHERE p.user_id = u.id AND u.id BETWEEN 1 AND 4;

-- An OR keeps its parentheses once it is joined with AND.
-- expect: distinct-with-join, or-across-columns
-- rewrite: SELECT DISTINCT u.id, u.name FROM users u WHERE (u.org = 1 OR u.active) AND EXISTS (SELECT 1 FROM posts p WHERE (p.user_id = u.id OR p.editor_id = u.id))
SELECT DISTINCT u.id, u.name FROM users u JOIN posts p ON p.user_id = u.id OR p.editor_id = u.id WHERE u.org = 1 OR u.active;

-- An unqualified name moves into EXISTS, where it still finds its table.
-- expect: distinct-with-join
-- rewrite: SELECT DISTINCT u.id, u.name FROM users u WHERE u.org = 2 AND EXISTS (SELECT 1 FROM posts p WHERE p.user_id = u.id AND published)
SELECT DISTINCT u.id, u.name FROM users u JOIN posts p ON p.user_id = u.id WHERE published AND u.org = 2;

-- expect: distinct-with-join, select-star
-- rewrite: SELECT DISTINCT u.* FROM users u WHERE EXISTS (SELECT 1 FROM posts p WHERE p.user_id = u.id AND p.kind = 'news')
SELECT DISTINCT u.* FROM users u JOIN posts p ON p.user_id = u.id WHERE p.kind = 'news';

-- A self-join.
-- expect: distinct-with-join
-- rewrite: SELECT DISTINCT m.id, m.name FROM users m WHERE EXISTS (SELECT 1 FROM users e WHERE e.org = m.org AND e.id <> m.id)
SELECT DISTINCT m.id, m.name FROM users m JOIN users e ON e.org = m.org AND e.id <> m.id;

-- SQLite markers stay in their order…
-- expect: distinct-with-join
-- rewrite: SELECT DISTINCT u.id FROM users u WHERE u.org = ? AND EXISTS (SELECT 1 FROM posts p WHERE p.user_id = u.id AND p.score > ?)
SELECT DISTINCT u.id FROM users u JOIN posts p ON p.user_id = u.id WHERE u.org = ? AND p.score > ?;

-- … and when the rewrite would swap two bare `?`, there is none; numbered markers may move.
-- expect: distinct-with-join
-- rewrite: none
SELECT DISTINCT u.id FROM users u JOIN posts p ON p.user_id = u.id AND p.score > ? WHERE u.org = ?;
-- expect: distinct-with-join
-- rewrite: SELECT DISTINCT u.id FROM users u WHERE u.org = $2 AND EXISTS (SELECT 1 FROM posts p WHERE p.user_id = u.id AND p.score > $1)
SELECT DISTINCT u.id FROM users u JOIN posts p ON p.user_id = u.id AND p.score > $1 WHERE u.org = $2;

-- The parser flattens (a AND b) AND c into three terms the tokens do not show: the whole WHERE
-- moves in.
-- expect: distinct-with-join
-- rewrite: SELECT DISTINCT u.id FROM users u WHERE EXISTS (SELECT 1 FROM posts p WHERE p.user_id = u.id AND (u.active AND p.pinned) AND u.org = 1)
SELECT DISTINCT u.id FROM users u JOIN posts p ON p.user_id = u.id WHERE (u.active AND p.pinned) AND u.org = 1;

-- No rewrite where EXISTS would not return the same rows, or the tokens do not show the plain form.
-- expect: distinct-with-join
-- rewrite: none
SELECT DISTINCT u.id FROM users u LEFT JOIN posts p ON p.user_id = u.id;
-- expect: distinct-with-join
-- rewrite: none
SELECT DISTINCT u.id FROM users u CROSS JOIN posts p;
-- expect: distinct-with-join
-- rewrite: none
SELECT DISTINCT u.id FROM users u JOIN posts p USING (id);
-- expect: distinct-with-join
-- rewrite: none
SELECT DISTINCT u.id FROM users u JOIN posts p ON p.user_id = u.id GROUP BY u.id;
-- expect: distinct-with-join
-- rewrite: none
SELECT DISTINCT u.id FROM users u JOIN (SELECT user_id FROM posts WHERE pinned) p ON p.user_id = u.id;
-- expect: distinct-with-join
-- rewrite: none
WITH a AS (SELECT id FROM users WHERE active) SELECT DISTINCT a.id FROM a JOIN posts p ON p.user_id = a.id;
-- SQLite accepts ORDER BY a column the DISTINCT does not select; the new FROM would not have it.
-- expect: distinct-with-join
-- rewrite: none
SELECT DISTINCT u.id FROM users u JOIN posts p ON p.user_id = u.id ORDER BY p.created_at;
-- Only the outermost query is rewritten.
-- expect: distinct-with-join
-- rewrite: none
SELECT x.id FROM (SELECT DISTINCT u.id FROM users u JOIN posts p ON p.user_id = u.id) x;

-- Not this rule at all.
-- expect: none
SELECT DISTINCT u.id, p.title FROM users u JOIN posts p ON p.user_id = u.id;
-- expect: none
SELECT DISTINCT ON (u.id) u.id, u.name FROM users u JOIN posts p ON p.user_id = u.id;
-- expect: none
SELECT DISTINCT u.id, count(p.id) FROM users u JOIN posts p ON p.user_id = u.id GROUP BY u.id;
-- expect: not-analyzed
SELECT DISTINCT u.id FROM users u JOIN posts p ON p.user_id = u.id LIMIT 5, 10;
-- expect: not-analyzed
SELECT DISTINCT `u`.id FROM users `u` JOIN posts p ON p.user_id = `u`.id;
