#!/usr/bin/env bash
# Issue 16's target table in one run: every figure measured side by side on this machine, same weights, same thread
# count, the Java side and the Python side alternating round by round. Prints each program's JSON lines as they come,
# then the table (markdown), the load average around each row, and where the raw lines and values are.
#
#   mvn -q -B install -DskipTests && tools/bench/targets.sh [THREADS] [--only ROW] [--rounds N] [--no-reuse]
#
# --only ROW runs one row; --rounds N alternates N rounds per row and reports medians (default 1); --no-reuse runs the
# engine's sweeps without base-run reuse (variant engine-no-reuse: today's path, for a before/after pair).
#
# Rows, and what each costs on 2 threads of the 2-core machine (idle; a loaded machine stretches them):
#   resid20     resid_pre patching, 12 layers x 20 positions, batch 8 x 20: TransformerLens get_act_patch_resid_pre
#               (tl_resid_pre_sweep.py) vs the engine (ResidPreSweepBenchmark); 240 numbers compared. ~2 min TL,
#               ~1.3 min engine before reuse.
#   resid128    the same at 1 x 128 on every 4th position counted back from the last (32 positions, 384 points;
#               RESID128_STEP=1 for all 128, ~4x the cost: TL would take ~8 min alone). ~2 min TL, ~2 min engine.
#   heads20     zero-ablation of each of 12 x 12 heads at 8 x 20: HF per-point hooked loop (hf_head_sweep.py) vs the
#               engine (SweepBenchmark engine-default); 144 numbers compared. ~1 min each side.
#   heads128    the same at 1 x 128. ~1 min each side.
#   cache       forward 1 x 128 with every hook cached / plain (ForwardBenchmark --cache-all), 3 warm-up and 15 timed
#               passes each. ~20 s.
#   memory      memory per token of a batched pass, 8 rows x 128 (BatchedPassMemoryBenchmark). ~30 s.
#   load        load of the GPT-2-small checkpoint, time and peak RSS (LoadBenchmark) vs HF from_pretrained
#               (hf_load.py). ~20 s.
#   llama       LLaMA-1B-shaped forward (random f32 weights, make_random_llama.py, ~4.4 GB written once to /tmp)
#               1 x 128, 1 warm-up and 5 timed passes: HF (hf_forward.py) vs ForwardBenchmark. ~2 min, plus ~2 min
#               to write the checkpoint the first time.
#   processor   javac time per experiment class due to the annotation processor, 10 classes, warm (in-process javac)
#               and cold (javac process), median of 5 alternating rounds (ProcessorBenchmark). ~1.5 min.
# A row whose program does not exist yet prints "not available". Checkpoints: ARRAKIS_BENCH_CHECKPOINT (GPT-2 small,
# default /tmp/arrakis-bench/gpt2-small-random), ARRAKIS_BENCH_LLAMA (default /tmp/arrakis-bench/llama-1b-f32);
# both are written on first use.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
threads="$(nproc)"
only=""
rounds=1
engine="engine-default"
while (($#)); do
  case "$1" in
    --only) only="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --no-reuse) engine="engine-no-reuse"; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    [0-9]*) threads="$1"; shift ;;
    *) echo "targets.sh: unknown argument '$1' (expected THREADS, --only ROW, --rounds N, --no-reuse)" >&2; exit 2 ;;
  esac
done
all_rows=(resid20 resid128 heads20 heads128 cache memory load llama processor)
if [[ -n "$only" && " ${all_rows[*]} " != *" $only "* ]]; then
  echo "targets.sh: unknown row '$only' (rows: ${all_rows[*]})" >&2
  exit 2
fi
checkpoint="${ARRAKIS_BENCH_CHECKPOINT:-/tmp/arrakis-bench/gpt2-small-random}"
llama="${ARRAKIS_BENCH_LLAMA:-/tmp/arrakis-bench/llama-1b-f32}"
bench="$root/tools/bench"
classes="$root/samples/target/classes"
if [[ ! -f "$root/samples/target/launcher.classpath" ]]; then
  echo "targets.sh: build first: mvn -q -B install -DskipTests" >&2
  exit 2
fi
classpath="$classes:$(cat "$root/samples/target/launcher.classpath")"
[[ -f "$checkpoint/config.json" ]] || python3 "$bench/make_random_checkpoint.py" --out "$checkpoint" >&2
work="$(mktemp -d /tmp/arrakis-targets.XXXXXX)"
echo "threads $threads, rounds $rounds, engine variant $engine; raw lines in $work" >&2

java_bench() { java -Dai.djl.offline=true -cp "$classpath" "dev.arrakis.samples.bench.$1" "${@:2}"; }
has_class() { [[ -f "$classes/dev/arrakis/samples/bench/$1.class" ]]; }
wanted() { [[ -z "$only" || "$only" == "$1" ]]; }
# Each row's lines go to $work/ROW.jsonl, tagged with the round, between two readings of the load average.
record() {
  local row="$1" round="$2"
  shift 2
  "$@" | sed -u "s/^{/{\"row\":\"$row\",\"r\":$round,/" | tee -a "$work/$row.jsonl"
}
load() { echo "{\"row\":\"$1\",\"load\":\"$(cut -d' ' -f1-3 /proc/loadavg)\"}" >>"$work/$1.jsonl"; }
missing() { echo "{\"row\":\"$1\",\"missing\":\"$2\"}" >>"$work/$1.jsonl"; echo "$1: not available ($2)" >&2; }

resid_row() {
  local row="$1" batch="$2" seq="$3" step="$4"
  local tokens="$work/$row-tokens.json"
  load "$row"
  for ((r = 0; r < rounds; r++)); do
    record "$row" "$r" python3 "$bench/tl_resid_pre_sweep.py" --model "$checkpoint" --threads "$threads" \
      --tokens "$tokens" --batch "$batch" --seq "$seq" --position-step "$step" --values-out "$work/$row-tl.json"
    record "$row" "$r" java_bench ResidPreSweepBenchmark --model "$checkpoint" --threads "$threads" \
      --tokens "$tokens" --variants "$engine" --values-out "$work/$row-java.json"
  done
  load "$row"
}

heads_row() {
  local row="$1" batch="$2" seq="$3"
  local common=(--model "$checkpoint" --threads "$threads" --batch "$batch" --seq "$seq" --warmup-layers 1 --rounds 1)
  load "$row"
  for ((r = 0; r < rounds; r++)); do
    record "$row" "$r" python3 "$bench/hf_head_sweep.py" "${common[@]}" --values-out "$work/$row-hf.json"
    record "$row" "$r" java_bench SweepBenchmark "${common[@]}" --variants "$engine" --values-out "$work/$row-java.json"
  done
  load "$row"
}

if wanted resid20; then resid_row resid20 8 20 1; fi
if wanted resid128; then resid_row resid128 1 128 "${RESID128_STEP:-4}"; fi
if wanted heads20; then heads_row heads20 8 20; fi
if wanted heads128; then heads_row heads128 1 128; fi

if wanted cache; then
  load cache
  for ((r = 0; r < rounds; r++)); do
    for flag in "" --cache-all; do
      record cache "$r" java_bench ForwardBenchmark --model "$checkpoint" --threads "$threads" --batch 1 --seq 128 \
        --warmup 3 --iters 15 $flag
    done
  done
  load cache
fi

if wanted memory; then
  if has_class BatchedPassMemoryBenchmark; then
    load memory
    for ((r = 0; r < rounds; r++)); do
      record memory "$r" java_bench BatchedPassMemoryBenchmark --model "$checkpoint" --threads "$threads" --seq 128 \
        --rows 8
    done
    load memory
  else
    missing memory "no BatchedPassMemoryBenchmark in this build (helper lazy)"
  fi
fi

if wanted load; then
  if has_class LoadBenchmark && [[ -f "$bench/hf_load.py" ]]; then
    load load
    for ((r = 0; r < rounds; r++)); do
      record load "$r" python3 "$bench/hf_load.py" --model "$checkpoint" --threads "$threads"
      record load "$r" java_bench LoadBenchmark --model "$checkpoint" --threads "$threads"
    done
    load load
  else
    missing load "no LoadBenchmark or tools/bench/hf_load.py in this build (helper mmap)"
  fi
fi

if wanted llama; then
  if [[ -f "$bench/make_random_llama.py" ]] && grep -q AutoModelForCausalLM "$bench/hf_forward.py"; then
    [[ -f "$llama/config.json" ]] || python3 "$bench/make_random_llama.py" --size 1b --dtype f32 --out "$llama" >&2
    load llama
    for ((r = 0; r < rounds; r++)); do
      common=(--model "$llama" --threads "$threads" --batch 1 --seq 128 --warmup 1 --iters 5)
      record llama "$r" python3 "$bench/hf_forward.py" "${common[@]}"
      record llama "$r" java_bench ForwardBenchmark "${common[@]}"
    done
    load llama
  else
    missing llama "no make_random_llama.py, or hf_forward.py is GPT-2 only (helper mmap)"
  fi
fi

if wanted processor; then
  processor_jar="$(ls "$root"/processor/target/arrakis-processor-*.jar | grep -v -e sources -e javadoc | head -1)"
  (cd "$root" && mvn -q -B -o dependency:build-classpath -pl processor -DincludeScope=runtime \
    -Dmdep.outputFile="$work/processor.classpath" >&2)
  load processor
  record processor 0 java_bench ProcessorBenchmark --project-dir "$root" --classes 10 \
    --processor-path "$processor_jar:$(cat "$work/processor.classpath")" --rounds $((rounds < 5 ? 5 : rounds)) \
    --work "$work/processor"
  load processor
fi

python3 - "$work" "$threads" "$engine" <<'PY'
import json, os, statistics, sys
work, threads, engine = sys.argv[1], sys.argv[2], sys.argv[3]

def lines(row):
    path = os.path.join(work, row + ".jsonl")
    return [json.loads(l) for l in open(path) if l.startswith("{")] if os.path.exists(path) else None

def median(values):
    return statistics.median(values) if values else float("nan")

def max_diff(a, b):
    if len(a) != len(b):
        raise SystemExit(f"result counts differ: {len(a)} vs {len(b)}")
    return max(abs(x - y) for x, y in zip(a, b))

def loads(rows):
    seen = [r["load"].split()[0] for r in rows if "load" in r]
    return " → ".join(seen)

def verdict(ok):
    return "met" if ok else "missed"

table = []  # figure, target, Arrakis, reference, ratio, verdict, check, load

def sweep_row(row, figure, target, ref_impl, ref_label, minimum, ref_values_key):
    rows = lines(row)
    if rows is None:
        return
    ref = median([r.get("seconds", r.get("median_ms", 0) / 1e3) for r in rows
                  if r.get("impl") == ref_impl and (r.get("summary") or "seconds" in r)])
    ours = median([r.get("seconds", r.get("median_ms", 0) / 1e3) for r in rows
                   if r.get("impl") == "arrakis-" + engine and r.get("summary")])
    java = json.load(open(os.path.join(work, row + "-java.json")))["values"][engine]
    theirs = json.load(open(os.path.join(work, f"{row}-{ref_values_key[0]}.json")))["values"]
    theirs = theirs[ref_values_key[1]] if ref_values_key[1] else theirs
    diff = max_diff(java, theirs)
    ratio = ref / ours
    cpu = [median([r["cpu_seconds"] for r in rows if r.get("impl") == impl and "cpu_seconds" in r])
           for impl in (ref_impl, "arrakis-" + engine)]
    check = f"{len(java)} numbers, max abs diff {diff:.1e}"
    if all(c == c for c in cpu):  # both sides reported CPU seconds (NaN otherwise)
        check += f"; CPU {cpu[1]:.0f} s vs {cpu[0]:.0f} s, {cpu[0] / cpu[1]:.2f}×"
    ok = None if minimum is None else ratio >= minimum and (diff <= 1e-5 if row.startswith("resid") else True)
    table.append((figure, target, f"{ours:.1f} s", f"{ref:.1f} s ({ref_label})", f"{ratio:.2f}× faster",
                  "report" if ok is None else verdict(ok), check, loads(rows)))

sweep_row("resid20", "resid_pre patching, every layer × every position, batch 8 × 20",
          "≥ 5× faster than TL, same 240 numbers to 1e-5", "transformer-lens", "TL get_act_patch_resid_pre", 5.0,
          ("tl", None))
positions = None
if os.path.exists(os.path.join(work, "resid128-tokens.json")):
    positions = len(json.load(open(os.path.join(work, "resid128-tokens.json")))["positions"])
sweep_row("resid128", f"resid_pre patching, every layer × {positions} positions, batch 1 × 128",
          "report; the saving should grow with length", "transformer-lens", "TL", None, ("tl", None))
sweep_row("heads20", "head zero-ablation, every layer × head, batch 8 × 20", "≥ 2.5× faster than the HF loop",
          "hf-pytorch-loop", "HF per-point hooked loop", 2.5, ("hf", "hf-loop"))
sweep_row("heads128", "head zero-ablation, every layer × head, batch 1 × 128", "report", "hf-pytorch-loop", "HF loop",
          None, ("hf", "hf-loop"))

def missing(row, figure, target):
    rows = lines(row)
    if rows is None:
        return False
    gone = [r["missing"] for r in rows if "missing" in r]
    if gone:
        table.append((figure, target, "not available", "", "", "", gone[0], ""))
    return bool(gone)

rows = lines("cache")
if rows is not None:
    plain = median([r["median_ms"] for r in rows if r.get("impl") == "arrakis-djl"])
    cached = median([r["median_ms"] for r in rows if r.get("impl") == "arrakis-djl-cache-all"])
    table.append(("forward with every hook cached ÷ plain, 1 × 128", "≤ 1.10", f"{cached:.1f} ms cached",
                  f"{plain:.1f} ms plain", f"{cached / plain:.2f}", verdict(cached / plain <= 1.10), "", loads(rows)))

if not missing("memory", "memory per token of a batched pass", "≤ 0.5 MiB"):
    rows = lines("memory")
    if rows is not None:
        mib = median([r["mib_per_token"] for r in rows if "mib_per_token" in r])
        table.append(("memory per token of a batched pass, 8 × 128", "≤ 0.5 MiB", f"{mib:.2f} MiB", "", "",
                      verdict(mib <= 0.5), "", loads(rows)))

if not missing("load", "load of the GPT-2-small checkpoint", "≤ 1 s, peak RSS ≤ 1.1× weight bytes"):
    rows = lines("load")
    if rows is not None:
        ours = [r for r in rows if "load_ms" in r and not r.get("impl", "").startswith("hf")]
        hf = [r for r in rows if "load_ms" in r and r.get("impl", "").startswith("hf")]
        ms = median([r["load_ms"] for r in ours])
        hf_ms = median([r["load_ms"] for r in hf])
        peak = median([r["peak_rss_mib_load"] * 2**20 / r["weight_bytes"] for r in ours])
        hf_peak = median([r["peak_rss_mib_load"] * 2**20 / r["weight_bytes"] for r in hf])
        table.append(("load of the GPT-2-small checkpoint", "≤ 1 s, peak RSS ≤ 1.1× weight bytes",
                      f"{ms:.0f} ms, peak {peak:.2f}× weights", f"{hf_ms:.0f} ms, peak {hf_peak:.2f}× (HF)",
                      f"{ms / hf_ms:.2f}", verdict(ms <= 1000 and peak <= 1.1), "", loads(rows)))

if not missing("llama", "LLaMA-1B-shaped forward vs HF", "≤ 1.05×"):
    rows = lines("llama")
    if rows is not None:
        ours = median([r["median_ms"] for r in rows if r.get("impl", "").startswith("arrakis")])
        hf = median([r["median_ms"] for r in rows if r.get("impl", "").startswith("hf")])
        table.append(("LLaMA-1B-shaped forward, 1 × 128, f32", "≤ 1.05× HF", f"{ours:.0f} ms", f"{hf:.0f} ms (HF)",
                      f"{ours / hf:.2f}", verdict(ours / hf <= 1.05), "", loads(rows)))

rows = lines("processor")
if rows is not None:
    for r in (r for r in rows if r.get("impl", "").startswith("javac-")):
        mode = "warm, javac in-process" if r["impl"] == "javac-warm" else "cold, javac process"
        table.append((f"annotation processing, {r['classes']} classes ({mode})", "≤ 50 ms javac time per class",
                      f"{r['processor_ms_per_class']:.0f} ms/class",
                      f"{r['with_processor_ms']:.0f} ms with, {r['proc_none_ms']:.0f} ms -proc:none", "",
                      verdict(r["processor_ms_per_class"] <= 50), f"median of {r['rounds']} rounds"
                      + (f"; CPU {r['processor_cpu_ms_per_class']:.0f} ms/class" if "processor_cpu_ms_per_class" in r
                         else ""), loads(rows)))

print(f"\n{threads} threads, engine variant {engine}, load average (1 min) at the start → end of each row\n")
print("| figure | target | Arrakis | reference | ratio | target | check | load |")
print("|---|---|---|---|---|---|---|---|")
for row in table:
    print("| " + " | ".join(row) + " |")
PY
echo
echo "raw lines and values: $work"
