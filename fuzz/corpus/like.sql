-- expect: leading-wildcard-like
SELECT id FROM users WHERE email LIKE '%@example.com';
-- expect: leading-wildcard-like
SELECT id FROM users WHERE name ILIKE '_ob';
-- expect: leading-wildcard-like
SELECT id FROM users WHERE name LIKE '%' || $1 || '%';
-- expect: none
SELECT id FROM users WHERE name LIKE 'Bob%';
-- expect: none
SELECT id FROM users WHERE name LIKE $1;
-- expect: none
SELECT id FROM users WHERE name NOT LIKE '%bot%';
-- expect: none
SELECT id FROM users WHERE note = 'x LIKE ''%y''';
-- expect: leading-wildcard-like, or-across-columns
SELECT id FROM users WHERE name LIKE ?1 OR email LIKE '%x';
