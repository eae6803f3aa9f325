#!/usr/bin/env python3
"""Reference data for generation with hooks (`dev.arrakis.tools.generation`): what HF transformers' `generate` makes
greedily on every family's committed tiny checkpoint under `runtime/src/test/resources/reference/<case>/`.

For each case (a directory there with a `config.json`) the model is loaded in float32 with eager attention (`AutoModelForCausalLM`,
f16/bf16 weights widened; SDPA would skip Gemma 2's soft-capping and GPT-2's inverse-layer scaling, as the other
reference scripts note) and two greedy generations run with HF's default key/value cache and no stop token
(`eos_token_id=None`): one prompt alone, and a batch of two prompts of different lengths, left-padded with token 0 and
an attention mask (HF then derives `position_ids = cumsum(mask) - 1`). Prompt ids are `torch.randint(1, V)` under seed
1515. The logits every step chose from are stored too (`output_logits=True`), so a test can compare values as well as
ids, and the smallest gap between the largest and second-largest logit is printed: a gap far above float32 noise means
the greedy ids cannot flip on rounding.

Output: `runtime/src/test/resources/reference/tools/generation/<case>.safetensors`. `N` = 6 new tokens, `V` = vocab.

| key | shape | content |
|-----|-------|---------|
| `prompt` | I64 `[1, 5]` | the single prompt |
| `greedy` | I64 `[1, N]` | `generate(prompt, do_sample=False, max_new_tokens=N)` minus the prompt |
| `greedy_logits` | F32 `[N, 1, V]` | the logits of each step |
| `batch_prompts` | I64 `[2, 5]` | row 0: 5 tokens; row 1: 3 tokens after two pad tokens (id 0) |
| `batch_mask` | I64 `[2, 5]` | 1 = attended, 0 = padding |
| `batch_greedy` | I64 `[2, N]` | greedy continuation of the padded batch |
| `batch_logits` | F32 `[N, 2, V]` | the logits of each step |

Deterministic: fixed seed, one thread, deterministic algorithms. Each file is ~10-40 KB.

    python3 tools/reference/hf_generate.py            # writes runtime/src/test/resources/reference/tools/generation/
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import torch
from safetensors.torch import save_file
from transformers import AutoModelForCausalLM, GenerationConfig

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT / "runtime/src/test/resources/reference"
OUT = CASES / "tools/generation"
SEED = 1515
NEW_TOKENS = 6


def generate(model, input_ids, attention_mask):
    # No stop token: HF would otherwise take the checkpoint's eos_token_id from its generation_config.json, and
    # min_new_tokens would then forbid that token rather than let it win.
    model.generation_config.eos_token_id = None
    model.generation_config.bos_token_id = None
    config = GenerationConfig(do_sample=False, max_new_tokens=NEW_TOKENS, eos_token_id=None, pad_token_id=0,
                              bos_token_id=None, use_cache=True)
    out = model.generate(input_ids=input_ids, attention_mask=attention_mask, generation_config=config,
                         output_logits=True, return_dict_in_generate=True)
    new = out.sequences[:, input_ids.shape[1]:]
    assert new.shape[1] == NEW_TOKENS, new.shape
    logits = torch.stack(out.logits).float()
    return new.contiguous(), logits.contiguous()


def smallest_gap(logits):
    top = logits.topk(2, dim=-1).values
    return (top[..., 0] - top[..., 1]).min().item()


def main() -> None:
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    OUT.mkdir(parents=True, exist_ok=True)
    for case in sorted(p for p in CASES.iterdir() if (p / "config.json").is_file()):
        model = AutoModelForCausalLM.from_pretrained(case, attn_implementation="eager", dtype=torch.float32).eval()
        vocab = model.config.vocab_size
        generator = torch.Generator().manual_seed(SEED)
        prompt = torch.randint(1, vocab, (1, 5), generator=generator)
        short = torch.randint(1, vocab, (3,), generator=generator)
        batch = torch.stack([torch.randint(1, vocab, (5,), generator=generator),
                             torch.cat([torch.zeros(2, dtype=torch.long), short])])
        mask = torch.tensor([[1, 1, 1, 1, 1], [0, 0, 1, 1, 1]])
        with torch.no_grad():
            greedy, greedy_logits = generate(model, prompt, torch.ones_like(prompt))
            batch_greedy, batch_logits = generate(model, batch, mask)
        tensors = {"prompt": prompt, "greedy": greedy, "greedy_logits": greedy_logits,
                   "batch_prompts": batch, "batch_mask": mask, "batch_greedy": batch_greedy,
                   "batch_logits": batch_logits}
        path = OUT / f"{case.name}.safetensors"
        save_file({k: v.contiguous() for k, v in tensors.items()}, path)
        gap = min(smallest_gap(greedy_logits), smallest_gap(batch_logits))
        print(f"{case.name}: greedy {greedy.tolist()} batch {batch_greedy.tolist()} smallest top-2 gap {gap:.2e}"
              f" ({path.stat().st_size} bytes, sha256 {hashlib.sha256(path.read_bytes()).hexdigest()[:16]})")


if __name__ == "__main__":
    sys.exit(main())
