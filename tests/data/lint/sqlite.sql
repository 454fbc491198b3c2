-- expect: not-analyzed
CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT);
-- expect: not-analyzed
INSERT OR REPLACE INTO t (id, name) VALUES (?, ?);
-- expect: not-analyzed
SELECT id FROM t LIMIT 10, 20;
-- expect: not-analyzed
SELECT `id` FROM `t` WHERE id = ?;
-- expect: none
SELECT id FROM t WHERE name = :name AND id > ?2;
-- expect: leading-wildcard-like
SELECT id FROM t WHERE name LIKE '%x' AND id = :id;
