-- expect: missing-join-condition
SELECT u.id, p.id FROM users u, posts p WHERE u.active;
-- expect: none
SELECT u.id, p.id FROM users u, posts p WHERE p.user_id = u.id;
-- expect: none
SELECT u.id, s.n FROM users u CROSS JOIN settings s;
-- expect: none
SELECT u.id, g FROM users u, generate_series(1, 3) g;
-- expect: none
SELECT a.id FROM a, b WHERE x = y;
-- expect: distinct-with-join
SELECT DISTINCT u.id, u.name FROM users u JOIN posts p ON p.user_id = u.id;
-- expect: none
SELECT DISTINCT u.id, p.title FROM users u JOIN posts p ON p.user_id = u.id;
-- expect: none
SELECT DISTINCT name FROM users;
-- expect: too-many-joins
SELECT a.id FROM a JOIN b ON b.a = a.id JOIN c ON c.b = b.id JOIN d ON d.c = c.id JOIN e ON e.d = d.id JOIN f ON f.e = e.id JOIN g ON g.f = f.id JOIN h ON h.g = g.id;
-- expect: none
SELECT a.id FROM a JOIN b ON b.a = a.id JOIN c ON c.b = b.id;
