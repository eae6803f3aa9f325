#!/usr/bin/env python3
"""Time HF transformers' from_pretrained of a checkpoint and one forward pass on CPU; prints one JSON line.

    python3 tools/bench/hf_load.py --model DIR [--threads 2] [--seq 128] [--dtype f32]

Loads with AutoModelForCausalLM.from_pretrained (eager attention, the given dtype, default f32), then runs one
forward pass over --seq fixed random ids (seed 0). Peak RSS is the kernel's VmHWM of this process, read after torch
is imported (start), after the load and after the pass: the same figures tools' LoadBenchmark prints. Run it in a
fresh process per measurement. Output:
{"impl":"hf-pytorch","torch":..,"threads":N,"precision":..,"weight_bytes":..,"load_ms":..,
 "peak_rss_mib_start":..,"peak_rss_mib_load":..,"peak_rss_mib_forward":..,"seq":S,"forward_ms":..}
"""

import argparse
import json
import sys
import time
from pathlib import Path

import torch
from transformers import AutoModelForCausalLM
from transformers.utils import logging as hf_logging

DTYPES = {"f32": torch.float32, "f16": torch.float16}


def peak_rss_mib() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 3)
    return -1.0


def weight_bytes(directory: Path) -> int:
    return sum(p.stat().st_size for p in directory.iterdir() if p.name.endswith(".safetensors")
               and not p.name.startswith("reference"))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True, type=Path, help="HF checkpoint directory")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seq", type=int, default=128)
    ap.add_argument("--dtype", choices=sorted(DTYPES), default="f32")
    args = ap.parse_args(argv)

    hf_logging.set_verbosity_error()
    torch.set_num_threads(args.threads)
    start_rss = peak_rss_mib()
    t0 = time.perf_counter()
    model = AutoModelForCausalLM.from_pretrained(
        str(args.model), attn_implementation="eager", dtype=DTYPES[args.dtype]).eval()
    load_ms = (time.perf_counter() - t0) * 1e3
    load_rss = peak_rss_mib()

    g = torch.Generator().manual_seed(0)
    ids = torch.randint(0, model.config.vocab_size, (1, args.seq), generator=g, dtype=torch.long)
    t0 = time.perf_counter()
    with torch.inference_mode():
        out = model(input_ids=ids, use_cache=False)
        _ = out.logits[0, 0, 0].item()
    forward_ms = (time.perf_counter() - t0) * 1e3

    result = {
        "impl": "hf-pytorch",
        "torch": torch.__version__,
        "threads": args.threads,
        "precision": args.dtype.upper(),
        "weight_bytes": weight_bytes(args.model),
        "load_ms": round(load_ms, 3),
        "peak_rss_mib_start": start_rss,
        "peak_rss_mib_load": load_rss,
        "peak_rss_mib_forward": peak_rss_mib(),
        "seq": args.seq,
        "forward_ms": round(forward_ms, 3),
    }
    print(json.dumps(result, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
