#!/usr/bin/env python3
"""Time HF PyTorch forward passes of a causal LM (GPT-2, LLaMA, ...) on CPU; prints one JSON line.

    python3 tools/bench/hf_forward.py --model DIR --threads 8 --batch 1 --seq 128 --warmup 3 --iters 20

Model: AutoModelForCausalLM (GPT2LMHeadModel for a GPT-2 checkpoint, LlamaForCausalLM for a LLaMA one, ...), eager
attention, float32, eval, torch.inference_mode(). Input ids are
fixed random ids (seed 0). Output:
{"impl":"hf-pytorch","torch":..,"threads":N,"batch":B,"seq":S,"median_ms":..,"p10_ms":..,"p90_ms":..,"iters":I}
"""

import argparse
import json
import sys
import time

import numpy as np
import torch
from transformers import AutoModelForCausalLM
from transformers.utils import logging as hf_logging


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True, help="HF checkpoint directory")
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--seq", type=int, default=128)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--iters", type=int, default=20)
    args = ap.parse_args(argv)
    if args.iters < 1:
        ap.error("--iters must be >= 1")

    hf_logging.set_verbosity_error()
    torch.set_num_threads(args.threads)
    model = AutoModelForCausalLM.from_pretrained(args.model, attn_implementation="eager", dtype=torch.float32).eval()
    positions = getattr(model.config, "n_positions", None) or getattr(model.config, "max_position_embeddings", None)
    if positions is not None and args.seq > positions:
        ap.error(f"--seq {args.seq} > the model's {positions} positions")

    g = torch.Generator().manual_seed(0)
    ids = torch.randint(0, model.config.vocab_size, (args.batch, args.seq), generator=g, dtype=torch.long)

    times_ms = []
    with torch.inference_mode():
        for _ in range(args.warmup):
            model(input_ids=ids, use_cache=False)
        for _ in range(args.iters):
            t0 = time.perf_counter()
            out = model(input_ids=ids, use_cache=False)
            _ = out.logits[0, -1, 0].item()  # make sure the result is materialized
            times_ms.append((time.perf_counter() - t0) * 1e3)

    t = np.asarray(times_ms)
    result = {
        "impl": "hf-pytorch",
        "torch": torch.__version__,
        "threads": args.threads,
        "batch": args.batch,
        "seq": args.seq,
        "median_ms": round(float(np.median(t)), 3),
        "p10_ms": round(float(np.percentile(t, 10)), 3),
        "p90_ms": round(float(np.percentile(t, 90)), 3),
        "iters": args.iters,
    }
    print(json.dumps(result, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
