#!/usr/bin/env bash
# Regenerates the benchmark plots used in docs/performance.md:
#
#   bench/plots.sh [--nginx] [BUILD_DIR]     (default build/bench, a Release build)
#
# Runs bwvoice-bench in full mode (its Markdown table goes to stdout) with
# --csv, then gnuplot (Debian's gnuplot-nox) renders into docs/img/:
#   bench-<server>-throughput.png   lookups/s vs concurrency
#   bench-<server>-cpu.png          client CPU µs per lookup vs concurrency
#   bench-<server>-latency.png      p50 and p99 latency vs concurrency
# and keeps the numbers as docs/img/bench-<server>.csv. <server> is "mock"
# (bwvoice-bench's in-process bwvoice-mock) or, with --nginx, "nginx": the
# bench-peers server (../shared/bench-peers/server.sh), started and stopped here.
# BENCH_ARGS adds arguments to bwvoice-bench (e.g. BENCH_ARGS="--lookups 50000");
# PLOTS_CSV=FILE re-renders from an earlier CSV (e.g. docs/img/bench-mock.csv)
# without running anything.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
server=mock
if [ "${1:-}" = --nginx ]; then server=nginx; shift; fi
build=${1:-build/bench}
bench=$build/bench/bwvoice-bench
[ -x "$bench" ] || { echo "plots.sh: build bwvoice-bench in $build first (a Release build)" >&2; exit 1; }
command -v gnuplot >/dev/null || { echo "plots.sh: gnuplot is not installed (scripts/install-deps.sh)" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/bwvoice-plots.XXXXXX")
peers=../shared/bench-peers
nginx_started=0
cleanup() {
  if [ "$nginx_started" = 1 ]; then "$peers/server.sh" stop "$work/nginx" >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

args=()
if [ "$server" = nginx ] && [ -z "${PLOTS_CSV:-}" ]; then
  # Started as root, nginx's worker runs as nobody and must reach the htpasswd.
  chmod 755 "$work"
  "$peers/server.sh" start "$work/nginx" >&2
  nginx_started=1
  # shellcheck disable=SC1091
  . "$work/nginx/server.env"
  args=(--url "$BP_URL" --user "$BP_USER" --password "$BP_PASSWORD" --ca "$BP_CA")
fi
if [ -n "${PLOTS_CSV:-}" ]; then
  cp "$PLOTS_CSV" "$work/bench.csv"
else
  # shellcheck disable=SC2086
  "$bench" "${args[@]}" --csv "$work/bench.csv" ${BENCH_ARGS:-}
fi

out=docs/img
mkdir -p "$out"
cp "$work/bench.csv" "$out/bench-$server.csv"
# Two series: pool = C (one connection per lookup in flight), and pool = 16
# (C = 16, 64, 256 sharing 16 connections).
awk -F, '$1 == "scaling" && $2 == $3' "$work/bench.csv" > "$work/pool-c.csv"
awk -F, '$1 == "scaling" && $3 == 16' "$work/bench.csv" > "$work/pool-16.csv"

title="bwvoice ConferenceClient, one io_context thread, against $([ "$server" = nginx ] && echo "nginx (bench-peers)" || echo "in-process bwvoice-mock")"
gnuplot <<GP
set terminal pngcairo noenhanced size 900,540 font "DejaVu Sans,11"
set datafile separator ","
set logscale x 2
set xtics ("1" 1, "16" 16, "64" 64, "256" 256)
set xrange [0.8:320]
set xlabel "concurrency C (lookups in flight)"
set grid
set key bottom right
set style line 1 lw 2 pt 7 ps 1.2 lc rgb "#1f77b4"
set style line 2 lw 2 pt 5 ps 1.2 lc rgb "#ff7f0e" dt 2
set style line 3 lw 2 pt 9 ps 1.2 lc rgb "#1f77b4" dt 3
set style line 4 lw 2 pt 11 ps 1.2 lc rgb "#ff7f0e" dt 4

set output "$out/bench-$server-throughput.png"
set title "$title\nthroughput"
set ylabel "lookups per second"
set yrange [0:*]
set format y "%.0s%c"
plot "$work/pool-c.csv" using 2:6 with linespoints ls 1 title "pool = C", \
     "$work/pool-16.csv" using 2:6 with linespoints ls 2 title "pool = 16"

set output "$out/bench-$server-cpu.png"
set title "$title\nclient CPU per lookup (the io_context thread only; lower is better)"
set ylabel "CPU µs per lookup"
set format y "%g"
set yrange [0:*]
plot "$work/pool-c.csv" using 2:7 with linespoints ls 1 title "pool = C", \
     "$work/pool-16.csv" using 2:7 with linespoints ls 2 title "pool = 16"

set output "$out/bench-$server-latency.png"
set title "$title\nlatency per lookup, issue to handler (C in flight, so it grows with C)"
set ylabel "latency µs (log scale)"
set logscale y 10
set key top left
set yrange [*:*]
plot "$work/pool-c.csv" using 2:8 with linespoints ls 1 title "p50, pool = C", \
     "$work/pool-c.csv" using 2:9 with linespoints ls 3 title "p99, pool = C", \
     "$work/pool-16.csv" using 2:8 with linespoints ls 2 title "p50, pool = 16", \
     "$work/pool-16.csv" using 2:9 with linespoints ls 4 title "p99, pool = 16"
GP
echo "plots.sh: wrote $out/bench-$server-{throughput,cpu,latency}.png and $out/bench-$server.csv" >&2
