-- expect: non-sargable-predicate
SELECT id FROM users WHERE lower(email) = 'a@b.c';
-- expect: non-sargable-predicate
SELECT id FROM posts WHERE date(created_at) = '2024-01-01';
-- expect: non-sargable-predicate
SELECT id FROM posts WHERE created_at::date >= $1;
-- expect: non-sargable-predicate
SELECT p.id FROM posts p JOIN users u ON lower(u.email) = 'x' AND u.id = p.user_id;
-- expect: none
SELECT id FROM posts WHERE created_at > now() - interval '1 day';
-- expect: none
SELECT id FROM posts WHERE user_id = $1::int;
-- expect: none
SELECT lower(email) FROM users WHERE id = 1;
-- expect: none
SELECT user_id, count(*) FROM posts GROUP BY user_id HAVING count(*) > 5;
-- expect: none
SELECT id FROM users WHERE id = ANY($1::int[]);
