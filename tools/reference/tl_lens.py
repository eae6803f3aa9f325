#!/usr/bin/env python3
"""Reference data for the residual-stream and logit-lens tools (`dev.arrakis.tools.residual`, `.tools.lens`).

For each tiny checkpoint (GPT-2 `models/gpt2-tiny`, LLaMA-style `runtime/src/test/resources/reference/llama-gqa`) this
loads the model into TransformerLens with only the norms folded (`tl_models.load(path, fold_ln_only=True)`: residual
stream, head results and logits are HF's; `W_U[:, t]` is the token's effective residual direction), runs a fixed
batch with `run_with_cache` and writes what TransformerLens's own functions return.

Output: `runtime/src/test/resources/reference/tools/lens/<case>.safetensors`, F32 except the I64 token tensors.
`b` = 2 rows, `p` = 8 positions, `d` = d_model, `V` = d_vocab, `C` = components of the stack named.

| key | shape | TransformerLens source |
|-----|-------|------------------------|
| `input_ids` | I64 `[b, p]` | `torch.randint(V)` under seed 1313 |
| `answer_tokens`, `incorrect_tokens` | I64 `[b, p]` | random ids, the tokens `logit_attrs` reads per position |
| `accumulated` | `[L+1, b, p, d]` | `cache.accumulated_resid()` (labels `0_pre` .. `final_post`) |
| `accumulated_mid` | `[2L+1, b, p, d]` | `cache.accumulated_resid(incl_mid=True)` |
| `accumulated_layer1_mlp_input` | `[3, b, p, d]` | `cache.accumulated_resid(layer=1, mlp_input=True)` |
| `decomposed` | `[C, b, p, d]` | `cache.decompose_resid()` (`embed`, `pos_embed`, `{l}_attn_out`, `{l}_mlp_out`) |
| `decomposed_layer1_ln` | `[C, b, p, d]` | `cache.decompose_resid(layer=1, apply_ln=True)` (scale `blocks.1.ln1.hook_scale`) |
| `heads` | `[L*H+1, b, p, d]` | `cache.stack_head_results(incl_remainder=True)` (`L{l}H{h}`, `remainder`) |
| `full` | `[C, b, p, d]` | `cache.get_full_resid_decomposition(expand_neurons=False)` (heads, MLPs, embeds, `bias`) |
| `full_ln` | `[C, b, p, d]` | `cache.apply_ln_to_stack(full)` (cached `ln_final.hook_scale`, centred for LayerNorm) |
| `lens_cached` | `[L+1, b, p, V]` | `cache.apply_ln_to_stack(accumulated) @ W_U + b_U` |
| `lens_recomputed` | `[L+1, b, p, V]` | `cache.accumulated_resid(apply_ln=True) @ W_U + b_U` (recomputes `ln_final`) |
| `logit_attrs` | `[C, b, p]` | `cache.logit_attrs(full, answer_tokens)` |
| `logit_diff_attrs` | `[C, b, p]` | `cache.logit_attrs(full, answer_tokens, incorrect_tokens)` |
| `logits` | `[b, p, V]` | `model(input_ids)` |
| `loss_per_token` | `[b, p-1]` | `model.loss_fn(logits, input_ids, per_token=True)` |
| `loss_mean` | `[]` | `model.loss_fn(logits, input_ids)` |

The metadata entry `labels` holds a JSON object: each stack's key to its list of labels. Deterministic: fixed seed, one thread.

    python3 tools/reference/tl_lens.py            # writes runtime/src/test/resources/reference/tools/lens/
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import torch
from safetensors.torch import save_file

sys.path.insert(0, str(Path(__file__).parent))
import tl_models  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
CASES = {"gpt2-tiny": ROOT / "models/gpt2-tiny", "llama-gqa": ROOT / "runtime/src/test/resources/reference/llama-gqa"}
OUT = ROOT / "runtime/src/test/resources/reference/tools/lens"
SEED = 1313


def references(checkpoint: Path) -> tuple[dict, dict]:
    model = tl_models.load(checkpoint, fold_ln_only=True)
    cfg = model.cfg
    generator = torch.Generator().manual_seed(SEED)
    tokens = torch.randint(cfg.d_vocab, (2, 8), generator=generator)
    answers = torch.randint(cfg.d_vocab, (2, 8), generator=generator)
    incorrect = torch.randint(cfg.d_vocab, (2, 8), generator=generator)
    tensors, labels = {}, {}
    with torch.no_grad():
        logits, cache = model.run_with_cache(tokens)

        def stack(key, value):
            tensors[key], labels[key] = value[0].contiguous(), value[1]

        stack("accumulated", cache.accumulated_resid(return_labels=True))
        stack("accumulated_mid", cache.accumulated_resid(incl_mid=True, return_labels=True))
        stack("accumulated_layer1_mlp_input", cache.accumulated_resid(layer=1, mlp_input=True, return_labels=True))
        stack("decomposed", cache.decompose_resid(return_labels=True))
        stack("decomposed_layer1_ln", cache.decompose_resid(layer=1, apply_ln=True, return_labels=True))
        stack("heads", cache.stack_head_results(incl_remainder=True, return_labels=True))
        full, full_labels = cache.get_full_resid_decomposition(expand_neurons=False, return_labels=True)
        stack("full", (full, full_labels))
        stack("full_ln", (cache.apply_ln_to_stack(full), full_labels))
        accumulated, accumulated_labels = cache.accumulated_resid(return_labels=True)
        stack("lens_cached", (cache.apply_ln_to_stack(accumulated) @ model.W_U + model.b_U, accumulated_labels))
        stack("lens_recomputed", (cache.accumulated_resid(apply_ln=True) @ model.W_U + model.b_U, accumulated_labels))
        stack("logit_attrs", (cache.logit_attrs(full, answers), full_labels))
        stack("logit_diff_attrs", (cache.logit_attrs(full, answers, incorrect), full_labels))
        tensors["logits"] = logits.contiguous()
        tensors["loss_per_token"] = model.loss_fn(logits, tokens, per_token=True).contiguous()
        tensors["loss_mean"] = model.loss_fn(logits, tokens).reshape(())
    # the cached-scale lens of the last residual is the model's own output
    gap = (tensors["lens_cached"][-1] - logits).abs().max().item()
    assert gap < 1e-4, f"cached-scale lens of final_post differs from the logits by {gap}"
    # the full decomposition sums to the final residual
    gap = (full.sum(0) - cache["blocks.%d.hook_resid_post" % (cfg.n_layers - 1)]).abs().max().item()
    assert gap < 1e-4, f"full decomposition misses the final residual by {gap}"
    tensors.update(input_ids=tokens, answer_tokens=answers, incorrect_tokens=incorrect)
    return {k: v.float() if v.is_floating_point() else v for k, v in tensors.items()}, labels


def main() -> None:
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    OUT.mkdir(parents=True, exist_ok=True)
    for name, checkpoint in CASES.items():
        tensors, labels = references(checkpoint)
        path = OUT / f"{name}.safetensors"
        # one metadata entry: safetensors writes its metadata map in hash order, so several keys would change the
        # file's bytes from run to run
        save_file(tensors, path, metadata={"labels": json.dumps(labels, sort_keys=True)})
        size = path.stat().st_size
        assert size < 1_000_000, f"{path} is {size} bytes"
        print(f"{path.relative_to(ROOT)} {size} bytes sha256 {hashlib.sha256(path.read_bytes()).hexdigest()}")


if __name__ == "__main__":
    main()
