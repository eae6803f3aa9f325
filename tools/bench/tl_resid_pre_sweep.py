#!/usr/bin/env python3
"""Time TransformerLens's resid_pre activation-patching sweep on CPU; prints one JSON line.

    python3 tools/bench/tl_resid_pre_sweep.py --model DIR --threads 2 --tokens FILE [--batch 8 --seq 20]
        [--position-step 1] [--seed 0] [--values-out FILE]

The sweep is `transformer_lens.patching.get_act_patch_resid_pre`: for every layer and patched position, one forward
pass of the corrupted tokens with that position's clean `blocks.L.hook_resid_pre` written in. Metric: mean over the
batch of logit(A) - logit(B) at the last position, A=5, B=17 (as SweepBenchmark.java and hf_head_sweep.py).

The tokens file is the input both sides read (ResidPreSweepBenchmark.java reads the same file). If FILE does not
exist it is written here from --seed, --batch, --seq and --position-step; if it exists those options are ignored.
It is JSON: {"seed": S, "clean": [[ids]], "corrupted": [[ids]], "positions": [p, ...]}, token ids uniform below the
vocabulary, clean and corrupted drawn independently. "positions" lists the patched positions: every position when
--position-step is 1 (TransformerLens's own `get_act_patch_resid_pre`); otherwise every step-th position counted back
from the last, run through `generic_activation_patch` with an index frame, which is the same loop on fewer rows.

The model is the checkpoint loaded as TransformerLens loads HF GPT-2 without weight processing (tools/reference/
tl_models.py: its own config and weight converter, `from_pretrained_no_processing`'s settings), so its logits equal
HF's and the engine's raw logits. The sweep runs under torch.no_grad(), as TransformerLens's demos set it; one
untimed patched forward runs first. Besides wall seconds it reports the process's CPU seconds, which a loaded machine
stretches less. --values-out gets {"layers", "positions", "values": [layer-major]}.
Output: {"impl":"transformer-lens","shape":"BxS","batch":B,"seq":S,"points":N,"seconds":..,"values":PATH,...}
"""

import argparse
import functools
import json
import os
import random
import sys
import time
from pathlib import Path

os.environ.setdefault("TQDM_DISABLE", "1")  # the patching loop's progress bar would flood the harness's output

import pandas as pd  # noqa: E402
import torch  # noqa: E402
from transformer_lens import patching  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "reference"))
import tl_models  # noqa: E402

TOKEN_A = 5
TOKEN_B = 17


def write_tokens(path: Path, seed: int, batch: int, seq: int, position_step: int, vocab: int) -> None:
    rng = random.Random(seed)
    rows = lambda: [[rng.randrange(vocab) for _ in range(seq)] for _ in range(batch)]  # noqa: E731
    clean = rows()
    corrupted = rows()
    positions = sorted(range(seq - 1, -1, -position_step))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"seed": seed, "clean": clean, "corrupted": corrupted, "positions": positions}))


def metric(logits: torch.Tensor) -> torch.Tensor:
    last = logits[:, -1, :]
    return (last[:, TOKEN_A] - last[:, TOKEN_B]).mean()


def sweep(model, clean, corrupted, positions):
    _, clean_cache = model.run_with_cache(clean, names_filter=lambda name: name.endswith("hook_resid_pre"))
    if positions == list(range(clean.shape[1])):
        return patching.get_act_patch_resid_pre(model, corrupted, clean_cache, metric).flatten()
    index = pd.DataFrame([(layer, p) for layer in range(model.cfg.n_layers) for p in positions],
                         columns=["layer", "pos"])
    return patching.generic_activation_patch(model, corrupted, clean_cache, metric,
                                             patching.layer_pos_patch_setter, "resid_pre", index_df=index)


def warm_up(model, clean, corrupted):
    """One patched forward, so that the timed sweep does not pay libtorch's first-call costs."""
    hook = "blocks.0.hook_resid_pre"
    _, cache = model.run_with_cache(clean, names_filter=hook)
    patch = functools.partial(patching.layer_pos_patch_setter, index=[0, 0], clean_activation=cache[hook])
    model.run_with_hooks(corrupted, fwd_hooks=[(hook, lambda act, hook: patch(act))])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True, type=Path, help="HF GPT-2 checkpoint directory")
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--tokens", required=True, type=Path, help="read, or written first if absent")
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--seq", type=int, default=20)
    ap.add_argument("--position-step", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--values-out", type=Path, help="default: next to --tokens, named after it")
    args = ap.parse_args(argv)

    torch.set_num_threads(args.threads)
    model = tl_models.load(args.model)
    if not args.tokens.exists():
        write_tokens(args.tokens, args.seed, args.batch, args.seq, args.position_step, model.cfg.d_vocab)
    spec = json.loads(args.tokens.read_text())
    clean = torch.tensor(spec["clean"], dtype=torch.long)
    corrupted = torch.tensor(spec["corrupted"], dtype=torch.long)
    positions = spec["positions"]
    values_out = args.values_out or args.tokens.with_name(args.tokens.stem + "-tl-values.json")

    with torch.no_grad():
        warm_up(model, clean, corrupted)
        start, cpu_start = time.perf_counter(), time.process_time()
        values = sweep(model, clean, corrupted, positions)
        seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
    values_out.write_text(json.dumps({"layers": model.cfg.n_layers, "positions": positions,
                                      "values": [float(v) for v in values]}))
    batch, seq = clean.shape
    print(json.dumps({"impl": "transformer-lens", "shape": f"{batch}x{seq}", "batch": batch, "seq": seq,
                      "points": len(values), "threads": args.threads, "torch": torch.__version__,
                      "seconds": round(seconds, 3), "cpu_seconds": round(cpu_seconds, 3),
                      "values": str(values_out)}, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
