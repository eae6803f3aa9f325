#!/usr/bin/env python3
"""Build tiny random-init HF checkpoints of several model families plus reference activations.

For every case in CASES this writes, into <out>/<case>/ (default
runtime/src/test/resources/reference/<case>/):

  * the checkpoint: `save_pretrained` of the `*ForCausalLM` model (config.json,
    generation_config.json, model.safetensors),
  * reference.safetensors         - input_ids, logits and per-layer hooks (resid_pre/post,
                                    attention pattern, q/k/v before and after rotary)
  * reference-padded.safetensors  - a left-padded batch with attention_mask / position_ids

It complements make_gpt2_references.py (same helpers, same determinism, same file conventions)
and does not touch the GPT-2 cases. The output is deterministic: running the script twice gives
byte-identical files. See tools/reference/README.md ("Other families") for the format.

Every case checks itself: the attention pattern is recomputed from the captured (rotated) q/k
with the family's scale / softcap / sliding-window rule, the rotated q/k are recomputed from the
pre-rotary q/k with an independent implementation of the family's RoPE variant (inv_freq formula,
attention factor, partial rotary), the padded batch is compared with unpadded runs, the case
directory is reloaded with from_pretrained, and its size is checked.
"""

from __future__ import annotations

import importlib
import json
import math
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

sys.path.insert(0, str(Path(__file__).resolve().parent))

import torch  # noqa: E402
from transformers import (  # noqa: E402
    AutoModelForCausalLM,
    Gemma2Config,
    Gemma2ForCausalLM,
    GemmaConfig,
    GemmaForCausalLM,
    GPTNeoConfig,
    GPTNeoForCausalLM,
    GPTNeoXConfig,
    GPTNeoXForCausalLM,
    LlamaConfig,
    LlamaForCausalLM,
    MistralConfig,
    MistralForCausalLM,
    Phi3Config,
    Phi3ForCausalLM,
    Qwen2Config,
    Qwen2ForCausalLM,
    StableLmConfig,
    StableLmForCausalLM,
)

from make_gpt2_references import (  # noqa: E402
    DATA_SEED,
    DTYPES,
    PAD_LEFT,
    PADDED_TOL,
    SEQ,
    check_reload_and_size,
    make_deterministic,
    max_abs_diff,
    padded_reference,
    parse_command_line,
    print_sha256,
    print_stats,
    random_ids,
    save_tensors,
    select_cases,
    write_json,
)

VOCAB = 256
PATTERN_TOL = 1e-5  # recomputed attention pattern vs HF's
ROTARY_TOL = 1e-4  # independent (float64) RoPE vs HF's float32 RoPE, relative to max |q|

# ---------------------------------------------------------------------------------------------
# Families
# ---------------------------------------------------------------------------------------------


@dataclass
class Dims:
    n_heads: int
    n_kv_heads: int
    d_head: int
    rotary_dim: int  # 0: no rotary (learned absolute positions)


@dataclass
class Family:
    name: str
    model_cls: type
    config_cls: type
    modeling: Optional[str]  # module whose global apply_rotary_pos_emb is patched; None = no rotary
    layers: Callable[[torch.nn.Module], list]
    dims: Callable[[object], Dims]
    # registers hooks on one decoder layer storing pre-rotary q/k/v as [b, p, heads, d_head]
    qkv_hooks: Callable[[torch.nn.Module, object, Dims, Callable[[str, torch.Tensor], None]], list]
    # per layer: (scale, softcap or None, sliding window or None); key j is kept iff i - window < j <= i
    attn_spec: Callable[[object, int, Dims], tuple[float, Optional[float], Optional[int]]]
    gemma_norm: bool = False  # RMSNorm computes x * (1 + w): randomise w around 0


def _heads(x: torch.Tensor, n: int, d: int) -> torch.Tensor:
    return x.detach().float().reshape(*x.shape[:-1], n, d).clone()


def _linear_hooks(q, k, v, dims: Dims, store):
    def mk(name, n):
        return lambda _m, _i, out: store(name, _heads(out, n, dims.d_head))

    return [
        q.register_forward_hook(mk("hook_q", dims.n_heads)),
        k.register_forward_hook(mk("hook_k", dims.n_kv_heads)),
        v.register_forward_hook(mk("hook_v", dims.n_kv_heads)),
    ]


def qkv_separate(layer, _cfg, dims, store):
    a = layer.self_attn
    return _linear_hooks(a.q_proj, a.k_proj, a.v_proj, dims, store)


def qkv_gpt_neo(layer, _cfg, dims, store):
    a = layer.attn.attention
    return _linear_hooks(a.q_proj, a.k_proj, a.v_proj, dims, store)


def qkv_gpt_neox(layer, _cfg, dims, store):
    # query_key_value output is per-head interleaved: [b, p, heads, (q | k | v) * d_head]
    def hook(_m, _i, out):
        qkv = out.detach().float().reshape(*out.shape[:-1], dims.n_heads, 3 * dims.d_head)
        q, k, v = qkv.chunk(3, dim=-1)
        store("hook_q", q.clone())
        store("hook_k", k.clone())
        store("hook_v", v.clone())

    return [layer.attention.query_key_value.register_forward_hook(hook)]


def qkv_phi3(layer, _cfg, dims, store):
    # qkv_proj output is [q (heads*d) | k (kv*d) | v (kv*d)]
    def hook(_m, _i, out):
        nq, nk = dims.n_heads * dims.d_head, dims.n_kv_heads * dims.d_head
        q, k, v = out.detach().float().split([nq, nk, nk], dim=-1)
        store("hook_q", _heads(q, dims.n_heads, dims.d_head))
        store("hook_k", _heads(k, dims.n_kv_heads, dims.d_head))
        store("hook_v", _heads(v, dims.n_kv_heads, dims.d_head))

    return [layer.self_attn.qkv_proj.register_forward_hook(hook)]


def dims_gpt_neo(cfg):
    d = cfg.hidden_size // cfg.num_heads
    return Dims(cfg.num_heads, cfg.num_heads, d, 0)


def dims_gpt_neox(cfg):
    d = cfg.hidden_size // cfg.num_attention_heads
    return Dims(cfg.num_attention_heads, cfg.num_attention_heads, d, int(d * cfg.rotary_pct))


def dims_llama_like(cfg):
    d = getattr(cfg, "head_dim", None) or cfg.hidden_size // cfg.num_attention_heads
    return Dims(cfg.num_attention_heads, cfg.num_key_value_heads, d, d)


def dims_partial(cfg):  # phi3 / stablelm: head_dim = hidden / heads, rotary on the first fraction
    d = cfg.hidden_size // cfg.num_attention_heads
    return Dims(cfg.num_attention_heads, cfg.num_key_value_heads, d, int(d * cfg.partial_rotary_factor))


def spec_gpt_neo(cfg, l, _dims):
    # GPT-Neo does NOT scale the scores by 1/sqrt(d_head).
    return 1.0, None, cfg.window_size if cfg.attention_layers[l] == "local" else None


def spec_plain(_cfg, _l, dims):
    return dims.d_head**-0.5, None, None


def spec_all_sliding(cfg, _l, dims):  # mistral, phi3: config.sliding_window applies to every layer
    return dims.d_head**-0.5, None, cfg.sliding_window


def spec_layer_types(cfg, l, dims):  # qwen2
    return dims.d_head**-0.5, None, cfg.sliding_window if cfg.layer_types[l] == "sliding_attention" else None


def spec_gemma2(cfg, l, _dims):
    window = cfg.sliding_window if cfg.layer_types[l] == "sliding_attention" else None
    return cfg.query_pre_attn_scalar**-0.5, cfg.attn_logit_softcapping, window


def layers_model(m):
    return list(m.model.layers)


FAMILIES = {
    "gpt_neo": Family(
        "gpt_neo", GPTNeoForCausalLM, GPTNeoConfig, None, lambda m: list(m.transformer.h), dims_gpt_neo,
        qkv_gpt_neo, spec_gpt_neo,
    ),
    "gpt_neox": Family(
        "gpt_neox", GPTNeoXForCausalLM, GPTNeoXConfig, "transformers.models.gpt_neox.modeling_gpt_neox",
        lambda m: list(m.gpt_neox.layers), dims_gpt_neox, qkv_gpt_neox, spec_plain,
    ),
    "llama": Family(
        "llama", LlamaForCausalLM, LlamaConfig, "transformers.models.llama.modeling_llama", layers_model,
        dims_llama_like, qkv_separate, spec_plain,
    ),
    "mistral": Family(
        "mistral", MistralForCausalLM, MistralConfig, "transformers.models.mistral.modeling_mistral", layers_model,
        dims_llama_like, qkv_separate, spec_all_sliding,
    ),
    "qwen2": Family(
        "qwen2", Qwen2ForCausalLM, Qwen2Config, "transformers.models.qwen2.modeling_qwen2", layers_model,
        dims_llama_like, qkv_separate, spec_layer_types,
    ),
    "gemma": Family(
        "gemma", GemmaForCausalLM, GemmaConfig, "transformers.models.gemma.modeling_gemma", layers_model,
        dims_llama_like, qkv_separate, spec_plain, gemma_norm=True,
    ),
    "gemma2": Family(
        "gemma2", Gemma2ForCausalLM, Gemma2Config, "transformers.models.gemma2.modeling_gemma2", layers_model,
        dims_llama_like, qkv_separate, spec_gemma2, gemma_norm=True,
    ),
    "phi3": Family(
        "phi3", Phi3ForCausalLM, Phi3Config, "transformers.models.phi3.modeling_phi3", layers_model,
        dims_partial, qkv_phi3, spec_all_sliding,
    ),
    "stablelm": Family(
        "stablelm", StableLmForCausalLM, StableLmConfig, "transformers.models.stablelm.modeling_stablelm",
        layers_model, dims_partial, qkv_separate, spec_plain,
    ),
}


def randomize(model: torch.nn.Module, gemma_norm: bool) -> None:
    """After HF init, under the case seed: norm weights / biases away from their trivial init."""
    with torch.no_grad():
        for _, module in model.named_modules():
            if isinstance(module, torch.nn.LayerNorm):
                if module.weight is not None:
                    module.weight.uniform_(0.5, 1.5)
                if module.bias is not None:
                    module.bias.copy_(torch.randn_like(module.bias) * 0.1)
            elif type(module).__name__.endswith("RMSNorm"):
                if gemma_norm:  # x * (1 + w)
                    module.weight.uniform_(-0.5, 0.5)
                else:
                    module.weight.uniform_(0.5, 1.5)
            elif isinstance(module, torch.nn.Linear) and module.bias is not None:
                module.bias.copy_(torch.randn_like(module.bias) * 0.1)


# ---------------------------------------------------------------------------------------------
# Independent RoPE (float64) used to check HF's rotated q/k
# ---------------------------------------------------------------------------------------------


def rope_type(cfg) -> str:
    rs = getattr(cfg, "rope_scaling", None)
    if not isinstance(rs, dict):
        return "default"
    return rs.get("rope_type", rs.get("type"))


def rope_inv_freq(cfg, dims: Dims, seq_len: int) -> tuple[torch.Tensor, float, str]:
    """inv_freq [rotary_dim/2] (float64), attention factor, and a description. seq_len = max(position_ids) + 1."""
    base = float(cfg.rope_theta)
    dim = dims.rotary_dim
    exps = torch.arange(0, dim, 2, dtype=torch.float64) / dim
    kind = rope_type(cfg)
    rs = getattr(cfg, "rope_scaling", None)
    if kind == "default":
        return base**-exps, 1.0, "default"
    if kind == "linear":
        return base**-exps / rs["factor"], 1.0, f"linear: inv_freq / {rs['factor']}"
    if kind == "dynamic":
        max_pos = cfg.max_position_embeddings
        factor = rs["factor"]
        if seq_len > max_pos:
            new_base = base * ((factor * seq_len / max_pos) - (factor - 1)) ** (dim / (dim - 2))
        else:
            new_base = base
        return new_base**-exps, 1.0, f"dynamic: seq_len {seq_len} vs max_position_embeddings {max_pos} -> base {new_base:.3f}"
    if kind == "llama3":
        inv = base**-exps
        factor, lo, hi = rs["factor"], rs["low_freq_factor"], rs["high_freq_factor"]
        old = rs["original_max_position_embeddings"]
        low_wl, high_wl = old / lo, old / hi
        out, regimes = [], []
        for f in inv.tolist():
            wl = 2 * math.pi / f
            if wl < high_wl:
                out.append(f)
                regimes.append(f"wavelen {wl:.2f} < {high_wl:g}: kept")
            elif wl > low_wl:
                out.append(f / factor)
                regimes.append(f"wavelen {wl:.2f} > {low_wl:g}: / factor")
            else:
                s = (old / wl - lo) / (hi - lo)
                out.append((1 - s) * f / factor + s * f)
                regimes.append(f"wavelen {wl:.2f} in [{high_wl:g}, {low_wl:g}]: smoothed (s={s:.4f})")
        return torch.tensor(out, dtype=torch.float64), 1.0, "llama3: " + "; ".join(regimes)
    if kind == "longrope":
        orig = cfg.original_max_position_embeddings
        factor = cfg.max_position_embeddings / orig
        af = 1.0 if factor <= 1.0 else math.sqrt(1 + math.log(factor) / math.log(orig))
        which = "long_factor" if seq_len > orig else "short_factor"
        ext = torch.tensor(rs[which], dtype=torch.float64)
        return 1.0 / (ext * base**exps), af, (
            f"longrope: seq_len {seq_len} vs original_max_position_embeddings {orig} -> {which}, "
            f"attention_factor sqrt(1 + ln({factor:g}) / ln({orig})) = {af:.6f}"
        )
    if kind == "yarn":
        factor = rs["factor"]
        orig = rs.get("original_max_position_embeddings") or cfg.max_position_embeddings
        af = rs.get("attention_factor") or (1.0 if factor <= 1 else 0.1 * math.log(factor) + 1.0)
        beta_fast, beta_slow = rs.get("beta_fast") or 32, rs.get("beta_slow") or 1

        def correction_dim(rotations):
            return dim * math.log(orig / (rotations * 2 * math.pi)) / (2 * math.log(base))

        low = max(math.floor(correction_dim(beta_fast)), 0)
        high = min(math.ceil(correction_dim(beta_slow)), dim - 1)
        if low == high:
            high += 0.001
        ramp = ((torch.arange(dim // 2, dtype=torch.float64) - low) / (high - low)).clamp(0, 1)
        extrapolation = 1 - ramp
        inv = base**-exps
        out = inv / factor * (1 - extrapolation) + inv * extrapolation
        return out, af, (
            f"yarn: factor {factor}, original {orig}, ramp over dims [{low}, {high}] -> extrapolation weights "
            f"{[round(x, 3) for x in extrapolation.tolist()]}, attention_factor 0.1 ln({factor:g}) + 1 = {af:.6f}"
        )
    raise ValueError(kind)


def apply_rope(x: torch.Tensor, pos: torch.Tensor, inv_freq: torch.Tensor, af: float, rd: int) -> torch.Tensor:
    """x [b, p, h, d] (rotate-half on the first rd dims), pos [b, p]."""
    x = x.double()
    ang = pos.double()[..., None] * inv_freq  # [b, p, rd/2]
    cos = torch.cat([ang.cos(), ang.cos()], -1)[:, :, None, :] * af
    sin = torch.cat([ang.sin(), ang.sin()], -1)[:, :, None, :] * af
    xr, xp = x[..., :rd], x[..., rd:]
    half = rd // 2
    rot = torch.cat([-xr[..., half:], xr[..., :half]], -1)
    return torch.cat([xr * cos + rot * sin, xp], -1)


# ---------------------------------------------------------------------------------------------
# Capture
# ---------------------------------------------------------------------------------------------


def repeat_kv(x: torch.Tensor, n_heads: int) -> torch.Tensor:  # [b, p, kv, d] -> [b, p, heads, d]
    return x.repeat_interleave(n_heads // x.shape[2], dim=2)


def recompute_pattern(q, k, scale, softcap, window):
    """q [b, p, h, d], k [b, p, kv, d] -> (pattern [b, h, p, p], pre-softcap scores, keep mask)."""
    k = repeat_kv(k, q.shape[2])
    scores = torch.einsum("bihd,bjhd->bhij", q.double(), k.double()) * scale
    raw = scores
    if softcap is not None:
        scores = softcap * torch.tanh(scores / softcap)
    p = q.shape[1]
    i = torch.arange(p)[:, None]
    j = torch.arange(p)[None, :]
    keep = j <= i
    if window is not None:
        keep = keep & (i - j < window)
    scores = scores.masked_fill(~keep, float("-inf"))
    return scores.softmax(-1).float(), raw, keep


def capture(fam: Family, model: torch.nn.Module, ids: torch.Tensor) -> tuple[dict, dict]:
    cfg = model.config
    dims = fam.dims(cfg)
    layers = fam.layers(model)
    n_layers = len(layers)
    acts: dict[str, torch.Tensor] = {}
    extra: dict[str, object] = {}
    handles = []

    def first(x):
        return x[0] if isinstance(x, (tuple, list)) else x

    for l, layer in enumerate(layers):
        b = f"blocks.{l}"

        def pre(_m, args, kwargs, b=b):
            x = args[0] if args else kwargs["hidden_states"]
            acts[f"{b}.hook_resid_pre"] = x.detach().float().clone()

        def post(_m, _inp, out, b=b):
            acts[f"{b}.hook_resid_post"] = first(out).detach().float().clone()

        handles.append(layer.register_forward_pre_hook(pre, with_kwargs=True))
        handles.append(layer.register_forward_hook(post))

        def store(name, t, b=b):
            assert f"{b}.attn.{name}" not in acts
            acts[f"{b}.attn.{name}"] = t

        handles += fam.qkv_hooks(layer, cfg, dims, store)

    lm_head = model.get_output_embeddings()
    handles.append(lm_head.register_forward_hook(lambda _m, _i, out: extra.__setitem__("lm_head_out", out.detach().float().clone())))

    rot_calls = []
    mod = importlib.import_module(fam.modeling) if fam.modeling else None
    if mod is not None:
        orig = mod.apply_rotary_pos_emb

        def patched(q, k, cos, sin, *args, **kwargs):
            q_out, k_out = orig(q, k, cos, sin, *args, **kwargs)
            rot_calls.append(tuple(t.detach().float().transpose(1, 2).clone() for t in (q, k, q_out, k_out)))
            return q_out, k_out

        mod.apply_rotary_pos_emb = patched
    try:
        with torch.no_grad():
            out = model(input_ids=ids, output_attentions=True)
    finally:
        if mod is not None:
            mod.apply_rotary_pos_emb = orig
        for h in handles:
            h.remove()

    assert out.attentions is not None and len(out.attentions) == n_layers, "attentions"
    for l, pattern in enumerate(out.attentions):
        acts[f"blocks.{l}.attn.hook_pattern"] = pattern.detach().float().clone()
    acts["logits"] = out.logits.detach().float().clone()

    pos = torch.arange(SEQ).expand(ids.shape[0], SEQ)
    if mod is not None:
        assert len(rot_calls) == n_layers, f"apply_rotary_pos_emb called {len(rot_calls)}x for {n_layers} layers"
        inv_freq, af, desc = rope_inv_freq(cfg, dims, SEQ)
        extra["rope"] = desc
        for l, (q_in, k_in, q_out, k_out) in enumerate(rot_calls):
            b = f"blocks.{l}.attn"
            w = q_in.shape[-1]  # StableLM passes only the rotary slice
            assert w in (dims.d_head, dims.rotary_dim), (w, dims)
            assert max_abs_diff(q_in, acts[f"{b}.hook_q"][..., :w]) == 0, "hook_q != rotary input"
            assert max_abs_diff(k_in, acts[f"{b}.hook_k"][..., :w]) == 0, "hook_k != rotary input"
            acts[f"{b}.hook_rot_q"] = torch.cat([q_out, acts[f"{b}.hook_q"][..., w:]], -1)
            acts[f"{b}.hook_rot_k"] = torch.cat([k_out, acts[f"{b}.hook_k"][..., w:]], -1)
            for name in ("q", "k"):
                x, y = acts[f"{b}.hook_{name}"], acts[f"{b}.hook_rot_{name}"]
                ref = apply_rope(x, pos, inv_freq, af, dims.rotary_dim)
                d = max_abs_diff(ref, y) / max(1.0, y.abs().max().item())
                assert d < ROTARY_TOL, f"layer {l} rot_{name}: independent RoPE differs by {d}"
                if dims.rotary_dim < dims.d_head:  # the un-rotated part passes through unchanged
                    assert torch.equal(x[..., dims.rotary_dim :], y[..., dims.rotary_dim :])

    # Recompute every attention pattern from the captured (rotated) q / k.
    softcap_stats = []
    for l in range(n_layers):
        b = f"blocks.{l}.attn"
        q = acts.get(f"{b}.hook_rot_q", acts[f"{b}.hook_q"])
        k = acts.get(f"{b}.hook_rot_k", acts[f"{b}.hook_k"])
        scale, softcap, window = fam.attn_spec(cfg, l, dims)
        pattern, raw, keep = recompute_pattern(q, k, scale, softcap, window)
        d = max_abs_diff(pattern, acts[f"{b}.hook_pattern"])
        assert d < PATTERN_TOL, f"layer {l}: recomputed pattern differs by {d} (scale {scale}, window {window})"
        if window is not None:  # the window really cuts: some causal key is masked
            assert window < SEQ
        if softcap is not None:
            vals = raw.masked_select(keep.expand_as(raw)).abs()
            softcap_stats.append(f"L{l}: {(vals > softcap).float().mean().item():.3f} of |scores|>{softcap:g} (max {vals.max().item():.2f})")
    extra["attn_specs"] = [fam.attn_spec(cfg, l, dims) for l in range(n_layers)]
    if softcap_stats:
        extra["softcap"] = "; ".join(softcap_stats)
    final_cap = getattr(cfg, "final_logit_softcapping", None)
    if final_cap is not None:
        raw = extra["lm_head_out"]
        assert max_abs_diff(final_cap * torch.tanh(raw / final_cap), acts["logits"]) < 1e-5
        extra["final_softcap"] = f"{(raw.abs() > final_cap).float().mean().item():.3f} of |logits|>{final_cap:g} before cap (max {raw.abs().max().item():.2f})"
    return acts, extra


# ---------------------------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------------------------


@dataclass
class Case:
    name: str
    family: str
    config: dict
    seed: int
    init_range: float = 0.15
    dtype: str = "float32"
    exercises: str = ""
    padded_row0_exact: bool = True  # False for dynamic NTK rope (depends on the batch's longest position)


LLAMA_BASE = dict(
    vocab_size=VOCAB,
    hidden_size=64,
    num_attention_heads=4,
    num_key_value_heads=2,
    head_dim=16,
    num_hidden_layers=2,
    intermediate_size=96,
    hidden_act="silu",
    rope_theta=10000.0,
    rope_scaling=None,
    rms_norm_eps=1e-5,
    max_position_embeddings=32,
    tie_word_embeddings=False,
    attention_bias=False,
    mlp_bias=False,
    bos_token_id=1,
    eos_token_id=2,
)


def llama(**kw):
    return {**LLAMA_BASE, **kw}


NEOX_BASE = dict(
    vocab_size=VOCAB,
    hidden_size=64,
    num_attention_heads=4,
    num_hidden_layers=2,
    intermediate_size=128,
    hidden_act="gelu",
    max_position_embeddings=32,
    rotary_emb_base=10000,
    layer_norm_eps=1e-5,
    attention_bias=True,
    tie_word_embeddings=False,
    bos_token_id=0,
    eos_token_id=0,
)

STABLELM_BASE = dict(
    vocab_size=VOCAB,
    hidden_size=64,
    num_attention_heads=4,
    num_hidden_layers=2,
    intermediate_size=128,
    hidden_act="silu",
    max_position_embeddings=32,
    rope_theta=10000,
    layer_norm_eps=1e-5,
    qk_layernorm=False,
    tie_word_embeddings=False,
    bos_token_id=0,
    eos_token_id=0,
)

CASES = [
    Case(
        "gpt-neo-local", "gpt_neo",
        dict(
            vocab_size=VOCAB, num_layers=4, attention_types=[[["global", "local"], 2]], window_size=3,
            num_heads=4, hidden_size=64, intermediate_size=128, max_position_embeddings=32,
            activation_function="gelu_new", layer_norm_epsilon=1e-5, tie_word_embeddings=True,
            bos_token_id=0, eos_token_id=0,
        ),
        seed=11, init_range=0.1, exercises="alternating global/local attention (window 3), no 1/sqrt(d) scale, learned positions",
    ),
    Case(
        "gpt-neox-parallel", "gpt_neox",
        dict(NEOX_BASE, use_parallel_residual=True, rotary_pct=0.25),
        seed=12, exercises="parallel residual (separate ln for mlp), partial rotary 0.25, fused per-head qkv",
    ),
    Case(
        "gpt-neox-sequential", "gpt_neox",
        dict(NEOX_BASE, use_parallel_residual=False, rotary_pct=0.5),
        seed=13, exercises="sequential residual, partial rotary 0.5",
    ),
    Case("llama-gqa", "llama", llama(), seed=14, exercises="GQA (4 q heads / 2 kv heads), RMSNorm, SwiGLU, default RoPE"),
    Case(
        "llama-rope-linear", "llama", llama(num_hidden_layers=1, rope_scaling={"rope_type": "linear", "factor": 2.0}),
        seed=15, exercises="linear RoPE scaling (inv_freq / 2)",
    ),
    Case(
        "llama-rope-dynamic", "llama",
        llama(num_hidden_layers=1, max_position_embeddings=6, rope_scaling={"rope_type": "dynamic", "factor": 2.0}),
        seed=16, exercises="dynamic NTK RoPE: seq 8 > max_position_embeddings 6 rescales the base",
        padded_row0_exact=False,
    ),
    Case(
        "llama-rope-llama3", "llama",
        llama(
            num_hidden_layers=1, rope_theta=500000.0, max_position_embeddings=128,
            rope_scaling={
                "rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                "original_max_position_embeddings": 64,
            },
        ),
        seed=17, exercises="llama3 RoPE: kept / smoothed / scaled wavelength regimes",
    ),
    Case("llama-bf16", "llama", llama(), seed=14, dtype="bfloat16", exercises="BF16 checkpoint (llama-gqa weights rounded)"),
    Case(
        "mistral-sliding", "mistral",
        dict(
            vocab_size=VOCAB, hidden_size=64, num_attention_heads=4, num_key_value_heads=1, head_dim=16,
            num_hidden_layers=2, intermediate_size=96, hidden_act="silu", rope_theta=10000.0, rms_norm_eps=1e-5,
            max_position_embeddings=32, sliding_window=3, tie_word_embeddings=False, bos_token_id=1, eos_token_id=2,
        ),
        seed=18, exercises="sliding window 3 on every layer, MQA (1 kv head)",
    ),
    Case(
        "qwen2-tied", "qwen2",
        dict(
            vocab_size=VOCAB, hidden_size=64, num_attention_heads=4, num_key_value_heads=2, num_hidden_layers=2,
            intermediate_size=96, hidden_act="silu", rope_theta=10000.0, rms_norm_eps=1e-5, max_position_embeddings=32,
            use_sliding_window=False, max_window_layers=2, tie_word_embeddings=True, bos_token_id=1, eos_token_id=2,
        ),
        seed=19, exercises="q/k/v biases, tied lm_head (not stored)",
    ),
    Case(
        "qwen2-untied", "qwen2",
        dict(
            vocab_size=VOCAB, hidden_size=64, num_attention_heads=4, num_key_value_heads=2, num_hidden_layers=1,
            intermediate_size=96, hidden_act="silu", rope_theta=10000.0, rms_norm_eps=1e-5, max_position_embeddings=32,
            use_sliding_window=False, max_window_layers=1, tie_word_embeddings=False, bos_token_id=1, eos_token_id=2,
        ),
        seed=20, exercises="q/k/v biases, separate lm_head",
    ),
    Case(
        "qwen2-rope-yarn", "qwen2",
        dict(
            vocab_size=VOCAB, hidden_size=64, num_attention_heads=4, num_key_value_heads=2, num_hidden_layers=1,
            intermediate_size=96, hidden_act="silu", rope_theta=10000.0, rms_norm_eps=1e-5,
            max_position_embeddings=128, use_sliding_window=False, max_window_layers=1, tie_word_embeddings=False,
            rope_scaling={"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 32},
            bos_token_id=1, eos_token_id=2,
        ),
        seed=22, exercises="YaRN rope scaling: kept, blended and interpolated frequencies, attention factor on cos/sin",
    ),
    Case(
        "gemma", "gemma",
        dict(
            vocab_size=VOCAB, hidden_size=48, num_attention_heads=4, head_dim=16, num_key_value_heads=1,
            num_hidden_layers=2, intermediate_size=96, hidden_act="gelu_pytorch_tanh",
            hidden_activation="gelu_pytorch_tanh", rope_theta=10000.0, rms_norm_eps=1e-6, max_position_embeddings=32,
            tie_word_embeddings=True, pad_token_id=0, bos_token_id=2, eos_token_id=1,
        ),
        seed=21, exercises="embedding * sqrt(hidden), RMSNorm x*(1+w), heads*head_dim != hidden, GeGLU(tanh), MQA",
    ),
    Case(
        "gemma2", "gemma2",
        dict(
            vocab_size=VOCAB, hidden_size=48, num_attention_heads=4, head_dim=16, num_key_value_heads=2,
            num_hidden_layers=4, intermediate_size=96, hidden_activation="gelu_pytorch_tanh", rope_theta=10000.0,
            rms_norm_eps=1e-6, max_position_embeddings=32, sliding_window=3, attn_logit_softcapping=5.0,
            final_logit_softcapping=3.0, query_pre_attn_scalar=24, tie_word_embeddings=True,
            pad_token_id=0, bos_token_id=2, eos_token_id=1,
        ),
        seed=22, init_range=0.3,
        exercises="alternating sliding(3)/global layers, attn + final logit softcap, query_pre_attn_scalar, sandwich norms",
    ),
    Case(
        "phi3", "phi3",
        dict(
            vocab_size=VOCAB, hidden_size=64, num_attention_heads=4, num_key_value_heads=2, num_hidden_layers=2,
            intermediate_size=96, hidden_act="silu", rope_theta=10000.0, rms_norm_eps=1e-5,
            max_position_embeddings=16, original_max_position_embeddings=4, sliding_window=4,
            partial_rotary_factor=0.5,
            rope_scaling={"type": "longrope", "short_factor": [1.0, 1.25, 1.5, 1.75], "long_factor": [1.0, 1.5, 2.0, 2.5]},
            tie_word_embeddings=False, pad_token_id=0, bos_token_id=1, eos_token_id=2,
        ),
        seed=23,
        exercises="fused qkv_proj / gate_up_proj, longrope (long factors + attention factor), partial rotary 0.5, sliding window 4",
    ),
    Case(
        "stablelm-parallel", "stablelm",
        dict(STABLELM_BASE, num_key_value_heads=4, use_parallel_residual=True, use_qkv_bias=True, partial_rotary_factor=0.25),
        seed=24, exercises="parallel residual with ONE shared input_layernorm, q/k/v biases, partial rotary 0.25",
    ),
    Case(
        "stablelm-sequential", "stablelm",
        dict(STABLELM_BASE, num_key_value_heads=2, use_parallel_residual=False, use_qkv_bias=False, partial_rotary_factor=0.5),
        seed=25, exercises="sequential residual, GQA, partial rotary 0.5",
    ),
]


def build_model(case: Case) -> torch.nn.Module:
    fam = FAMILIES[case.family]
    cfg = fam.config_cls(initializer_range=case.init_range, **json.loads(json.dumps(case.config)))
    torch.manual_seed(case.seed)
    model = fam.model_cls._from_config(cfg, attn_implementation="eager", dtype=torch.float32)
    randomize(model, fam.gemma_norm)
    model.eval()
    return model


def run_case(case: Case, out_root: Path) -> Path:
    fam = FAMILIES[case.family]
    case_dir = out_root / case.name
    if case_dir.exists():
        shutil.rmtree(case_dir)
    case_dir.mkdir(parents=True)
    print(f"[{case.name}] family={case.family} dtype={case.dtype} ({case.exercises})")

    model = build_model(case)
    if case.dtype != "float32":
        # Non-persistent buffers (rotary inv_freq) must stay exact f32: snapshot, round, save, restore.
        buffers = {n: b.detach().clone() for n, b in model.named_buffers()}
        model = model.to(DTYPES[case.dtype])
        model.save_pretrained(str(case_dir), safe_serialization=True)
        model = model.float()
        with torch.no_grad():
            for n, b in model.named_buffers():
                b.copy_(buffers[n])
        cfg_path = case_dir / "config.json"
        cfg_json = json.loads(cfg_path.read_text(encoding="utf-8"))
        cfg_json["dtype"] = case.dtype
        cfg_json["torch_dtype"] = case.dtype
        write_json(cfg_path, cfg_json)
    else:
        model.save_pretrained(str(case_dir), safe_serialization=True)
    model = model.eval()

    vocab = model.config.vocab_size
    ids = random_ids(DATA_SEED, vocab)
    acts, extra = capture(fam, model, ids)
    save_tensors(case_dir / "reference.safetensors", {"input_ids": ids, **acts})
    print_stats(acts)
    specs = ", ".join(
        f"L{l}: scale {s:.4g}" + (f" softcap {c:g}" if c else "") + (f" window {w}" if w else " full")
        for l, (s, c, w) in enumerate(extra["attn_specs"])
    )
    print(f"  attention (checked against hook_pattern): {specs}")
    for key in ("rope", "softcap", "final_softcap"):
        if key in extra:
            print(f"  {key}: {extra[key]}")

    padded, d0, d1 = padded_reference(model, vocab, case.padded_row0_exact)
    save_tensors(case_dir / "reference-padded.safetensors", padded)
    if case.padded_row0_exact:
        print(f"  padded check: row0 non-pad vs same {SEQ - PAD_LEFT} tokens alone {d0:.3e}, row1 vs unpadded {d1:.3e} "
              f"<= {PADDED_TOL:g} OK")
    else:
        print(f"  padded check: row1 vs unpadded {d1:.3e} OK; row0 vs same {SEQ - PAD_LEFT} tokens alone differs by "
              f"{d0:.3e} (expected: dynamic NTK uses the batch's max position, NOT asserted)")

    reloaded = AutoModelForCausalLM.from_pretrained(str(case_dir), attn_implementation="eager", dtype=torch.float32).eval()
    assert type(reloaded) is fam.model_cls
    check_reload_and_size(reloaded, case_dir, ids, acts["logits"], padded)
    return case_dir


def main(argv=None) -> int:
    ap, args = parse_command_line(__doc__, argv)
    make_deterministic()

    out_root = args.out.resolve()
    out_root.mkdir(parents=True, exist_ok=True)
    print(f"torch {torch.__version__}; writing to {out_root}")

    selected = select_cases(ap, args.case, CASES)
    for case in selected:
        run_case(case, out_root)

    print_sha256(out_root, [case.name for case in selected])
    return 0


if __name__ == "__main__":
    sys.exit(main())
