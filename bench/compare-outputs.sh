#!/usr/bin/env bash
# compare-outputs — byte-identity of a refactor: simulate each scenario once (cached in .cache/compare/),
# scan it with this build and with another build, export the campaigns as STIX from both stores, and
# compare accounts.ndjson, campaigns.ndjson, rejected.ndjson, the act stage's actions.ndjson and marks.ndjson
# and the STIX bundle byte for byte.
# The other build's outputs are cached too (it does not change), so a rerun costs one scan per scenario.
#
#   bench/compare-outputs.sh /work/base-325a211 [scenario ...]     (default: every simulator scenario: bench:quality's and tiny)
#   PROMPTS=../shared/data/prompts SCALE=1 SEED=1 bench/compare-outputs.sh ../base
#
# Both builds must be built (npm run build). Exits 1 when any file differs.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
base=$(cd "${1:?usage: compare-outputs.sh OTHER_BUILD [scenario ...]}" && pwd)
shift
scenarios=("$@")
# Every scenario the simulator knows (bench:quality runs them all but tiny), read from this build.
[ ${#scenarios[@]} -gt 0 ] || read -r -a scenarios <<< "$(node --input-type=module -e "const m = await import('$here/dist/src/sim/scenarios.js'); console.log(m.SCENARIO_LIST.map((s) => s.name).join(' '))")"
scale=${SCALE:-1}
seed=${SEED:-1}
prompts=${PROMPTS:-$here/../shared/data/prompts}
cache=${CACHE:-$here/.cache/compare}
base_id=$(git -C "$base" rev-parse --short HEAD)$(git -C "$base" diff --quiet HEAD -- src || echo -dirty)

mkdir -p "$cache"
# A community key, so that the scan writes indicators and `intel export` has something to sign.
keys=$cache/keys.json
echo '{"intel": {"keys": [{"id": "compare-k1", "secret": "compare-outputs-secret-0123456789"}]}}' > "$keys"

scan() { # build dir out
  rm -rf "$3"
  node --max-semi-space-size=64 "$1/bin/distillguard.js" scan "$2" --out "$3" --config "$keys" > "$3.log" 2>&1 || { cat "$3.log"; return 1; }
  node "$1/bin/distillguard.js" intel export --db "$3/distillguard.duckdb" --out "$3/stix.json" >> "$3.log" 2>&1 || { cat "$3.log"; return 1; }
}

status=0
for s in "${scenarios[@]}"; do
  dir=$cache/$s-s$scale-seed$seed-$( [ -d "$prompts" ] && echo corpus || echo builtin )
  if [ ! -f "$dir/truth.json" ]; then
    args=(simulate --scenario "$s" --scale "$scale" --seed "$seed" --out "$dir")
    [ -d "$prompts" ] && args+=(--prompts "$prompts")
    node "$here/bin/distillguard.js" "${args[@]}" > /dev/null
  fi
  t0=$(date +%s)
  [ -f "$dir/base-$base_id/stix.json" ] || scan "$base" "$dir/input.ndjson" "$dir/base-$base_id"
  scan "$here" "$dir/input.ndjson" "$dir/head"
  t1=$(date +%s)
  line="$s ($(wc -l < "$dir/input.ndjson") lines, $((t1 - t0)) s):"
  for f in accounts.ndjson campaigns.ndjson rejected.ndjson actions.ndjson marks.ndjson stix.json; do
    if cmp -s "$dir/base-$base_id/$f" "$dir/head/$f"; then line+=" $f identical"; else line+=" $f DIFFERS"; status=1; fi
  done
  echo "$line"
done
exit $status
