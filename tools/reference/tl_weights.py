#!/usr/bin/env python3
"""Reference data for the weight-reading tools (FactoredMatrix, circuits, composition) and weight processing.

TransformerLens 3.2.1 (tools/requirements.txt) computes every value from the committed tiny checkpoints, loaded by
`tl_models.load`. Output: `runtime/src/test/resources/reference/tools/weights/<case>-<kind>.safetensors`, all F32
except `input_ids` (I64). `L` layers, `H` query heads, `D` d_model, `d` d_head.

`<case>-circuits.safetensors`, from the UNPROCESSED model (`from_pretrained_no_processing`):
  OV.AB, QK.AB            [L, H, D, D]  `model.OV.AB`, `model.QK.AB` (GQA: K/V of the head's KV group)
  OV.S, QK.S              [L, H, d]     singular values, `FactoredMatrix.S`
  QK.U, QK.Vh             [L, H, D, d]  singular vectors, `FactoredMatrix.U` / `.Vh` (each column up to sign)
  OV.norm, QK.norm        [L, H]        `FactoredMatrix.norm()`
  OV.eigenvalues.real/.imag [L, H, d]   `FactoredMatrix.eigenvalues`, sorted by (real, imag) ascending
  composition.Q/.K/.V     [L, H, L, H]  `all_composition_scores("Q" | "K" | "V")`
`<case>-processed.safetensors`, from the PROCESSED model (`from_pretrained`'s defaults: fold LN, centre writing
weights (LayerNorm only), centre unembed, fold value biases), on `input_ids` [2, 8] (seed 13):
  logits, unprocessed_logits  [2, 8, vocab]  the processed and the unprocessed model's logits
  hook names as TransformerLens spells them: hook_embed, (hook_pos_embed), blocks.{l}.hook_resid_pre,
  hook_resid_mid, hook_resid_post, ln1.hook_normalized, ln1.hook_scale, attn.hook_q, attn.hook_k, attn.hook_v,
  attn.hook_pattern, hook_attn_out, mlp.hook_post, hook_mlp_out; ln_final.hook_normalized
  weights of the processed model: unembed.W_U, unembed.b_U, blocks.{l}.attn.b_O, blocks.{l}.mlp.b_in
  composition.Q/.K/.V     [L, H, L, H]  all_composition_scores of the processed model

Deterministic (fixed seed, one thread); writes and prints each file's size and sha256.
    python3 tools/reference/tl_weights.py            # writes runtime/src/test/resources/reference/tools/weights/
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import torch
from safetensors.torch import save_file

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tl_models  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "runtime/src/test/resources/reference/tools/weights"
CASES = {"gpt2-tiny": ROOT / "models/gpt2-tiny", "llama-gqa": ROOT / "runtime/src/test/resources/reference/llama-gqa"}


def sorted_eigenvalues(values: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Complex eigenvalues [..., d] sorted by real part, then imaginary part, for an order-free comparison."""
    real, imag = values.real.double(), values.imag.double()
    key = real * 1e6 + imag  # real parts differ by far more than 1e-6 here; imag breaks conjugate-pair ties
    order = key.argsort(-1)
    return real.gather(-1, order).float(), imag.gather(-1, order).float()


def circuits(model) -> dict[str, torch.Tensor]:
    out = {}
    for name in ("OV", "QK"):
        matrix = getattr(model, name)
        out[f"{name}.AB"] = matrix.AB
        out[f"{name}.S"] = matrix.S
        out[f"{name}.norm"] = matrix.norm()
        real, imag = sorted_eigenvalues(matrix.eigenvalues)
        out[f"{name}.eigenvalues.real"] = real
        out[f"{name}.eigenvalues.imag"] = imag
    out["QK.U"] = model.QK.U
    out["QK.Vh"] = model.QK.Vh
    out.update(composition(model))
    return out


def composition(model) -> dict[str, torch.Tensor]:
    return {f"composition.{mode}": model.all_composition_scores(mode) for mode in ("Q", "K", "V")}


def processed(path: Path, model, input_ids: torch.Tensor) -> dict[str, torch.Tensor]:
    raw = tl_models.load(path, processed=False)
    out = {"input_ids": input_ids, "unprocessed_logits": raw(input_ids)}
    logits, cache = model.run_with_cache(input_ids)
    out["logits"] = logits
    wanted = ["hook_embed", "hook_pos_embed", "ln_final.hook_normalized"]
    for layer in range(model.cfg.n_layers):
        wanted += [f"blocks.{layer}.{hook}" for hook in (
            "hook_resid_pre", "hook_resid_mid", "hook_resid_post", "ln1.hook_normalized", "ln1.hook_scale",
            "attn.hook_q", "attn.hook_k", "attn.hook_v", "attn.hook_pattern", "hook_attn_out", "mlp.hook_post",
            "hook_mlp_out")]
    out.update({name: cache[name] for name in wanted if name in cache})
    state = model.state_dict()
    out["unembed.W_U"] = state["unembed.W_U"]
    out["unembed.b_U"] = state["unembed.b_U"]
    for layer in range(model.cfg.n_layers):
        out[f"blocks.{layer}.attn.b_O"] = state[f"blocks.{layer}.attn.b_O"]
        out[f"blocks.{layer}.mlp.b_in"] = state[f"blocks.{layer}.mlp.b_in"]
    out.update(composition(model))
    return out


def write(name: str, tensors: dict[str, torch.Tensor]) -> None:
    path = OUT / name
    save_file({k: v.detach().contiguous().clone() for k, v in tensors.items()}, str(path))
    data = path.read_bytes()
    assert len(data) < 1_000_000, f"{path} is {len(data)} bytes"
    print(f"{path.relative_to(ROOT)}  {len(data)} bytes  sha256 {hashlib.sha256(data).hexdigest()}")


def main() -> None:
    torch.manual_seed(13)
    torch.set_num_threads(1)
    OUT.mkdir(parents=True, exist_ok=True)
    with torch.no_grad():
        for case, path in CASES.items():
            unprocessed = tl_models.load(path, processed=False)
            write(f"{case}-circuits.safetensors", circuits(unprocessed))
            model = tl_models.load(path, processed=True)
            vocab = model.cfg.d_vocab
            input_ids = torch.randint(0, vocab, (2, 8), generator=torch.Generator().manual_seed(13))
            write(f"{case}-processed.safetensors", processed(path, model, input_ids))


if __name__ == "__main__":
    main()
