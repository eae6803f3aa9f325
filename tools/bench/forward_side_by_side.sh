#!/usr/bin/env bash
# Hooked forward (Arrakis on DJL/libtorch) vs HF transformers (PyTorch) on the same machine, same thread count,
# same random GPT-2-small weights, run alternately so drift hits both. Prints the JSON lines and a ratio table.
#
#   mvn -q -B install -DskipTests && tools/bench/forward_side_by_side.sh [THREADS] [ROUNDS]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
threads="${1:-$(nproc)}"
rounds="${2:-3}"
checkpoint="${ARRAKIS_BENCH_CHECKPOINT:-/tmp/arrakis-bench/gpt2-small-random}"
[[ -f "$checkpoint/config.json" ]] || python3 "$root/tools/bench/make_random_checkpoint.py" --out "$checkpoint" >&2
classpath="$root/samples/target/classes:$(cat "$root/samples/target/launcher.classpath")"
results="$(mktemp)"
for shape in "1 128" "4 128" "1 512"; do
  read -r batch seq <<<"$shape"
  common=(--model "$checkpoint" --threads "$threads" --batch "$batch" --seq "$seq" --warmup 3 --iters 15)
  for ((round = 0; round < rounds; round++)); do
    python3 "$root/tools/bench/hf_forward.py" "${common[@]}" | tee -a "$results"
    java -Dai.djl.offline=true -cp "$classpath" dev.arrakis.samples.bench.ForwardBenchmark "${common[@]}" | tee -a "$results"
    java -Dai.djl.offline=true -cp "$classpath" dev.arrakis.samples.bench.ForwardBenchmark "${common[@]}" --cache-all | tee -a "$results"
  done
done
python3 - "$results" <<'PY'
import json, statistics, sys, collections
rows = [json.loads(line) for line in open(sys.argv[1]) if line.startswith("{")]
by = collections.defaultdict(list)
for r in rows:
    by[(r["batch"], r["seq"], r["impl"])].append(r["median_ms"])
print("\n| batch x seq | HF PyTorch (ms) | Arrakis, no hooks (ms) | ratio | Arrakis, cache all (ms) | ratio |")
print("|---|---|---|---|---|---|")
for batch, seq in sorted({(b, s) for b, s, _ in by}):
    hf = statistics.median(by[(batch, seq, "hf-pytorch")])
    plain = statistics.median(by[(batch, seq, "arrakis-djl")])
    cached = statistics.median(by[(batch, seq, "arrakis-djl-cache-all")])
    print(f"| {batch} x {seq} | {hf:.1f} | {plain:.1f} | {plain / hf:.2f} | {cached:.1f} | {cached / hf:.2f} |")
PY
