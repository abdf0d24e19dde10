#!/usr/bin/env bash
# decision-alternate — decision latency of two builds side by side: bench:decision with Debian's wrk,
# alternating the other build and this one ROUNDS times, then the median of each figure per build
# (p50, p99, p99.9, the answering thread's CPU µs per request and run-queue wait). On a shared machine
# alternate and compare medians; judge the 1 ms p99 on a quiet one (the load average is printed).
#
#   bench/decision-alternate.sh /work/base-113e87a [ROUNDS=3] [bench:decision options, e.g. --route auth]
#
# Both builds must be built (npm run build). JSON per run in .cache/decision-alternate/.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
other=$(cd "${1:?usage: decision-alternate.sh OTHER_BUILD [ROUNDS] [bench:decision options]}" && pwd)
shift
rounds=3
if [ $# -gt 0 ] && [[ $1 =~ ^[0-9]+$ ]]; then rounds=$1; shift; fi
out=$here/.cache/decision-alternate
rm -rf "$out" && mkdir -p "$out"
cd "$here"
for i in $(seq 1 "$rounds"); do
  for b in "$other" "$here"; do
    name=$([ "$b" = "$here" ] && echo this || echo other)
    node dist/bench/decision.js --generator wrk --build "$b" --json "$out/$name-$i.json" "$@"
  done
done
node --input-type=module -e "
import { readFileSync, readdirSync } from 'node:fs';
const med = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor((s.length - 1) / 2)]; };
for (const name of ['other', 'this']) {
  const runs = readdirSync('$out').filter((f) => f.startsWith(name + '-')).map((f) => JSON.parse(readFileSync('$out/' + f, 'utf8')));
  const m = (f) => med(runs.map(f));
  console.log(\`\${name === 'this' ? '$here' : '$other'}: \${runs.length} runs, medians: p50 \${m((r) => r.latency_ms.p50)} ms, p99 \${m((r) => r.latency_ms.p99)} ms, p99.9 \${m((r) => r.latency_ms.p999)} ms, achieved \${m((r) => r.achieved_per_second)}/s, answering thread \${m((r) => r.answering_thread.cpu_us_per_request)} µs CPU per request, waited \${m((r) => r.answering_thread.runqueue_wait_ms)} ms for a CPU; load average \${runs.map((r) => r.load_average).join(', ')}\`);
}
"
