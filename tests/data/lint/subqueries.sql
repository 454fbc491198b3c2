-- expect: not-in-subquery
SELECT id FROM users u WHERE u.id NOT IN (SELECT user_id FROM banned);
-- expect: not-in-subquery
SELECT id FROM users WHERE id <> ALL (SELECT user_id FROM banned WHERE active);
-- expect: none
SELECT id FROM users WHERE id NOT IN (1, 2, 3);
-- expect: in-subquery
SELECT id FROM users WHERE id IN (SELECT user_id FROM posts WHERE published);
-- expect: none
SELECT id FROM users u WHERE EXISTS (SELECT 1 FROM posts p WHERE p.user_id = u.id);
-- expect: none
SELECT id FROM users u WHERE NOT EXISTS (SELECT 1 FROM posts p WHERE p.user_id = u.id);
-- expect: correlated-subquery
SELECT u.id, (SELECT count(*) FROM posts p WHERE p.user_id = u.id) AS n FROM users u;
-- expect: correlated-subquery
SELECT id FROM posts p WHERE p.score > (SELECT avg(score) FROM posts q WHERE q.user_id = p.user_id);
-- expect: none
SELECT id, (SELECT max(id) FROM posts) FROM users;
-- expect: count-for-existence
SELECT count(*) > 0 FROM posts WHERE user_id = $1;
-- expect: count-for-existence
SELECT id FROM users u WHERE (SELECT count(*) FROM posts p WHERE p.user_id = u.id) > 0;
-- expect: none
SELECT count(*) FROM posts WHERE user_id = $1;
-- expect: none
SELECT user_id FROM posts GROUP BY user_id HAVING count(*) > 0;
