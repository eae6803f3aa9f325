#!/usr/bin/env python3
"""Load the project's tiny HF checkpoints into TransformerLens, for reference data of the analysis tools.

TransformerLens builds its config from an official hub name, which the tiny random-init checkpoints do not have, so
this module writes the `HookedTransformerConfig` from the checkpoint's own `config.json` and converts the weights
with TransformerLens's own converter for the family. `load(path, processed=False)` gives the unprocessed model
(`from_pretrained_no_processing`); `processed=True` applies TransformerLens's default weight processing (fold LN,
centre writing weights, centre unembed, fold value biases), as `from_pretrained` would. `fold_ln_only=True` folds
only the norms' gains (and biases) into the weights that read them: the residual stream, the logits and the per-head
results stay exactly HF's, while `W_U[:, t]` becomes the token's effective residual direction, which is what
`logit_attrs` and `apply_ln_to_stack` assume.

Each load checks itself: the TransformerLens logits must equal HF's within 1e-4 (log-probs, when processed).
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
from transformers import AutoModelForCausalLM
from transformer_lens import HookedTransformer, HookedTransformerConfig
from transformer_lens.pretrained import weight_conversions

_ACTIVATIONS = {"gelu_new": "gelu_new", "gelu": "gelu", "relu": "relu", "silu": "silu",
                "gelu_pytorch_tanh": "gelu_pytorch_tanh"}


def tl_config(hf: dict) -> HookedTransformerConfig:
    family = hf["model_type"]
    if family == "gpt2":
        d_model = hf["n_embd"]
        return HookedTransformerConfig(
            d_model=d_model, d_head=d_model // hf["n_head"], n_heads=hf["n_head"],
            d_mlp=hf.get("n_inner") or 4 * d_model, n_layers=hf["n_layer"], n_ctx=hf["n_positions"],
            eps=hf["layer_norm_epsilon"], d_vocab=hf["vocab_size"], act_fn=_ACTIVATIONS[hf["activation_function"]],
            normalization_type="LN", positional_embedding_type="standard", original_architecture="GPT2LMHeadModel",
            default_prepend_bos=False, dtype=torch.float32)
    if family == "llama":
        d_model = hf["hidden_size"]
        n_heads = hf["num_attention_heads"]
        d_head = hf.get("head_dim") or d_model // n_heads
        return HookedTransformerConfig(
            d_model=d_model, d_head=d_head, n_heads=n_heads, n_key_value_heads=hf.get("num_key_value_heads"),
            d_mlp=hf["intermediate_size"], n_layers=hf["num_hidden_layers"], n_ctx=hf["max_position_embeddings"],
            eps=hf["rms_norm_eps"], d_vocab=hf["vocab_size"], act_fn=_ACTIVATIONS[hf["hidden_act"]],
            normalization_type="RMS", positional_embedding_type="rotary", rotary_dim=d_head,
            rotary_base=hf.get("rope_theta", 10000.0), rotary_adjacent_pairs=False, gated_mlp=True,
            final_rms=True, original_architecture="LlamaForCausalLM", default_prepend_bos=False,
            dtype=torch.float32)
    raise ValueError(f"no TransformerLens config for model_type {family!r} yet")


def _state_dict(family: str, hf_model, cfg):
    if family == "gpt2":
        return weight_conversions.convert_gpt2_weights(hf_model, cfg)
    if family == "llama":
        return weight_conversions.convert_llama_weights(hf_model, cfg)
    raise ValueError(family)


def load(checkpoint: Path, processed: bool = False, check_tokens=None, fold_ln_only: bool = False) -> HookedTransformer:
    """The checkpoint in TransformerLens, unprocessed, with only the norms folded, or with TransformerLens's default
    weight processing."""
    checkpoint = Path(checkpoint)
    hf_config = json.loads((checkpoint / "config.json").read_text())
    hf_model = AutoModelForCausalLM.from_pretrained(checkpoint, torch_dtype=torch.float32).eval()
    cfg = tl_config(hf_config)
    model = HookedTransformer(cfg)
    model.load_and_process_state_dict(
        _state_dict(hf_config["model_type"], hf_model, cfg),
        fold_ln=processed or fold_ln_only, center_writing_weights=processed and cfg.normalization_type == "LN",
        center_unembed=processed, fold_value_biases=processed)
    model.eval()
    tokens = check_tokens if check_tokens is not None else torch.arange(min(8, cfg.n_ctx)).unsqueeze(0) % cfg.d_vocab
    with torch.no_grad():
        expected = hf_model(tokens).logits
        actual = model(tokens)
    if processed:
        expected, actual = expected.log_softmax(-1), actual.log_softmax(-1)
    gap = (expected - actual).abs().max().item()
    if gap > 1e-4:
        raise AssertionError(f"TransformerLens differs from HF on {checkpoint} by {gap} (processed={processed})")
    return model


if __name__ == "__main__":
    import sys
    for path in sys.argv[1:]:
        for processed in (False, True):
            load(Path(path), processed)
            print(f"{path}: TransformerLens equals HF (processed={processed})")
