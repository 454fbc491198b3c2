-- Each statement's "expect:" comment lists the rules it must raise (none: no finding;
-- not-analyzed: libpg_query rejects it). Run by tests/lint/lint_cases_test.cpp.

-- expect: select-star
SELECT * FROM users WHERE id = 1;
-- expect: select-star
SELECT u.* FROM users u JOIN posts p ON p.user_id = u.id WHERE p.id = 3;
-- expect: none
SELECT count(*) FROM users;
-- expect: none
SELECT id FROM users u WHERE EXISTS (SELECT * FROM posts p WHERE p.user_id = u.id);
-- expect: none
SELECT 'SELECT * FROM users' AS q, id FROM users;
-- expect: none
SELECT id /* SELECT * FROM x */ FROM users; -- SELECT *
-- expect: none
SELECT * FROM generate_series(1, 10);
-- expect: none
WITH recent AS (SELECT id, title FROM posts) SELECT * FROM recent;
-- expect: select-star, select-star
SELECT * FROM a UNION ALL SELECT * FROM b;
-- expect: none
SELECT id FROM users -- querylens-ignore select-star
;
-- querylens-ignore select-star
SELECT * FROM users;
SELECT * FROM users; -- querylens-ignore select-star
-- expect: none
SELECT * FROM users /* querylens-ignore */;
