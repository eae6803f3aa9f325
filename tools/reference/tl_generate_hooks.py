#!/usr/bin/env python3
"""What each attention hook sees during TransformerLens's cached generation, for the Java generation tools.

Runs `HookedTransformer.generate(..., use_past_kv_cache=True, do_sample=False)` (TransformerLens 3.2.1) on the rotary
GQA checkpoint `runtime/src/test/resources/reference/llama-gqa`, loaded unprocessed by `tl_models.load`, with hooks on
every attention hook point of both layers recording the shape each forward pass hands them. TransformerLens caches
keys and values BEFORE rotary (the cache entry holds hook_k/hook_v outputs) and rotates the whole key sequence each
step, so at a cached step hook_k and hook_v see the new position only and hook_rot_k sees every position.

Writes `runtime/src/test/resources/reference/tools/generation/tl-hooks/llama-gqa.safetensors`
(all little-endian, as safetensors is):
- `prompt`: int64 `[2, 5]`, two prompts of equal length (no padding), numpy seed 29 over the vocabulary.
- `generated`: int64 `[2, 5 + 4]`, the prompt and 4 greedy tokens (`stop_at_eos=False`).
- `shapes/blocks.<L>.attn.<hook>`: int64 `[passes, rank]`, the shape the hook saw at each of the 4 forward passes
  (pass 0 is the prompt, passes 1-3 are the cached steps; the last token is never run), for L in 0, 1 and hook in
  hook_q, hook_k, hook_v, hook_rot_q, hook_rot_k, hook_attn_scores, hook_pattern, hook_z.
- `rot_k/pass<P>/blocks.<L>`: float32 `[2, keys, kv_head, d_head]`, what hook_rot_k saw at pass P = 2 (7 keys).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from safetensors.torch import save_file

import tl_models

ROOT = Path(__file__).resolve().parents[2]
CHECKPOINT = ROOT / "runtime/src/test/resources/reference/llama-gqa"
OUT = ROOT / "runtime/src/test/resources/reference/tools/generation/tl-hooks"
HOOKS = ("hook_q", "hook_k", "hook_v", "hook_rot_q", "hook_rot_k", "hook_attn_scores", "hook_pattern", "hook_z")
PROMPT_LENGTH, NEW_TOKENS, VALUES_AT_PASS = 5, 4, 2


def main() -> None:
    model = tl_models.load(CHECKPOINT)
    prompt = torch.tensor(np.random.default_rng(29).integers(0, model.cfg.d_vocab, (2, PROMPT_LENGTH)))
    shapes: dict[str, list[list[int]]] = {}
    passes = {"count": 0}
    values: dict[str, torch.Tensor] = {}

    def record(activation, hook):
        shapes.setdefault(hook.name, []).append(list(activation.shape))
        if hook.name.endswith("hook_rot_k") and len(shapes[hook.name]) - 1 == VALUES_AT_PASS:
            layer = hook.name.split(".")[1]
            values[f"rot_k/pass{VALUES_AT_PASS}/blocks.{layer}"] = activation.detach().clone().float().contiguous()
        return activation

    names = [f"blocks.{layer}.attn.{hook}" for layer in range(model.cfg.n_layers) for hook in HOOKS]
    with torch.no_grad(), model.hooks(fwd_hooks=[(name, record) for name in names]):
        generated = model.generate(prompt, max_new_tokens=NEW_TOKENS, do_sample=False, use_past_kv_cache=True,
                                   stop_at_eos=False, verbose=False, return_type="tokens")
    tensors = {"prompt": prompt.to(torch.int64).contiguous(), "generated": generated.to(torch.int64).contiguous()}
    for name in names:
        tensors[f"shapes/{name}"] = torch.tensor(shapes[name], dtype=torch.int64)
    tensors.update(values)
    OUT.mkdir(parents=True, exist_ok=True)
    save_file(tensors, str(OUT / "llama-gqa.safetensors"))
    for name in names:
        print(name, shapes[name])
    print("generated", generated.tolist())


if __name__ == "__main__":
    main()
