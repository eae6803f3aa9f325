#!/usr/bin/env python3
"""Reference data for the gradient tools (`dev.arrakis.tools.gradients`) and attribution patching
(`dev.arrakis.tools.patching`).

For each tiny checkpoint (GPT-2 `models/gpt2-tiny`, LLaMA-style `runtime/src/test/resources/reference/llama-gqa`),
loaded unprocessed by `tl_models.load`, this runs a clean and a corrupted batch, takes the metric
`mean_r(logits[r, -1, correct[r]] - logits[r, -1, incorrect[r]])` on the corrupted run, and records the gradient
TransformerLens's own backward hooks (`model.add_hook(name, fn, dir="bwd")`) receive at each hook point, then the
attribution-patching grids `(clean - corrupted) * grad` summed as the Java tool sums them.

Output: `runtime/src/test/resources/reference/tools/gradients/<case>.safetensors`, F32 except the I64 tokens.
`b` = 2 rows, `p` = 8 positions, `L` layers, `H` heads.

| key | shape | what |
|-----|-------|------|
| `clean`, `corrupted` | I64 `[b, p]` | random ids (seed 2024); corrupted = clean with positions 4..7 redrawn |
| `correct`, `incorrect` | I64 `[b]` | the metric's tokens |
| `metric_clean`, `metric_corrupted` | `[]` | the metric on each run |
| `act/<hook>` | the hook's shape | the corrupted run's activation at `<hook>` |
| `grad/<hook>` | the hook's shape | d metric / d activation from a TransformerLens backward hook on the corrupted run |
| `attr/resid_pre`, `attr/attn_out`, `attr/mlp_out` | `[L, p]` | sum over rows and d_model of `(clean - corrupted) * grad` |
| `attr/z` | `[L, H]` | `hook_z`, summed over rows, positions and d_head |
| `attr/z_by_pos` | `[L, H, p]` | `hook_z`, summed over rows and d_head |

`<hook>` is `hook_embed` and, for every layer l, `blocks.l.hook_resid_pre`, `blocks.l.attn.hook_z`,
`blocks.l.hook_attn_out`, `blocks.l.hook_mlp_out`, and `blocks.1.attn.hook_pattern`. Deterministic: fixed seed, one
thread; each file is well under 1 MB.

    python3 tools/reference/tl_gradients.py      # writes runtime/src/test/resources/reference/tools/gradients/
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import torch
from safetensors.torch import save_file

sys.path.insert(0, str(Path(__file__).parent))
import tl_models  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
CASES = {"gpt2-tiny": ROOT / "models/gpt2-tiny", "llama-gqa": ROOT / "runtime/src/test/resources/reference/llama-gqa"}
OUT = ROOT / "runtime/src/test/resources/reference/tools/gradients"
SEED = 2024


def hooks(n_layers: int) -> list[str]:
    names = ["hook_embed"]
    for layer in range(n_layers):
        names += [f"blocks.{layer}.hook_resid_pre", f"blocks.{layer}.attn.hook_z", f"blocks.{layer}.hook_attn_out",
                  f"blocks.{layer}.hook_mlp_out"]
    return names + ["blocks.1.attn.hook_pattern"]


def references(checkpoint: Path) -> dict:
    model = tl_models.load(checkpoint)
    cfg = model.cfg
    generator = torch.Generator().manual_seed(SEED)
    clean = torch.randint(cfg.d_vocab, (2, 8), generator=generator)
    corrupted = clean.clone()
    corrupted[:, 4:] = torch.randint(cfg.d_vocab, (2, 4), generator=generator)
    correct = torch.randint(cfg.d_vocab, (2,), generator=generator)
    incorrect = (correct + 1 + torch.randint(cfg.d_vocab - 1, (2,), generator=generator)) % cfg.d_vocab

    def metric(logits):
        last = logits[:, -1, :]
        rows = torch.arange(last.shape[0])
        return (last[rows, correct] - last[rows, incorrect]).mean()

    names = hooks(cfg.n_layers)
    with torch.no_grad():
        clean_logits, clean_cache = model.run_with_cache(clean, names_filter=lambda name: name in names)

    activations, gradients = {}, {}

    def forward_hook(activation, hook):
        activations[hook.name] = activation.detach().clone()

    def backward_hook(gradient, hook):
        gradients[hook.name] = gradient.detach().clone()

    for name in names:
        model.add_hook(name, forward_hook, dir="fwd")
        model.add_hook(name, backward_hook, dir="bwd")
    try:
        value = metric(model(corrupted))
        value.backward()
    finally:
        model.reset_hooks()
    assert set(gradients) == set(names), f"backward hooks reached {sorted(gradients)}"

    tensors = {"clean": clean, "corrupted": corrupted, "correct": correct, "incorrect": incorrect,
               "metric_clean": metric(clean_logits).reshape(()), "metric_corrupted": value.detach().reshape(())}
    for name in names:
        tensors[f"act/{name}"] = activations[name]
        tensors[f"grad/{name}"] = gradients[name]

    def effect(name):
        return (clean_cache[name] - activations[name]) * gradients[name]

    layers = range(cfg.n_layers)
    for grid, hook in (("resid_pre", "hook_resid_pre"), ("attn_out", "hook_attn_out"), ("mlp_out", "hook_mlp_out")):
        tensors[f"attr/{grid}"] = torch.stack([effect(f"blocks.{l}.{hook}").sum(dim=(0, 2)) for l in layers])
    z = [effect(f"blocks.{l}.attn.hook_z") for l in layers]  # [b, p, H, d_head]
    tensors["attr/z"] = torch.stack([e.sum(dim=(0, 1, 3)) for e in z])
    tensors["attr/z_by_pos"] = torch.stack([e.sum(dim=(0, 3)).transpose(0, 1) for e in z])
    return {k: v.float().contiguous() if v.is_floating_point() else v.contiguous() for k, v in tensors.items()}


def main() -> None:
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    OUT.mkdir(parents=True, exist_ok=True)
    for name, checkpoint in CASES.items():
        path = OUT / f"{name}.safetensors"
        save_file(references(checkpoint), path)
        size = path.stat().st_size
        assert size < 1_000_000, f"{path} is {size} bytes"
        print(f"{path.relative_to(ROOT)} {size} bytes sha256 {hashlib.sha256(path.read_bytes()).hexdigest()}")


if __name__ == "__main__":
    main()
