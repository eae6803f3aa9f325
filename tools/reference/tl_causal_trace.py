#!/usr/bin/env python3
"""Reference data for causal tracing (`dev.arrakis.tools.tracing`), computed in TransformerLens one cell at a time.

TransformerLens has no causal tracing of its own, so this is ROME's `causal_trace` written out with TransformerLens
hooks on `models/gpt2-tiny` loaded unprocessed (`tl_models.load(path)`: hook values are HF's): for each noise sample
the subject positions' `hook_embed` get the stored noise, and for each (layer, position) one forward pass restores the
clean activation there (`hook_resid_post` at that layer; `hook_mlp_out` / `hook_attn_out` at every layer of ROME's
window `range(max(0, l - w // 2), min(L, l - (-w // 2)))`), reading softmax(logits[-1])[answer]. No batching, so the
Java tracer's batched rows are checked against an independent, plain implementation. The noise is stored (the Java
test hands it to the tracer), drawn as `torch.randn(generator=seed 2024) * 3 * sigma`, sigma = W_E.std(unbiased=False).

Output: `runtime/src/test/resources/reference/tools/tracing/<case>.safetensors`, F32 except the I64 token tensors.
`S` = 3 samples, `s` = 2 subject positions, `p` = 8 positions, `L` = 2 layers, `d` = 64. One case, `gpt2-tiny`
(random weights): the prompt below, subject positions 1 and 2, the answer the clean run's top token.

| key | shape | meaning |
|-----|-------|---------|
| `input_ids` | I64 `[p]` | the prompt |
| `subject` | I64 `[s]` | the corrupted positions |
| `answer` | I64 `[1]` | the traced token |
| `noise` | `[S, s, d]` | the noise added at `hook_embed`, per sample and subject position |
| `sigma` | `[1]` | `W_E.std(unbiased=False)` |
| `clean`, `corrupted` | `[1]` | p(answer) clean; corrupted and nothing restored, mean over samples |
| `residual` | `[L, p]` | restored `blocks.{l}.hook_resid_post`, mean over samples |
| `mlp_window2` | `[L, p]` | restored `hook_mlp_out` over a window of 2 |
| `attention_window2` | `[L, p]` | restored `hook_attn_out` over a window of 2 |

Deterministic: fixed seed, one thread.

    python3 tools/reference/tl_causal_trace.py    # writes runtime/src/test/resources/reference/tools/tracing/
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
OUT = ROOT / "runtime/src/test/resources/reference/tools/tracing"
CASES = {
    "gpt2-tiny": ([5, 17, 99, 230, 17, 99, 230, 5], [1, 2]),
}
SAMPLES = 3
NOISE = 3.0


def window(layer: int, width: int, layers: int) -> list[int]:
    return list(range(max(0, layer - width // 2), min(layers, layer - (-width // 2))))


def probability(model, tokens, hooks, answer) -> float:
    with torch.no_grad():
        logits = model.run_with_hooks(tokens, fwd_hooks=hooks)
    return logits[0, -1].softmax(-1)[answer].item()


def corrupt_hook(noise, subject):
    def hook(activation, hook):
        activation = activation.clone()
        activation[0, subject] += noise
        return activation
    return hook


def restore_hook(clean, position):
    def hook(activation, hook):
        activation = activation.clone()
        activation[0, position] = clean[0, position]
        return activation
    return hook


def trace(model, tokens, subject, answer, cache, noise, hook_name, width):
    layers = model.cfg.n_layers
    grid = torch.zeros(layers, tokens.shape[1])
    for layer in range(layers):
        restored = [layer] if hook_name == "hook_resid_post" else window(layer, width, layers)
        for position in range(tokens.shape[1]):
            total = 0.0
            for sample in range(SAMPLES):
                hooks = [("hook_embed", corrupt_hook(noise[sample], subject))]
                hooks += [(f"blocks.{k}.{hook_name}", restore_hook(cache[f"blocks.{k}.{hook_name}"], position))
                          for k in restored]
                total += probability(model, tokens, hooks, answer)
            grid[layer, position] = total / SAMPLES
    return grid


def main() -> None:
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    OUT.mkdir(parents=True, exist_ok=True)
    for name, (prompt, subject) in CASES.items():
        model = tl_models.load(ROOT / "models" / name)
        tokens = torch.tensor([prompt])
        sigma = model.W_E.detach().std(unbiased=False).item()
        generator = torch.Generator().manual_seed(2024)
        noise = torch.randn(SAMPLES, len(subject), model.cfg.d_model, generator=generator) * NOISE * sigma
        with torch.no_grad():
            logits, cache = model.run_with_cache(tokens)
        answer = int(logits[0, -1].argmax())
        clean = probability(model, tokens, [], answer)
        corrupted = sum(probability(model, tokens, [("hook_embed", corrupt_hook(noise[s], subject))], answer)
                        for s in range(SAMPLES)) / SAMPLES
        tensors = {
            "input_ids": tokens[0].to(torch.int64),
            "subject": torch.tensor(subject, dtype=torch.int64),
            "answer": torch.tensor([answer], dtype=torch.int64),
            "noise": noise,
            "sigma": torch.tensor([sigma]),
            "clean": torch.tensor([clean]),
            "corrupted": torch.tensor([corrupted]),
            "residual": trace(model, tokens, subject, answer, cache, noise, "hook_resid_post", 1),
            "mlp_window2": trace(model, tokens, subject, answer, cache, noise, "hook_mlp_out", 2),
            "attention_window2": trace(model, tokens, subject, answer, cache, noise, "hook_attn_out", 2),
        }
        path = OUT / f"{name}.safetensors"
        save_file({k: v.contiguous() for k, v in tensors.items()}, str(path))
        print(f"{name}: answer {answer}, clean {clean:.4f}, corrupted {corrupted:.4f},"
              f" residual max {tensors['residual'].max():.4f}")
        print(hashlib.sha256(path.read_bytes()).hexdigest(), path.relative_to(ROOT), path.stat().st_size, "bytes")


if __name__ == "__main__":
    main()
