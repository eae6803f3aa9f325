#!/usr/bin/env python3
"""Build tiny random-init HF checkpoints plus reference activations for the Java tests.

For every case in CASES this writes, into <out>/<case>/ (default
runtime/src/test/resources/reference/<case>/):

  * the checkpoint in the case's layout (config.json + safetensors file(s)),
  * reference.safetensors         - input_ids, logits and every TransformerLens hook
  * reference-padded.safetensors  - a left-padded batch with attention_mask / position_ids
  * (tokenizer cases) tokenizer.json, tokenizer_config.json, tokenizer-reference.json

The output is deterministic: running the script twice gives byte-identical files.
See tools/reference/README.md for the format.

Adding a model family: write a Family (build/randomize, capture, hub-layout extras)
and add Case rows using it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import torch  # noqa: E402
from safetensors.torch import save_file  # noqa: E402
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers  # noqa: E402
from transformers import AutoTokenizer, GPT2Config, GPT2LMHeadModel  # noqa: E402
from transformers.pytorch_utils import Conv1D  # noqa: E402
from transformers.utils import logging as hf_logging  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUT = REPO_ROOT / "runtime" / "src" / "test" / "resources" / "reference"

MAX_CASE_BYTES = 1_000_000
BATCH, SEQ = 2, 8
PAD_ID = 0
PAD_LEFT = 3  # row 0 of the padded batch gets this many left-pad tokens
DATA_SEED = 1234  # seed of the random input ids (same ids for every case of the same vocab)
PADDED_DATA_SEED = 4321
PADDED_TOL = 1e-5
RELOAD_TOL = 1e-5

# ---------------------------------------------------------------------------------------------
# Tokenizer
# ---------------------------------------------------------------------------------------------

TOKENIZER_VOCAB_SIZE = 384
SPECIAL_TOKEN = "<|endoftext|>"

TRAIN_TEXT = """\
The river ran quietly through the old town, past the market and the stone bridge where children
played in the summer. Every morning the baker opened his shop before the sun came up, and the smell
of fresh bread drifted along the narrow streets. People stopped to talk about the weather, the
harvest, and the news from the city. In the evening the lights came on one by one, and the sound of
music and laughter filled the square. Nobody in the town was rich, but most of them were happy, and
they liked to say that a good neighbour was worth more than a full purse. When the storm came in the
autumn, the water rose over the banks and flooded the lower houses. The people worked together
through the night, carrying sand and stones to build a wall, and by the morning the river had turned
back. They remembered that night for many years, and they told the story to their children and to
their children's children. The model reads the text, one token at a time, and tries to predict what
comes next. Attention lets every position look back at the positions before it, while the MLP layers
store facts and patterns learned during training. Interpretability is the study of how these parts
work together to produce the answer.
"""

TOKENIZER_TEST_TEXT = "The quick brown fox jumps over the lazy dog, and the naïve baker's café opens at 7:30!"


def train_tokenizer(vocab_size: int) -> Tokenizer:
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.post_processor = processors.ByteLevel(trim_offsets=False)
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=[SPECIAL_TOKEN],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(TRAIN_TEXT.splitlines(), trainer=trainer)
    return tok


def write_tokenizer(tok: Tokenizer, case_dir: Path, model_max_length: int) -> None:
    tok.save(str(case_dir / "tokenizer.json"), pretty=True)
    tok_config = {
        "add_bos_token": False,
        "add_prefix_space": False,
        "bos_token": SPECIAL_TOKEN,
        "eos_token": SPECIAL_TOKEN,
        "unk_token": SPECIAL_TOKEN,
        "model_max_length": model_max_length,
        "tokenizer_class": "GPT2Tokenizer",
    }
    write_json(case_dir / "tokenizer_config.json", tok_config)
    enc = tok.encode(TOKENIZER_TEST_TEXT, add_special_tokens=False)
    write_json(
        case_dir / "tokenizer-reference.json",
        {"text": TOKENIZER_TEST_TEXT, "ids": list(enc.ids), "tokens": list(enc.tokens)},
    )
    # HF must read the saved files back to the same ids.
    hf_tok = AutoTokenizer.from_pretrained(str(case_dir))
    hf_ids = hf_tok(TOKENIZER_TEST_TEXT, add_special_tokens=False)["input_ids"]
    assert hf_ids == list(enc.ids), (hf_ids, enc.ids)
    assert tok.decode(enc.ids) == TOKENIZER_TEST_TEXT
    print(f"  tokenizer: vocab={tok.get_vocab_size()} test text -> {len(enc.ids)} ids: {enc.ids}")


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def write_json(path: Path, obj: dict) -> None:
    # Same formatting as HF's PretrainedConfig.to_json_string.
    path.write_text(json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")


def save_tensors(path: Path, tensors: dict[str, torch.Tensor]) -> None:
    save_file({k: v.detach().contiguous().clone() for k, v in tensors.items()}, str(path), metadata={"format": "pt"})


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def max_abs_diff(a: torch.Tensor, b: torch.Tensor) -> float:
    return (a.float() - b.float()).abs().max().item()


DTYPES = {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}


# ---------------------------------------------------------------------------------------------
# Model families
# ---------------------------------------------------------------------------------------------


@dataclass
class Family:
    name: str
    model_cls: type
    config_cls: type
    base_prefix: str  # key prefix of the base model inside the *ForCausalLM state dict
    randomize: Callable[[torch.nn.Module, float], None]  # called after HF init, under the case seed
    capture: Callable[[torch.nn.Module, torch.Tensor], dict[str, torch.Tensor]]
    hub_extra_tensors: Callable[[object], dict[str, torch.Tensor]]  # buffers present in old hub files


def layernorm_scale(x: torch.Tensor, eps: float) -> torch.Tensor:
    """TransformerLens hook_scale: sqrt(mean((x - mean(x))^2) + eps), keepdim -> [..., 1]."""
    x = x.detach().float()
    return (x.var(dim=-1, keepdim=True, unbiased=False) + eps).sqrt()


# --- GPT-2 -----------------------------------------------------------------------------------


def gpt2_randomize(model: torch.nn.Module, _init_range: float) -> None:
    with torch.no_grad():
        for _, module in model.named_modules():
            if isinstance(module, torch.nn.LayerNorm):
                module.weight.uniform_(0.5, 1.5)
                module.bias.copy_(torch.randn_like(module.bias) * 0.1)
            elif isinstance(module, (torch.nn.Linear, Conv1D)) and module.bias is not None:
                module.bias.copy_(torch.randn_like(module.bias) * 0.1)


def gpt2_capture(model: GPT2LMHeadModel, input_ids: torch.Tensor) -> dict[str, torch.Tensor]:
    cfg = model.config
    n_head = cfg.n_head
    d_head = cfg.n_embd // n_head
    eps = cfg.layer_norm_epsilon
    tr = model.transformer
    acts: dict[str, torch.Tensor] = {}
    handles = []

    def first(x):
        return x[0] if isinstance(x, (tuple, list)) else x

    def fwd(name, fn=lambda out: first(out)):
        def hook(_m, _inp, out):
            acts[name] = fn(out).detach().float().clone()

        return hook

    def pre(fn):
        def hook(_m, args, kwargs):
            x = args[0] if args else kwargs["hidden_states"]
            fn(x.detach().float().clone())

        return hook

    def heads(x):  # [b, p, h*dh] -> [b, p, h, dh]
        return x.reshape(*x.shape[:-1], n_head, d_head)

    ln_outputs: dict[str, torch.Tensor] = {}  # for the self-check only: HF's LayerNorm output is not a hook

    def ln_input(prefix, x):
        # TransformerLens visits hook_normalized before the gain and bias: (x - mean) / scale.
        scale = layernorm_scale(x, eps)
        acts[f"{prefix}.hook_scale"] = scale
        acts[f"{prefix}.hook_normalized"] = (x - x.mean(-1, keepdim=True)) / scale

    def add_ln(module, prefix):
        handles.append(module.register_forward_pre_hook(pre(lambda x: ln_input(prefix, x)), with_kwargs=True))
        handles.append(module.register_forward_hook(
            lambda _m, _inp, out: ln_outputs.__setitem__(prefix, out.detach().float().clone())))

    handles.append(tr.wte.register_forward_hook(fwd("hook_embed")))
    # HF computes wpe once for [1, pos]; TransformerLens' hook_pos_embed is [batch, pos, d_model].
    handles.append(
        tr.wpe.register_forward_hook(fwd("hook_pos_embed", lambda out: out.expand(input_ids.shape[0], -1, -1)))
    )
    for l, block in enumerate(tr.h):
        b = f"blocks.{l}"
        handles.append(
            block.register_forward_pre_hook(pre(lambda x, b=b: acts.__setitem__(f"{b}.hook_resid_pre", x)), with_kwargs=True)
        )
        handles.append(block.register_forward_hook(fwd(f"{b}.hook_resid_post")))
        add_ln(block.ln_1, f"{b}.ln1")
        add_ln(block.ln_2, f"{b}.ln2")
        handles.append(
            block.ln_2.register_forward_pre_hook(
                pre(lambda x, b=b: acts.__setitem__(f"{b}.hook_resid_mid", x)), with_kwargs=True
            )
        )

        def qkv_hook(_m, _inp, out, b=b):
            q, k, v = out.detach().float().split(cfg.n_embd, dim=-1)
            acts[f"{b}.attn.hook_q"] = heads(q).clone()
            acts[f"{b}.attn.hook_k"] = heads(k).clone()
            acts[f"{b}.attn.hook_v"] = heads(v).clone()

        handles.append(block.attn.c_attn.register_forward_hook(qkv_hook))
        handles.append(
            block.attn.c_proj.register_forward_pre_hook(
                pre(lambda x, b=b: acts.__setitem__(f"{b}.attn.hook_z", heads(x))), with_kwargs=True
            )
        )
        handles.append(block.attn.register_forward_hook(fwd(f"{b}.hook_attn_out")))
        handles.append(block.mlp.c_fc.register_forward_hook(fwd(f"{b}.mlp.hook_pre")))
        handles.append(block.mlp.act.register_forward_hook(fwd(f"{b}.mlp.hook_post")))
        handles.append(block.mlp.register_forward_hook(fwd(f"{b}.hook_mlp_out")))
    add_ln(tr.ln_f, "ln_final")

    try:
        with torch.no_grad():
            out = model(input_ids=input_ids, output_attentions=True)
    finally:
        for h in handles:
            h.remove()

    for l, pattern in enumerate(out.attentions):
        acts[f"blocks.{l}.attn.hook_pattern"] = pattern.detach().float().clone()
    acts["logits"] = out.logits.detach().float().clone()

    # Internal consistency: the residual stream adds up.
    for l in range(cfg.n_layer):
        b = f"blocks.{l}"
        mid = acts[f"{b}.hook_resid_pre"] + acts[f"{b}.hook_attn_out"]
        assert max_abs_diff(mid, acts[f"{b}.hook_resid_mid"]) < 1e-5
        post = acts[f"{b}.hook_resid_mid"] + acts[f"{b}.hook_mlp_out"]
        assert max_abs_diff(post, acts[f"{b}.hook_resid_post"]) < 1e-5
    assert max_abs_diff(acts["hook_embed"] + acts["hook_pos_embed"], acts["blocks.0.hook_resid_pre"]) < 1e-6
    # hook_scale / hook_normalized follow TransformerLens: the LayerNorm output is hook_normalized * w + b, and
    # hook_normalized is the centred input over hook_scale.
    last = f"blocks.{cfg.n_layer - 1}.hook_resid_post"
    lns = [(f"blocks.{l}.ln1", f"blocks.{l}.hook_resid_pre", tr.h[l].ln_1) for l in range(cfg.n_layer)]
    lns += [(f"blocks.{l}.ln2", f"blocks.{l}.hook_resid_mid", tr.h[l].ln_2) for l in range(cfg.n_layer)]
    lns += [("ln_final", last, tr.ln_f)]
    for prefix, inp, ln in lns:
        x = acts[inp]
        normalized = acts[f"{prefix}.hook_normalized"]
        assert max_abs_diff((x - x.mean(-1, keepdim=True)) / acts[f"{prefix}.hook_scale"], normalized) < 1e-5, prefix
        assert max_abs_diff(normalized * ln.weight.float() + ln.bias.float(), ln_outputs[prefix]) < 1e-4, prefix
    return acts


def gpt2_hub_extra_tensors(cfg: GPT2Config) -> dict[str, torch.Tensor]:
    """Non-weight buffers stored in the original `gpt2` hub model.safetensors."""
    n = cfg.n_positions
    extra = {}
    for l in range(cfg.n_layer):
        extra[f"h.{l}.attn.bias"] = torch.tril(torch.ones(n, n, dtype=torch.float32)).view(1, 1, n, n)
        extra[f"h.{l}.attn.masked_bias"] = torch.tensor(-1e4, dtype=torch.float32)
    return extra


FAMILIES = {
    "gpt2": Family(
        name="gpt2",
        model_cls=GPT2LMHeadModel,
        config_cls=GPT2Config,
        base_prefix="transformer",
        randomize=gpt2_randomize,
        capture=gpt2_capture,
        hub_extra_tensors=gpt2_hub_extra_tensors,
    ),
}


# ---------------------------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------------------------

TOKENIZER_VOCAB = "tokenizer"  # config placeholder: replaced by the trained tokenizer's size


@dataclass
class Case:
    name: str
    family: str
    config: dict
    seed: int
    init_range: float
    # "save_pretrained": model.save_pretrained (base-model prefix, tied lm_head dropped)
    # "hub":             config.save_pretrained + save_file of the base model without prefix + hub buffers
    # "sharded":         save_pretrained with a small max_shard_size (expects `shards` files)
    layout: str = "save_pretrained"
    dtype: str = "float32"
    tokenizer: bool = False
    shards: int = 1


GPT2_SMALL_TEST = dict(n_layer=2, n_head=4, n_embd=64, n_positions=32, vocab_size=TOKENIZER_VOCAB)

CASES = [
    Case("gpt2-prefixed", "gpt2", GPT2_SMALL_TEST, seed=1, init_range=0.15, tokenizer=True),
    Case(
        "gpt2-hub-layout",
        "gpt2",
        dict(
            n_layer=3,
            n_head=3,
            n_embd=48,
            n_inner=80,
            n_positions=24,
            vocab_size=200,
            layer_norm_epsilon=1e-3,
            scale_attn_by_inverse_layer_idx=True,
        ),
        seed=2,
        init_range=0.15,
        layout="hub",
    ),
    # Same config + seed as gpt2-prefixed => same weights, then rounded to the reduced dtype.
    Case("gpt2-f16-sharded", "gpt2", GPT2_SMALL_TEST, seed=1, init_range=0.15, layout="sharded", dtype="float16", shards=2),
    Case("gpt2-bf16", "gpt2", GPT2_SMALL_TEST, seed=1, init_range=0.15, dtype="bfloat16"),
]


def build_model(case: Case, vocab_size: int) -> torch.nn.Module:
    fam = FAMILIES[case.family]
    cfg_kwargs = dict(case.config)
    if cfg_kwargs.get("vocab_size") == TOKENIZER_VOCAB:
        cfg_kwargs["vocab_size"] = vocab_size
    cfg = fam.config_cls(initializer_range=case.init_range, **cfg_kwargs)
    if hasattr(cfg, "bos_token_id") and cfg_kwargs["vocab_size"] <= (cfg.bos_token_id or 0):
        cfg.bos_token_id = cfg.eos_token_id = PAD_ID
    torch.manual_seed(case.seed)
    model = fam.model_cls._from_config(cfg, attn_implementation="eager", dtype=torch.float32)
    fam.randomize(model, case.init_range)
    model.eval()
    return model


def save_checkpoint(case: Case, model: torch.nn.Module, case_dir: Path) -> None:
    fam = FAMILIES[case.family]
    if case.layout == "save_pretrained":
        model.save_pretrained(str(case_dir), safe_serialization=True)
    elif case.layout == "sharded":
        total = sum(p.numel() * p.element_size() for p in model.parameters())
        # Greedy HF sharding; a limit a bit over total/shards gives exactly `shards` files here.
        model.save_pretrained(
            str(case_dir), safe_serialization=True, max_shard_size=int(total / case.shards * 1.1)
        )
        files = sorted(p.name for p in case_dir.glob("model-*.safetensors"))
        assert len(files) == case.shards, files
        assert (case_dir / "model.safetensors.index.json").exists()
    elif case.layout == "hub":
        model.config.save_pretrained(str(case_dir))
        base = getattr(model, fam.base_prefix)
        tensors = {k: v for k, v in base.state_dict().items()}
        tensors.update(fam.hub_extra_tensors(model.config))
        save_tensors(case_dir / "model.safetensors", tensors)
    else:
        raise ValueError(case.layout)
    if case.dtype != "float32":
        # HF 4.57 writes "dtype"; older HF (and most hub configs) wrote "torch_dtype". Store both.
        cfg_path = case_dir / "config.json"
        cfg_json = json.loads(cfg_path.read_text(encoding="utf-8"))
        cfg_json["dtype"] = case.dtype
        cfg_json["torch_dtype"] = case.dtype
        write_json(cfg_path, cfg_json)


def random_ids(seed: int, vocab: int) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return torch.randint(0, vocab, (BATCH, SEQ), generator=g, dtype=torch.long)


def padded_reference(
    model: torch.nn.Module, vocab: int, check_row0: bool = True
) -> tuple[dict[str, torch.Tensor], float, float]:
    """Row 0 left-padded, row 1 not; returns the tensors and each row's max diff from the same tokens run alone.

    check_row0 is False only where row 0 legitimately differs (dynamic NTK rope: the batch's longest row sets it).
    """
    g = torch.Generator().manual_seed(PADDED_DATA_SEED)
    ids = torch.randint(1, vocab, (BATCH, SEQ), generator=g, dtype=torch.long)
    mask = torch.ones(BATCH, SEQ, dtype=torch.long)
    ids[0, :PAD_LEFT] = PAD_ID
    mask[0, :PAD_LEFT] = 0
    pos = mask.cumsum(-1) - 1
    pos = pos.masked_fill(mask == 0, 1)
    with torch.no_grad():
        logits = model(input_ids=ids, attention_mask=mask, position_ids=pos).logits.float()
        alone0 = model(input_ids=ids[0:1, PAD_LEFT:]).logits.float()
        alone1 = model(input_ids=ids[1:2]).logits.float()
    assert torch.isfinite(logits).all()
    d0 = max_abs_diff(logits[0, PAD_LEFT:], alone0[0])
    d1 = max_abs_diff(logits[1], alone1[0])
    assert d1 <= PADDED_TOL, f"padded row 1 differs from its unpadded run: {d1}"
    if check_row0:
        assert d0 <= PADDED_TOL, f"padded row 0 differs from the same tokens run alone: {d0}"
    tensors = {"input_ids": ids, "attention_mask": mask, "position_ids": pos, "logits": logits}
    return tensors, d0, d1


def print_stats(acts: dict[str, torch.Tensor]) -> None:
    logits = acts["logits"]
    parts = [f"logits std={logits.std().item():.3f} range=[{logits.min().item():.2f}, {logits.max().item():.2f}]"]
    for name in sorted(k for k in acts if k.endswith("attn.hook_pattern")):
        p = acts[name][:, :, 1:, :]  # skip query 0 (always attends to itself with prob 1)
        row_max = p.max(dim=-1).values
        parts.append(f"{name.split('.attn')[0]}: max prob={row_max.max().item():.3f} mean row-max={row_max.mean().item():.3f}")
    print("  stats: " + "; ".join(parts))


def run_case(case: Case, out_root: Path, tok: Optional[Tokenizer]) -> Path:
    fam = FAMILIES[case.family]
    case_dir = out_root / case.name
    if case_dir.exists():
        shutil.rmtree(case_dir)
    case_dir.mkdir(parents=True)
    print(f"[{case.name}] family={case.family} layout={case.layout} dtype={case.dtype}")

    vocab_for_tok = tok.get_vocab_size() if tok is not None else TOKENIZER_VOCAB_SIZE
    model = build_model(case, vocab_for_tok)
    if case.dtype != "float32":
        model = model.to(DTYPES[case.dtype])
    save_checkpoint(case, model, case_dir)
    # References: f32 compute on the (possibly rounded) stored weights.
    model = model.float().eval()

    vocab = model.config.vocab_size
    ids = random_ids(DATA_SEED, vocab)
    acts = fam.capture(model, ids)
    ref = {"input_ids": ids, **acts}
    save_tensors(case_dir / "reference.safetensors", ref)
    print_stats(acts)

    padded, d0, d1 = padded_reference(model, vocab)
    pad_diff = max(d0, d1)
    save_tensors(case_dir / "reference-padded.safetensors", padded)
    print(f"  padded check: row0 non-pad logits vs same {SEQ - PAD_LEFT} tokens unpadded (and row1 vs unpadded): "
          f"max diff {pad_diff:.3e} <= {PADDED_TOL:g} OK")

    if case.tokenizer:
        assert tok is not None and tok.get_vocab_size() == vocab
        write_tokenizer(tok, case_dir, model.config.n_positions)

    reloaded = fam.model_cls.from_pretrained(str(case_dir), attn_implementation="eager", dtype=torch.float32).eval()
    check_reload_and_size(reloaded, case_dir, ids, acts["logits"], padded)
    return case_dir


def check_reload_and_size(reloaded: torch.nn.Module, case_dir: Path, ids: torch.Tensor, logits: torch.Tensor,
                          padded: dict[str, torch.Tensor]) -> None:
    """The case directory, reloaded the way users load it, reproduces the stored logits, and stays under 1 MB."""
    with torch.no_grad():
        d_ref = max_abs_diff(reloaded(input_ids=ids).logits, logits)
        d_pad = max_abs_diff(
            reloaded(
                input_ids=padded["input_ids"], attention_mask=padded["attention_mask"], position_ids=padded["position_ids"]
            ).logits,
            padded["logits"],
        )
    assert d_ref <= RELOAD_TOL and d_pad <= RELOAD_TOL, (d_ref, d_pad)
    print(f"  reload check: from_pretrained logits max diff reference={d_ref:.3e} padded={d_pad:.3e}")

    size = dir_size(case_dir)
    assert size < MAX_CASE_BYTES, f"{case_dir.name} is {size} bytes"
    print(f"  size: {size} bytes ({size / 1024:.1f} KiB)")


def parse_command_line(doc: str, argv) -> tuple[argparse.ArgumentParser, argparse.Namespace]:
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output root (default {DEFAULT_OUT})")
    ap.add_argument("--case", action="append", help="only build these case(s) (default: all)")
    return ap, ap.parse_args(argv)


def make_deterministic() -> None:
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)


def select_cases(ap: argparse.ArgumentParser, requested, cases: list) -> list:
    selected = [c for c in cases if not requested or c.name in requested]
    if requested and len(selected) != len(requested):
        ap.error(f"unknown case in {requested}; known: {[c.name for c in cases]}")
    return selected


def print_sha256(out_root: Path, case_names: list[str]) -> None:
    """Two runs must print the same lines: compare them with diff."""
    print("sha256:")
    for name in case_names:
        for p in sorted((out_root / name).rglob("*")):
            if p.is_file():
                digest = hashlib.sha256(p.read_bytes()).hexdigest()
                print(f"  {digest}  {p.relative_to(out_root)}")


def main(argv=None) -> int:
    ap, args = parse_command_line(__doc__, argv)
    make_deterministic()

    tok = train_tokenizer(TOKENIZER_VOCAB_SIZE)
    out_root = args.out.resolve()
    out_root.mkdir(parents=True, exist_ok=True)
    print(f"torch {torch.__version__}; writing to {out_root}")

    selected = select_cases(ap, args.case, CASES)
    for case in selected:
        run_case(case, out_root, tok)

    print_sha256(out_root, [case.name for case in selected])
    return 0


if __name__ == "__main__":
    sys.exit(main())
