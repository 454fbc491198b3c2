-- expect: implicit-insert-columns
INSERT INTO users VALUES (1, 'a');
-- expect: none
INSERT INTO users (id, name) VALUES (1, 'a');
-- expect: none
INSERT INTO users DEFAULT VALUES;
-- expect: union-without-all
SELECT 'user' AS kind, id FROM users UNION SELECT 'post', id FROM posts;
-- expect: in-subquery, union-without-all
SELECT id FROM t WHERE id IN (SELECT a FROM x UNION SELECT b FROM y);
-- expect: none
SELECT id FROM users UNION SELECT user_id FROM posts;
-- expect: none
SELECT id FROM users UNION ALL SELECT user_id FROM posts;
-- expect: none
CREATE TABLE t (id integer primary key, name text);
-- expect: none
BEGIN;
