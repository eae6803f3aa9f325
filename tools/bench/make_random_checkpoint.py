#!/usr/bin/env python3
"""Write a random-init GPT-2 HF checkpoint (config.json + model.safetensors) for benchmarks.

    python3 tools/bench/make_random_checkpoint.py --out /tmp/gpt2-small-random [--preset gpt2-small]

The output (~500 MB for gpt2-small) is not committed. Weights are random (fixed seed), so only
speed, not text quality, is meaningful.
"""

import argparse
import sys
from pathlib import Path

import torch
from transformers import GPT2Config, GPT2LMHeadModel

PRESETS = {
    "gpt2-small": dict(n_layer=12, n_head=12, n_embd=768, vocab_size=50257, n_positions=1024),
    "gpt2-medium": dict(n_layer=24, n_head=16, n_embd=1024, vocab_size=50257, n_positions=1024),
    # tiny, for smoke-testing the bench scripts
    "gpt2-tiny": dict(n_layer=2, n_head=4, n_embd=64, vocab_size=1000, n_positions=128),
}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, required=True, help="output directory")
    ap.add_argument("--preset", choices=sorted(PRESETS), default="gpt2-small")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)

    torch.manual_seed(args.seed)
    config = GPT2Config(**PRESETS[args.preset])
    model = GPT2LMHeadModel(config).eval()
    args.out.mkdir(parents=True, exist_ok=True)
    # Default max_shard_size (5GB) keeps gpt2-small in a single model.safetensors.
    model.save_pretrained(str(args.out), safe_serialization=True)
    n_params = sum(p.numel() for p in model.parameters())
    size = sum(p.stat().st_size for p in args.out.iterdir() if p.is_file())
    print(f"wrote {args.preset} ({n_params / 1e6:.1f}M params, {size / 1e6:.1f} MB) to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
