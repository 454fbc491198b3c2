-- expect: or-across-columns
SELECT id FROM users WHERE email = $1 OR name = $2;
-- expect: none
SELECT id FROM users WHERE status = 'a' OR status = 'b';
-- expect: none
SELECT id FROM users WHERE (a = 1 AND b = 2) OR (a = 3 AND b = 4);
-- expect: none
SELECT id FROM users WHERE $1::text IS NULL OR name = $1;
-- expect: none
SELECT id FROM users WHERE a = 1 OR a IS NULL;
