#!/usr/bin/env bash
# bench/compare_pgbadger.sh [SIZE_MB] — querylens digest versus pgBadger on the same stderr log.
#
# Generates a realistic PostgreSQL stderr log (log_min_duration_statement = 0, prefix
# '%m [%p] %q%u@%d ', 40 backends, literals that change on every line, prepared executes with
# parameters, multi-line statements, transactions, errors, background lines) of SIZE_MB
# megabytes (default 1024), then times both tools on it, one core each, and prints MB/s.
# pgBadger reads about 3 MB/s: 1 GB takes it about six minutes.
#
# Environment: QUERYLENS (default build-rel/querylens, else build/querylens), KEEP=1 keeps the
# log in $TMPDIR for another run.
set -euo pipefail
cd "$(dirname "$0")/.."
size_mb=${1:-1024}
querylens=${QUERYLENS:-}
[ -n "$querylens" ] || for q in build-rel/querylens build/querylens; do [ -x "$q" ] && querylens=$q && break; done
[ -x "${querylens:-}" ] || { echo "compare_pgbadger: build querylens first (QUERYLENS=path)" >&2; exit 2; }
command -v pgbadger >/dev/null || { echo "compare_pgbadger: install pgbadger (apt-get install pgbadger)" >&2; exit 2; }

tmp=${TMPDIR:-/tmp}/querylens-compare
mkdir -p "$tmp"
log="$tmp/postgresql-${size_mb}MB.log"
if [ ! -s "$log" ]; then
  echo "generating $log (${size_mb} MB)…" >&2
  python3 - "$log" "$size_mb" <<'PY'
import random, sys
path, size = sys.argv[1], int(sys.argv[2]) << 20
rng = random.Random(42)
ms, written, out = 0, 0, []
with open(path, "w") as f:
    while written < size:
        ms += rng.randrange(3)
        pid = 10000 + rng.randrange(40)
        i = rng.randrange(100000)
        d = rng.randrange(100000) / 1000
        p = "2024-03-05 %02d:%02d:%02d.%03d UTC [%d] app@shop " % (ms // 3600000 % 24, ms // 60000 % 60, ms // 1000 % 60, ms % 1000, pid)
        k = rng.randrange(10)
        if k < 3:
            s = "%sLOG:  duration: %.3f ms  statement: SELECT id, email, name FROM users WHERE id = %d\n" % (p, d, i)
        elif k < 5:
            s = ("%sLOG:  duration: %.3f ms  execute S_%d: SELECT id, title, body FROM posts WHERE user_id = $1 ORDER BY created_at DESC LIMIT $2\n"
                 "%sDETAIL:  parameters: $1 = '%d', $2 = '20'\n") % (p, d, rng.randrange(4), p, i)
        elif k == 5:
            s = "%sLOG:  duration: %.3f ms  statement: UPDATE posts SET view_count = view_count + 1 WHERE id = %d\n" % (p, d, i)
        elif k == 6:
            s = ("%sLOG:  duration: %.3f ms  statement: SELECT u.name, count(p.id) AS posts\n\t  FROM users u\n\t  JOIN posts p ON p.user_id = u.id\n"
                 "\t WHERE u.created_at > '2024-01-%02d'\n\t GROUP BY u.name\n\t ORDER BY posts DESC\n\t LIMIT 50\n") % (p, d * 10, 1 + i % 28)
        elif k == 7:
            s = ("%sLOG:  duration: 0.010 ms  statement: BEGIN\n%sLOG:  duration: %.3f ms  statement: INSERT INTO comments (post_id, user_id, body) "
                 "VALUES (%d, %d, 'nice post %d')\n%sLOG:  duration: 0.050 ms  statement: COMMIT\n") % (p, p, d, i, i % 977, i, p)
        elif k == 8:
            s = "%sLOG:  duration: %.3f ms  statement: SELECT * FROM tags WHERE name IN ('a%d', 'b%d', 'c')\n" % (p, d, i, i + 1)
        elif rng.randrange(20) == 0:
            s = ("%sERROR:  duplicate key value violates unique constraint \"users_email_key\"\n%sDETAIL:  Key (email)=(u%d@example.com) already exists.\n"
                 "%sSTATEMENT:  INSERT INTO users (email) VALUES ('u%d@example.com')\n") % (p, p, i, p, i)
        else:
            s = "2024-03-05 00:00:%02d.000 UTC [99] LOG:  checkpoint complete: wrote %d buffers\n" % (ms // 1000 % 60, i % 500)
        out.append(s)
        written += len(s)
        if len(out) >= 10000:
            f.write("".join(out))
            out = []
    f.write("".join(out))
PY
fi
bytes=$(stat -L -c %s "$log")
mb=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1048576 }')
cat "$log" >/dev/null  # both tools read from the page cache

# Wall seconds and peak RSS of a command, via GNU time.
measure() {
  local label=$1
  shift
  /usr/bin/time -f "%e %M" -o "$tmp/time" "$@" >/dev/null 2>"$tmp/$label.err" ||
    { echo "$label failed:" >&2; tail -5 "$tmp/$label.err" >&2; exit 1; }
  read -r secs rss <"$tmp/time"
  awk -v l="$label" -v s="$secs" -v r="$rss" -v mb="$mb" \
    'BEGIN { printf "%-10s %8.2f s  %9.1f MB/s  peak RSS %6.0f MB\n", l, s, mb / (s > 0 ? s : 0.001), r / 1024 }'
}

echo "log: $log ($mb MB)"
measure querylens taskset -c 0 "$querylens" digest "$log" --format json --output "$tmp/querylens.json"
measure pgbadger taskset -c 0 pgbadger --jobs 1 --format stderr --prefix '%m [%p] %q%u@%d ' --quiet \
  --outfile "$tmp/pgbadger.html" "$log"
[ "${KEEP:-0}" = 1 ] || rm -f "$log"
