-- expect: large-offset
SELECT id, title FROM posts WHERE user_id = $1 ORDER BY created_at DESC LIMIT 20 OFFSET 5000;
-- expect: large-offset
SELECT id FROM posts ORDER BY id LIMIT $1 OFFSET $2;
-- expect: none
SELECT id FROM posts ORDER BY id LIMIT 20 OFFSET 40;
-- expect: none
SELECT id FROM posts OFFSET $1;
-- expect: order-by-random
SELECT id FROM posts ORDER BY random() LIMIT 5;
-- expect: none
SELECT id, random() FROM posts ORDER BY id;
