#!/usr/bin/env python3
"""Time a zero-ablation sweep over every (layer, head) of an HF GPT-2 on CPU, TransformerLens-style.

    python3 tools/bench/hf_head_sweep.py --model DIR --threads 2 --batch 8 --seq 32 --warmup-layers 1 --rounds 3

One forward per point, with a forward pre-hook on that layer's attn.c_proj that zeroes the head's slice of its input
(the concatenated per-head outputs, i.e. TransformerLens's hook_z). Metric: mean over the batch of
logit(A) - logit(B) at the last position, A=5, B=17. Token (r, p) = (1000003 * (r * seq + p) + 12345) mod vocab,
the same ids SweepBenchmark.java uses. Model: GPT2LMHeadModel, eager attention, float32, eval,
torch.inference_mode(), use_cache=False. Prints one JSON line per timed sweep and a summary line:
{"impl":"hf-pytorch-loop","torch":..,"threads":N,"batch":B,"seq":S,"round":R,"sweep_ms":..,"passes":144,...}
"""

import argparse
import json
import statistics
import sys
import time

import torch
from transformers import GPT2LMHeadModel
from transformers.utils import logging as hf_logging

TOKEN_A = 5
TOKEN_B = 17


def peak_rss_mb(reset: bool = False) -> int:
    if reset:
        try:
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")
        except OSError:
            return -1
        return 0
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) // 1024
    return -1


def sweep(model, ids, layers):
    config = model.config
    d_head = config.n_embd // config.n_head
    values = []
    for layer in range(layers):
        c_proj = model.transformer.h[layer].attn.c_proj
        for head in range(config.n_head):
            def zero_head(module, args, lo=head * d_head, hi=(head + 1) * d_head):
                z = args[0].clone()
                z[..., lo:hi] = 0
                return (z,)

            handle = c_proj.register_forward_pre_hook(zero_head)
            try:
                logits = model(input_ids=ids, use_cache=False).logits
            finally:
                handle.remove()
            last = logits[:, -1, :]
            values.append((last[:, TOKEN_A] - last[:, TOKEN_B]).double().mean().item())
    return values


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True, help="HF checkpoint directory")
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--seq", type=int, default=32)
    ap.add_argument("--warmup-layers", type=int, default=1,
                    help="first, an untimed sweep over the heads of this many layers")
    ap.add_argument("--rounds", type=int, default=3, help="timed sweeps")
    ap.add_argument("--values-out", help="write the last sweep's results here as JSON")
    args = ap.parse_args(argv)

    hf_logging.set_verbosity_error()
    torch.set_num_threads(args.threads)
    model = GPT2LMHeadModel.from_pretrained(args.model, attn_implementation="eager", dtype=torch.float32).eval()
    vocab = model.config.vocab_size
    ids = torch.tensor([[(1_000_003 * (r * args.seq + p) + 12_345) % vocab for p in range(args.seq)]
                        for r in range(args.batch)], dtype=torch.long)

    header = {"impl": "hf-pytorch-loop", "torch": torch.__version__, "threads": args.threads,
              "batch": args.batch, "seq": args.seq}
    times = []
    with torch.inference_mode():
        if args.warmup_layers > 0:
            sweep(model, ids, args.warmup_layers)
        for r in range(args.rounds):
            peak_rss_mb(reset=True)
            t0 = time.perf_counter()
            values = sweep(model, ids, model.config.n_layer)
            ms = (time.perf_counter() - t0) * 1e3
            times.append(ms)
            print(json.dumps({**header, "round": r, "sweep_ms": round(ms, 3), "passes": len(values),
                              "peak_rss_mb": peak_rss_mb()}, separators=(",", ":")), flush=True)
    print(json.dumps({**header, "summary": True, "rounds": args.rounds,
                      "median_ms": round(statistics.median(times), 3),
                      "value_range": max(values) - min(values)}, separators=(",", ":")))
    if args.values_out:
        with open(args.values_out, "w") as f:
            json.dump({"batch": args.batch, "seq": args.seq, "values": {"hf-loop": values}}, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
