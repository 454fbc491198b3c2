-- The index-advice benchmark's workload: 20 queries over the TPC-H-like schema (schema.sql).
-- Twelve follow TPC-H's own queries (their number in the comment), with the selective
-- parameters an index can serve; eight are the point and range lookups an application on this
-- schema makes. Written in the SQL both SQLite and PostgreSQL accept (no INTERVAL, no EXTRACT):
-- bench/advise_tpch.sh gives the same file to querylens advise and, one query at a time, to
-- sqlite3's .expert.

-- Q2 (minimum cost supplier)
SELECT s_acctbal, s_name, n_name, p_partkey, p_mfgr
FROM part, supplier, partsupp, nation, region
WHERE p_partkey = ps_partkey AND s_suppkey = ps_suppkey AND p_size = 15
  AND p_type LIKE '%BRASS' AND s_nationkey = n_nationkey AND n_regionkey = r_regionkey
  AND r_name = 'EUROPE'
  AND ps_supplycost = (SELECT min(ps_supplycost) FROM partsupp, supplier, nation, region
                       WHERE p_partkey = ps_partkey AND s_suppkey = ps_suppkey
                         AND s_nationkey = n_nationkey AND n_regionkey = r_regionkey
                         AND r_name = 'EUROPE')
ORDER BY s_acctbal DESC, n_name, s_name, p_partkey
LIMIT 100;

-- Q3 (shipping priority)
SELECT l_orderkey, sum(l_extendedprice * (1 - l_discount)) AS revenue, o_orderdate,
       o_shippriority
FROM customer, orders, lineitem
WHERE c_mktsegment = 'BUILDING' AND c_custkey = o_custkey AND l_orderkey = o_orderkey
  AND o_orderdate < '1995-03-15' AND l_shipdate > '1995-03-15'
GROUP BY l_orderkey, o_orderdate, o_shippriority
ORDER BY revenue DESC, o_orderdate
LIMIT 10;

-- Q4 (order priority checking)
SELECT o_orderpriority, count(*) AS order_count
FROM orders
WHERE o_orderdate >= '1993-07-01' AND o_orderdate < '1993-10-01'
  AND EXISTS (SELECT 1 FROM lineitem WHERE l_orderkey = o_orderkey AND l_commitdate < l_receiptdate)
GROUP BY o_orderpriority
ORDER BY o_orderpriority;

-- Q5 (local supplier volume)
SELECT n_name, sum(l_extendedprice * (1 - l_discount)) AS revenue
FROM customer, orders, lineitem, supplier, nation, region
WHERE c_custkey = o_custkey AND l_orderkey = o_orderkey AND l_suppkey = s_suppkey
  AND c_nationkey = s_nationkey AND s_nationkey = n_nationkey AND n_regionkey = r_regionkey
  AND r_name = 'ASIA' AND o_orderdate >= '1994-01-01' AND o_orderdate < '1994-02-01'
GROUP BY n_name
ORDER BY revenue DESC;

-- Q6 (forecasting revenue change), one month
SELECT sum(l_extendedprice * l_discount) AS revenue
FROM lineitem
WHERE l_shipdate >= '1994-01-01' AND l_shipdate < '1994-02-01'
  AND l_discount BETWEEN 0.05 AND 0.07 AND l_quantity < 24;

-- Q10 (returned item reporting)
SELECT c_custkey, c_name, sum(l_extendedprice * (1 - l_discount)) AS revenue, c_acctbal, n_name
FROM customer, orders, lineitem, nation
WHERE c_custkey = o_custkey AND l_orderkey = o_orderkey AND o_orderdate >= '1993-10-01'
  AND o_orderdate < '1993-11-01' AND l_returnflag = 'R' AND c_nationkey = n_nationkey
GROUP BY c_custkey, c_name, c_acctbal, n_name
ORDER BY revenue DESC
LIMIT 20;

-- Q12 (shipping modes and order priority)
SELECT l_shipmode, count(*) AS lines
FROM orders, lineitem
WHERE o_orderkey = l_orderkey AND l_shipmode IN ('MAIL', 'SHIP')
  AND l_receiptdate >= '1994-01-01' AND l_receiptdate < '1994-02-01'
GROUP BY l_shipmode
ORDER BY l_shipmode;

-- Q14 (promotion effect)
SELECT sum(CASE WHEN p_type LIKE 'PROMO%' THEN l_extendedprice * (1 - l_discount) ELSE 0 END)
       AS promo_revenue
FROM lineitem, part
WHERE l_partkey = p_partkey AND l_shipdate >= '1995-09-01' AND l_shipdate < '1995-10-01';

-- Q17 (small-quantity-order revenue)
SELECT sum(l_extendedprice) / 7.0 AS avg_yearly
FROM lineitem, part
WHERE p_partkey = l_partkey AND p_brand = 'Brand#23' AND p_container = 'MED BOX'
  AND l_quantity < (SELECT 0.2 * avg(l_quantity) FROM lineitem WHERE l_partkey = p_partkey);

-- Q18 (large volume customer), for one customer
SELECT o_orderkey, o_orderdate, o_totalprice, sum(l_quantity)
FROM orders, lineitem
WHERE o_custkey = 4242 AND o_orderkey = l_orderkey
GROUP BY o_orderkey, o_orderdate, o_totalprice
ORDER BY o_totalprice DESC;

-- Q20 (potential part promotion)
SELECT s_name, s_address
FROM supplier, nation
WHERE s_suppkey IN (SELECT ps_suppkey FROM partsupp
                    WHERE ps_partkey IN (SELECT p_partkey FROM part WHERE p_name LIKE 'forest%')
                      AND ps_availqty > (SELECT 0.5 * sum(l_quantity) FROM lineitem
                                         WHERE l_partkey = ps_partkey AND l_suppkey = ps_suppkey
                                           AND l_shipdate >= '1994-01-01'
                                           AND l_shipdate < '1995-01-01'))
  AND s_nationkey = n_nationkey AND n_name = 'CANADA'
ORDER BY s_name;

-- Q21 (suppliers who kept orders waiting), for one supplier
SELECT count(*) AS numwait
FROM lineitem l1, orders
WHERE l1.l_suppkey = 42 AND o_orderkey = l1.l_orderkey AND o_orderstatus = 'F'
  AND l1.l_receiptdate > l1.l_commitdate
  AND EXISTS (SELECT 1 FROM lineitem l2
              WHERE l2.l_orderkey = l1.l_orderkey AND l2.l_suppkey <> l1.l_suppkey);

-- A customer's latest orders
SELECT o_orderkey, o_orderdate, o_totalprice
FROM orders
WHERE o_custkey = 1234
ORDER BY o_orderdate DESC
LIMIT 10;

-- The lines of one order (the primary key serves it)
SELECT l_linenumber, l_partkey, l_quantity, l_extendedprice
FROM lineitem
WHERE l_orderkey = 31337;

-- A customer by phone number
SELECT c_custkey, c_name, c_acctbal
FROM customer
WHERE c_phone = '25-989-741-2988';

-- Parts of one type and size, cheapest first
SELECT p_partkey, p_name, p_retailprice
FROM part
WHERE p_type = 'ECONOMY ANODIZED STEEL' AND p_size = 15
ORDER BY p_retailprice
LIMIT 20;

-- Orders in progress in one month
SELECT count(*)
FROM orders
WHERE o_orderstatus = 'P' AND o_orderdate >= '1995-06-01' AND o_orderdate < '1995-07-01';

-- A supplier's shipments in one month
SELECT l_orderkey, l_partkey, l_quantity
FROM lineitem
WHERE l_suppkey = 42 AND l_shipdate BETWEEN '1996-01-01' AND '1996-01-31';

-- A customer by name, whatever its case
SELECT c_custkey, c_phone
FROM customer
WHERE lower(c_name) = 'customer#000000042';

-- A clerk's latest orders
SELECT o_orderkey, o_totalprice, o_orderdate
FROM orders
WHERE o_clerk = 'Clerk#000000021'
ORDER BY o_orderdate DESC
LIMIT 20;
