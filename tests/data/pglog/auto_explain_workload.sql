-- The workload behind tests/data/pglog/auto_explain_text.log and auto_explain_json.log
-- (PostgreSQL 15, auto_explain loaded per session; see tests/plan/text_plan_test.cpp; each query runs
-- once with log_format = text, then once with json, so the two parsers can be compared).
CREATE TABLE ae_customers (id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE ae_orders (id int PRIMARY KEY, customer_id int NOT NULL, total numeric, note text);
INSERT INTO ae_customers SELECT g, 'customer ' || g FROM generate_series(1, 1000) g;
INSERT INTO ae_orders SELECT g, 1 + g % 1000, (g % 97) * 1.5, md5(g::text) FROM generate_series(1, 100000) g;
ANALYZE ae_customers;
ANALYZE ae_orders;
LOAD 'auto_explain';
SET auto_explain.log_min_duration = 0;
SET auto_explain.log_analyze = on;
SET auto_explain.log_buffers = on;
SET auto_explain.log_timing = on;
SET log_min_duration_statement = 0;
SET max_parallel_workers_per_gather = 0;
-- a Seq Scan whose filter removes almost every row (seq-scan-large-table)
SET auto_explain.log_format = text;
SELECT * FROM ae_orders WHERE customer_id = 42;
SET auto_explain.log_format = json;
SELECT * FROM ae_orders WHERE customer_id = 42;
-- a join with a hash, an aggregate and a sort; the query text spans lines
SET auto_explain.log_format = text;
SELECT c.name, sum(o.total) AS spent
  FROM ae_customers c
  JOIN ae_orders o ON o.customer_id = c.id
 WHERE c.id < 10
 GROUP BY c.name
 ORDER BY spent DESC;
SET auto_explain.log_format = json;
SELECT c.name, sum(o.total) AS spent
  FROM ae_customers c
  JOIN ae_orders o ON o.customer_id = c.id
 WHERE c.id < 10
 GROUP BY c.name
 ORDER BY spent DESC;
-- an index scan, a correlated subplan
SET auto_explain.log_format = text;
SELECT o.id, (SELECT c.name FROM ae_customers c WHERE c.id = o.customer_id) FROM ae_orders o WHERE o.id < 5;
SET auto_explain.log_format = json;
SELECT o.id, (SELECT c.name FROM ae_customers c WHERE c.id = o.customer_id) FROM ae_orders o WHERE o.id < 5;
-- a sort that spills to disk
SET work_mem = '64kB';
SET auto_explain.log_format = text;
SELECT * FROM ae_orders ORDER BY note LIMIT 3 OFFSET 50000;
SET auto_explain.log_format = json;
SELECT * FROM ae_orders ORDER BY note LIMIT 3 OFFSET 50000;
RESET work_mem;
-- a right hash join with an index-only scan
SET auto_explain.log_format = text;
SELECT c.id FROM ae_customers c LEFT JOIN ae_orders o ON o.customer_id = c.id AND o.total > 140 WHERE o.id IS NULL AND c.id < 50;
SET auto_explain.log_format = json;
SELECT c.id FROM ae_customers c LEFT JOIN ae_orders o ON o.customer_id = c.id AND o.total > 140 WHERE o.id IS NULL AND c.id < 50;
-- a hash aggregate in a CTE, an InitPlan
SET auto_explain.log_format = text;
WITH big AS MATERIALIZED (SELECT customer_id, sum(total) s FROM ae_orders GROUP BY customer_id)
SELECT * FROM big WHERE s > (SELECT avg(s) FROM big) ORDER BY s DESC LIMIT 3;
SET auto_explain.log_format = json;
WITH big AS MATERIALIZED (SELECT customer_id, sum(total) s FROM ae_orders GROUP BY customer_id)
SELECT * FROM big WHERE s > (SELECT avg(s) FROM big) ORDER BY s DESC LIMIT 3;
-- then with an index: a bitmap scan
CREATE INDEX ae_orders_customer ON ae_orders (customer_id);
SET auto_explain.log_format = text;
SELECT count(*) FROM ae_orders WHERE customer_id IN (1, 2, 3);
SET auto_explain.log_format = json;
SELECT count(*) FROM ae_orders WHERE customer_id IN (1, 2, 3);
-- a nested loop anti join
SET auto_explain.log_format = text;
SELECT * FROM ae_customers c WHERE NOT EXISTS (SELECT 1 FROM ae_orders o WHERE o.customer_id = c.id) LIMIT 5;
SET auto_explain.log_format = json;
SELECT * FROM ae_customers c WHERE NOT EXISTS (SELECT 1 FROM ae_orders o WHERE o.customer_id = c.id) LIMIT 5;
-- a nested loop with a parameterized index scan
SET auto_explain.log_format = text;
SELECT c.name, o.total FROM ae_customers c JOIN ae_orders o ON o.customer_id = c.id WHERE c.id BETWEEN 5 AND 7;
SET auto_explain.log_format = json;
SELECT c.name, o.total FROM ae_customers c JOIN ae_orders o ON o.customer_id = c.id WHERE c.id BETWEEN 5 AND 7;
