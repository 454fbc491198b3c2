#!/usr/bin/env bash
# bench/advise_tpch.sh [SCALE] — the index-advice benchmark (issue: querylens advise).
#
# Generates a TPC-H-like SQLite database at scale factor SCALE (default 0.05: 300k line items,
# 75k orders; bench/tpch_gen.cpp, our own generator), then runs bench/advise_tpch.cpp:
# querylens advise on the 20 queries of bench/tpch/queries.sql at several budgets (workload
# cost before → after, what-if calls, advisor time), sqlite3's .expert on each query, and real
# timings of every query with no new index, with .expert's indexes and with querylens's.
# Prints Markdown for docs/PERFORMANCE.md. Takes a few minutes, most of it timing the queries
# that have no index (Q20 runs for over a minute without one).
#
# Environment: BUILD (default build-rel, configured with QUERYLENS_BUILD_BENCH=ON), RUNS
# (timed runs per query, default 3), BUDGETS (default 3,10,29), MIN_GAIN (percent, default 0:
# the budget alone limits the advice, as in a comparison with a tool that has no budget),
# SIZE_WEIGHT (querylens's --size-weight, default: querylens's own default),
# KEEP=1 keeps the generated database in $TMPDIR for another run (the next run reuses it),
# SKIP_NONE=1 leaves out the slow timing pass without new indexes (while iterating).
set -euo pipefail
cd "$(dirname "$0")/.."
scale=${1:-0.05}
build=${BUILD:-build-rel}
for bin in querylens bench/querylens_tpch_gen bench/querylens_advise_tpch; do
  [ -x "$build/$bin" ] || { echo "advise_tpch: build $build/$bin first (cmake --build $build)" >&2; exit 2; }
done
command -v sqlite3 >/dev/null || { echo "advise_tpch: install the sqlite3 shell (apt-get install sqlite3)" >&2; exit 2; }

tmp=${TMPDIR:-/tmp}/querylens-advise-tpch
mkdir -p "$tmp"
db="$tmp/tpch-sf$scale.db"
if [ ! -s "$db" ]; then
  rm -f "$db"
  "$build/bench/querylens_tpch_gen" "sqlite:$db" --sf "$scale"
fi
"$build/bench/querylens_advise_tpch" --db "$db" --queries bench/tpch/queries.sql \
  --querylens "$build/querylens" --sqlite3 "$(command -v sqlite3)" \
  --budgets "${BUDGETS:-3,10,29}" --min-gain "${MIN_GAIN:-0}" --runs "${RUNS:-3}" \
  ${SIZE_WEIGHT:+--size-weight "$SIZE_WEIGHT"} \
  --skip-none "${SKIP_NONE:-0}"
[ "${KEEP:-0}" = 1 ] || rm -rf "$tmp"
