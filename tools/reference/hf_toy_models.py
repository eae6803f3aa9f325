#!/usr/bin/env python3
"""HF reference logits for the toy models Arrakis trains itself (`models/induction-2l`, ...).

The toy models are written by `dev.arrakis.train.ToyModels.save` in HF's GPT-2 layout; this script loads each with
HF `GPT2LMHeadModel.from_pretrained` (which refuses a checkpoint HF could not have written) and records its logits on
fixed token rows, so a Java test shows the committed model is an HF model and that Arrakis reads it as HF does.

Output: `runtime/src/test/resources/reference/toy-models/<model>.safetensors`, one file per model directory given:

| key | shape | meaning |
|-----|-------|---------|
| `input_ids` | I64 `[2, n]` | rows of tokens drawn with `torch.randint(generator=seed 2026)`; n = min(24, context) |
| `logits` | F32 `[2, n, vocab]` | HF's logits (eval mode, float32) |

Deterministic: fixed seed, one thread.

    python3 tools/reference/hf_toy_models.py models/induction-2l models/modadd-1l
"""

from __future__ import annotations

import sys
from pathlib import Path

import torch
from safetensors.torch import save_file
from transformers import GPT2LMHeadModel

OUT = Path(__file__).resolve().parents[2] / "runtime/src/test/resources/reference/toy-models"


def main(directories: list[str]) -> None:
    torch.set_num_threads(1)
    OUT.mkdir(parents=True, exist_ok=True)
    for directory in directories:
        model = GPT2LMHeadModel.from_pretrained(directory).eval()
        config = model.config
        length = min(24, config.n_positions)
        generator = torch.Generator().manual_seed(2026)
        input_ids = torch.randint(0, config.vocab_size, (2, length), generator=generator)
        with torch.no_grad():
            logits = model(input_ids).logits.float()
        target = OUT / (Path(directory).name + ".safetensors")
        save_file({"input_ids": input_ids, "logits": logits.contiguous()}, str(target))
        print(target, tuple(logits.shape))


if __name__ == "__main__":
    main(sys.argv[1:] or ["models/induction-2l", "models/modadd-1l"])
