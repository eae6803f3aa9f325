#!/usr/bin/env bash
# Checkpoint load (time, peak RSS) and the first forward pass: Arrakis mapping the weights, Arrakis decoding copies
# (the load before mapping), HF from_pretrained, each in a fresh process, alternating, on the same checkpoint.
# Prints the JSON lines and a table of medians, with the load average at the start of every round.
#
#   mvn -q -B install -DskipTests && tools/bench/load_side_by_side.sh [CHECKPOINT] [ROUNDS] [THREADS]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
checkpoint="${1:-/tmp/arrakis-bench/gpt2-small-random}"
rounds="${2:-3}"
threads="${3:-2}"
[[ -f "$checkpoint/config.json" ]] || python3 "$root/tools/bench/make_random_checkpoint.py" --out "$checkpoint" >&2
classpath="$root/samples/target/classes:$(cat "$root/samples/target/launcher.classpath")"
results="$(mktemp)"
common=(--model "$checkpoint" --threads "$threads" --seq 128)
for ((round = 0; round < rounds; round++)); do
  echo "round $round: load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  java -Dai.djl.offline=true -cp "$classpath" dev.arrakis.samples.bench.LoadBenchmark "${common[@]}" | tee -a "$results"
  java -Dai.djl.offline=true -cp "$classpath" dev.arrakis.samples.bench.LoadBenchmark "${common[@]}" --copy \
    | tee -a "$results"
  python3 "$root/tools/bench/hf_load.py" "${common[@]}" | tee -a "$results"
done
python3 - "$results" <<'PY'
import collections, json, statistics, sys
rows = [json.loads(line) for line in open(sys.argv[1]) if line.startswith("{")]
by = collections.defaultdict(list)
for r in rows:
    by[r["impl"]].append(r)
weights = rows[0]["weight_bytes"] / 2**20
print(f"\nweights {weights:.1f} MiB; medians of {len(rows) // max(1, len(by))} rounds; RSS growth = peak minus the"
      " process's peak before loading")
print("| implementation | load (ms) | RSS at start (MiB) | growth by load (x weights) | growth by load + forward"
      " (x weights) | first forward (ms) |")
print("|---|---|---|---|---|---|")
for impl, rs in by.items():
    med = lambda key: statistics.median(r[key] for r in rs)
    start = med("peak_rss_mib_start")
    print(f"| {impl} | {med('load_ms'):.0f} | {start:.0f} | {(med('peak_rss_mib_load') - start) / weights:.2f}"
          f" | {(med('peak_rss_mib_forward') - start) / weights:.2f} | {med('forward_ms'):.0f} |")
PY
