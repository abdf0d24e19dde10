#!/usr/bin/env bash
# bench/attribution — which of the gateway listener's slow answers came from what (issue 14, i14c).
# One run of bench:decision (wrk, --request-log: each request's send time and latency on
# CLOCK_MONOTONIC) on an instrumented COPY of a build (instrument.py: the listener's GC pauses and
# messages from main, same clock), with `perf sched record -k mono` over the load window; then
# attribute.py names, for each request slower than 1 ms, what overlapped it most: a GC of the
# listener's isolate, a message from main, the listener runnable but off-CPU, wrk off-CPU, or none.
#
#   bench/attribution/run.sh BUILD NAME [bench:decision options]   # BUILD: a built tree (dist/, bin/)
#   python3 bench/attribution/attribute.py NAME [LIMIT_MS]          # reads $DG_ATTRIBUTION_DIR/NAME.* (default /tmp/dg-attribution)
#
# Needs perf (linux-perf), wrk, python3; root (perf sched records every CPU).
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
src=$(cd "$1" && pwd); name=$2; shift 2
out=${DG_ATTRIBUTION_DIR:=/tmp/dg-attribution}; export DG_ATTRIBUTION_DIR; mkdir -p "$out"; rm -f "$out/$name".*
# The instrumented copy: the build's bin/ and dist/ copied (node resolves modules by their real path,
# so a symlinked dist/ would load the original worker), the rest by symlink; its gateway worker patched.
copy=$out/build-$name; rm -rf "$copy"; mkdir -p "$copy"
cp -r "$src/bin" "$src/dist" "$copy/"
for d in policies web proto node_modules package.json; do ln -s "$src/$d" "$copy/$d"; done
python3 "$here/bench/attribution/instrument.py" "$copy/dist/src/server/gateway-worker.js"
cd "$here"
DG_TRACE_OUT=$out/$name.trace node dist/bench/decision.js --generator wrk --build "$copy" --json "$out/$name.json" --request-log "$out/$name.req" "$@" > "$out/$name.log" 2>&1 &
bench=$!
for _ in $(seq 1 1200); do pgrep -x -P $bench wrk > /dev/null && break; kill -0 $bench 2> /dev/null || { cat "$out/$name.log"; exit 1; }; sleep 0.1; done
perf sched record -k mono -o "$out/$name.perf" -- sleep 10.3 > /dev/null 2>&1
wait $bench
perf sched timehist -i "$out/$name.perf" 2> /dev/null | awk 'NR>3' > "$out/$name.timehist"
rm -f "$out/$name.perf"
cat "$out/$name.log"
python3 "$here/bench/attribution/attribute.py" "$name" 1.0
