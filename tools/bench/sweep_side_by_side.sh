#!/usr/bin/env bash
# A zero-ablation sweep over every (layer, head) of the random GPT-2-small, 144 points, metric = mean logit
# difference of two fixed tokens at the last position: the engine's batched passes at several row caps, the engine
# at one point per pass, a hand-written loop of HookedTransformer.run, and HF transformers with a forward hook
# (one forward per point). Same machine, same thread count, same token ids; one HF process and one JVM per round,
# alternating, so drift hits all. Prints the JSON lines, a table of medians and ratios, and the largest difference
# between any variant's 144 results and the Java loop's.
#
#   mvn -q -B install -DskipTests && tools/bench/sweep_side_by_side.sh [THREADS] [ROUNDS]
#
# engine-N is N rows a pass with no token cap; engine-default is RunnerOptions.defaults() (512 rows and 2048 tokens
# a pass). Row caps are chosen to fit 24 GB: a batched pass keeps every intermediate of every layer until it ends,
# about 2.5 MiB per token (rows x seq) on GPT-2-small, so 512 rows alone would need ~40 GiB at 8 x 32 (64 points a
# pass) and ~23 GiB at 1 x 64 (all 144 points in one pass). Override with SWEEP_SHAPES="B S VARIANTS;B S VARIANTS"
# (VARIANTS as SweepBenchmark --variants takes them; list them by growing pass size so that each one's peak resident
# set is its own).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
threads="${1:-$(nproc)}"
rounds="${2:-3}"
checkpoint="${ARRAKIS_BENCH_CHECKPOINT:-/tmp/arrakis-bench/gpt2-small-random}"
shapes="${SWEEP_SHAPES:-8 32 loop,engine-batch,engine-32,engine-default,engine-128;
1 64 loop,engine-batch,engine-16,engine-default,engine-48}"
shapes="${shapes//$'\n'/}"
[[ -f "$checkpoint/config.json" ]] || python3 "$root/tools/bench/make_random_checkpoint.py" --out "$checkpoint" >&2
classpath="$root/samples/target/classes:$(cat "$root/samples/target/launcher.classpath")"
work="$(mktemp -d)"
results="$work/results.jsonl"
IFS=';' read -ra shape_list <<<"$shapes"
for shape in "${shape_list[@]}"; do
  read -r batch seq variants <<<"$shape"
  common=(--model "$checkpoint" --threads "$threads" --batch "$batch" --seq "$seq" --warmup-layers 1 --rounds 1)
  for ((round = 0; round < rounds; round++)); do
    python3 "$root/tools/bench/hf_head_sweep.py" "${common[@]}" --values-out "$work/hf-$batch-$seq-$round.json" \
      | sed "s/\"round\":0/\"round\":$round/" | tee -a "$results"
    java -Dai.djl.offline=true -cp "$classpath" dev.arrakis.samples.bench.SweepBenchmark "${common[@]}" \
      --variants "$variants" --values-out "$work/java-$batch-$seq-$round.json" \
      | sed "s/\"round\":0/\"round\":$round/" | tee -a "$results"
  done
done
python3 - "$work" <<'PY'
import collections, glob, json, os, statistics, sys
work = sys.argv[1]
rows = [json.loads(l) for l in open(os.path.join(work, "results.jsonl")) if l.startswith("{")]
timed = [r for r in rows if not r.get("summary")]
by = collections.defaultdict(list)
for r in timed:
    by[(r["batch"], r["seq"], r["impl"])].append(r)
diffs = collections.defaultdict(float)
for path in glob.glob(os.path.join(work, "java-*.json")):
    java = json.load(open(path))
    hf = json.load(open(path.replace("java-", "hf-")))
    values = dict(java["values"], **hf["values"])
    ref = values["loop"]
    for name, v in values.items():
        d = max(abs(a - b) for a, b in zip(v, ref))
        diffs[(java["batch"], java["seq"], name)] = max(diffs[(java["batch"], java["seq"], name)], d)
for batch, seq in sorted({(b, s) for b, s, _ in by}, reverse=True):
    impls = [i for b, s, i in by if (b, s) == (batch, seq)]
    med = {i: statistics.median(r["sweep_ms"] for r in by[(batch, seq, i)]) for i in impls}
    engines = [i for i in impls if i.startswith("arrakis-engine-")]
    batched = min(reversed(engines), key=lambda i: by[(batch, seq, i)][0]["passes"])  # the most batched, last on ties
    print(f"\n{batch} x {seq}: ratios to {batched}; max |diff| vs the Java loop's results")
    print("| variant | passes | median sweep (s) | ratio | peak RSS (MiB) | max abs diff |")
    print("|---|---|---|---|---|---|")
    for i in impls:
        rs = by[(batch, seq, i)]
        name = i.replace("arrakis-", "").replace("hf-pytorch-loop", "hf-loop")
        d = diffs.get((batch, seq, name), float("nan"))
        print(f"| {i} | {rs[0]['passes']} | {med[i] / 1e3:.1f} | {med[i] / med[batched]:.2f} "
              f"| {max(r['peak_rss_mb'] for r in rs)} | {d:.1e} |")
print(f"\nraw lines and values: {work}")
PY
